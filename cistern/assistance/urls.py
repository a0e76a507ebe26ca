from django.urls import path

from . import views

app_name = "assistance"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("accounts/<str:number>/apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/proof/", views.proof, name="proof"),
    path("applications/<int:pk>/decide/", views.decide, name="decide"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]

from django.urls import path

from . import views

app_name = "conversion"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:run_id>/", views.run_detail, name="run"),
    path("<int:run_id>/report.xlsx", views.run_xlsx, name="run_xlsx"),
]

from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("gl/", views.gl_summary, name="gl_summary"),
    path("accounts/<str:number>/adjust/", views.adjust, name="adjust"),
    path("adjustments/", views.adjustments_pending, name="adjustments_pending"),
    path("adjustments/<int:adjustment_id>/decide/", views.adjustment_decide, name="adjustment_decide"),
]

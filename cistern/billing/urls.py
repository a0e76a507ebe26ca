from django.urls import path

from . import views, views_high_usage

app_name = "billing"
urlpatterns = [
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:run_id>/print.csv", views.run_print_export, name="run_print_export"),
    path("runs/<int:run_id>/<str:action>/", views.run_action, name="run_action"),
    path("bills/<int:bill_id>/", views.bill_detail, name="bill"),
    path("bills/<int:bill_id>/pdf/", views.bill_pdf, name="bill_pdf"),
    path("bills/<int:bill_id>/cancel/", views.bill_cancel, name="bill_cancel"),
    path("cancel-requests/<int:request_id>/decide/", views.cancel_decide, name="cancel_decide"),
    path("accounts/<str:number>/final-bill/", views.final_bill, name="final_bill"),
    path("not-billed/", views.accounts_not_billed, name="accounts_not_billed"),
]
urlpatterns += views_high_usage.urlpatterns

"""The payments app's bank pages (joined in payments/urls.py)."""

from django.urls import path

from . import views_bank as views

urlpatterns = [
    path("deposits/", views.deposits, name="deposits"),
    path("deposits/new/", views.deposit_new, name="deposit_new"),
    path("deposits/<int:deposit_id>/", views.deposit_detail, name="deposit"),
    path("deposits/<int:deposit_id>/slip.pdf", views.deposit_slip, name="deposit_slip"),
    path("returns/", views.returns, name="returns"),
    path("returns/new/", views.return_new, name="return_new"),
    path("returns/<int:return_id>/", views.return_detail, name="return"),
    path("returns/<int:return_id>/letter.pdf", views.return_letter, name="return_letter"),
    path("refunds/", views.refunds, name="refunds"),
    path("refunds/new/<str:number>/", views.refund_new, name="refund_new"),
    path("refunds/<int:refund_id>/decide/", views.refund_decide, name="refund_decide"),
    path("refunds/export/", views.refund_exports, name="refund_exports"),
    path("refunds/export/run/", views.refund_export, name="refund_export"),
    path("refunds/export/<str:batch>.csv", views.refund_export_file, name="refund_export_file"),
]

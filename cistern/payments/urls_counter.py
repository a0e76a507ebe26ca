"""The payments app's counter pages (joined in payments/urls.py)."""

from django.urls import path

from . import views_counter as views

urlpatterns = [
    path("counter/", views.counter, name="counter"),
    path("drawers/open/", views.drawer_open, name="drawer_open"),
    path("drawers/", views.drawer_list, name="drawers"),
    path("drawers/<int:session_id>/", views.drawer_detail, name="drawer"),
    path("drawers/<int:session_id>/x-report/", views.x_report, name="x_report"),
    path("drawers/<int:session_id>/close/", views.drawer_close, name="drawer_close"),
    path("drawers/<int:session_id>/explain/", views.drawer_explain, name="drawer_explain"),
    path("drawers/<int:session_id>/audit/", views.drawer_audit, name="drawer_audit"),
    path("payments/<int:payment_id>/", views.payment_detail, name="payment"),
    path("payments/<int:payment_id>/void/", views.payment_void, name="payment_void"),
    path("payments/<int:payment_id>/reverse/", views.payment_reverse, name="payment_reverse"),
    path("payments/<int:payment_id>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
]

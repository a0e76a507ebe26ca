"""The payments app's autopay pages (joined in payments/urls.py)."""

from django.urls import path

from . import views_autopay as views

urlpatterns = [
    path("accounts/<str:number>/autopay/", views.account_autopay, name="autopay"),
    path("accounts/<str:number>/autopay/enrol/", views.enrol, name="autopay_enrol"),
    path("autopay/<int:enrolment_id>/end/", views.end, name="autopay_end"),
    path("autopay/returns/new/", views.ach_return, name="autopay_return"),
]

from django.urls import path

from . import views, views_arrangements, views_reconnect, views_reports
from .views_writeoffs import urlpatterns as final_account_urls

app_name = "collections"
urlpatterns = [
    path("lockoffs/", views.lockoff_lists, name="lockoff_lists"),
    path("lockoffs/<str:day>/", views.lockoff_list, name="lockoff_list"),
    path("lockoffs/<str:day>/confirm/", views.lockoff_list_confirm, name="lockoff_list_confirm"),
    path("run/", views.run, name="run"),
    path("shutoffs/", views_reports.shutoff_report, name="shutoff_report"),
    path("accounts/<str:number>/calls/", views.call_add, name="call_add"),
    path("accounts/<str:number>/arrangements/", views_arrangements.arrangement_new, name="arrangement_new"),
    path(
        "accounts/<str:number>/arrangements/<str:arrangement_id>/cancel/",
        views_arrangements.arrangement_cancel,
        name="arrangement_cancel",
    ),
    path("accounts/<str:number>/holds/", views.hold_open, name="hold_open"),
    path("accounts/<str:number>/holds/<str:hold_id>/close/", views.hold_close, name="hold_close"),
    path("accounts/<str:number>/reconnect/", views_reconnect.reconnect, name="reconnect"),
]
urlpatterns += final_account_urls  # write-offs and referrals (views_writeoffs.py)

from django.urls import path

from . import views

app_name = "frontdesk"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("calls/", views.call_list, name="call_list"),
    path("calls/log/", views.call_log, name="call_log"),
    path("calls/match/", views.call_match, name="call_match"),
    path("calls/callbacks/", views.callbacks, name="callbacks"),
    path("calls/<int:pk>/", views.call, name="call"),
    path("calls/<int:pk>/contact/", views.call_contact, name="call_contact"),
    path("calls/<int:pk>/order/", views.call_order, name="call_order"),
    path("calls/<int:pk>/called-back/", views.callback_done, name="callback_done"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/queue/", views.case_queue, name="case_queue"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/escalate/", views.case_escalate, name="case_escalate"),
    path("cases/<int:pk>/take/", views.case_take, name="case_take"),
    path("cases/<int:pk>/reassign/", views.case_reassign, name="case_reassign"),
    path("cases/<int:pk>/resolve/", views.case_resolve, name="case_resolve"),
    path("cases/<int:pk>/notify/", views.case_notify, name="case_notify"),
    path("cases/<int:pk>/reopen/", views.case_reopen, name="case_reopen"),
    path("visitors/", views.visitors, name="visitors"),
    path("visitors/sign-in/", views.visitor_sign_in, name="visitor_sign_in"),
    path("visitors/<int:pk>/sign-out/", views.visitor_sign_out, name="visitor_sign_out"),
    path("visitors/log/", views.visitor_log, name="visitor_log"),
    path("radio/", views.radio, name="radio"),
    path("radio/add/", views.radio_add, name="radio_add"),
]

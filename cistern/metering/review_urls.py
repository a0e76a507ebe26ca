from django.urls import path

from . import views

urlpatterns = [
    path("exceptions/", views.exception_queue, name="exceptions"),
    path("exceptions/<int:read_id>/", views.exception_detail, name="exception"),
    path("exceptions/<int:read_id>/accept/", views.exception_accept, name="exception_accept"),
    path("exceptions/<int:read_id>/reject/", views.exception_reject, name="exception_reject"),
    path("exceptions/<int:read_id>/estimate/", views.exception_estimate, name="exception_estimate"),
    path("meter/<str:serial>/", views.meter_page, name="meter"),
]

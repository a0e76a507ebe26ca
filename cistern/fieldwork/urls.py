from django.urls import path

from . import views

app_name = "fieldwork"
urlpatterns = [
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:number>/", views.order_detail, name="order_detail"),
    path("orders/<int:number>/photo/", views.order_photo, name="order_photo"),
    path("orders/<int:number>/schedule/", views.order_schedule, name="order_schedule"),
    path("orders/<int:number>/dispatch/", views.order_dispatch, name="order_dispatch"),
    path("orders/<int:number>/void/", views.order_void, name="order_void"),
    path("orders/<int:number>/close/", views.order_close, name="order_close"),
    path("orders/<int:number>/complete/", views.order_complete, name="order_complete"),
    path("orders/<int:number>/follow-up/", views.order_follow_up, name="order_follow_up"),
    path("reads/<int:read_id>/reread/", views.reread_from_read, name="reread_from_read"),
    path("board/", views.board, name="board"),
    path("board/<int:technician_id>/<str:day>/route.pdf", views.route_sheet, name="route_sheet"),
    path("today/", views.tech_today, name="tech_today"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("programs/", views.programs, name="programs"),
    path("programs/create/", views.programs_create, name="programs_create"),
    path("connections/", views.connections, name="connections"),
    path("connections/new/", views.connection_add, name="connection_add"),
]

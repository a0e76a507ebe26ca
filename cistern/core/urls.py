from django.contrib.auth import views as auth_views
from django.urls import path

from . import health, views, views_help, views_team

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("login/", views.sign_in, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/users/<int:user_id>/", views.user_audit, name="user_audit"),
    path("audit/users/", views.user_audit_index, name="user_audit_index"),
    path("district/", views.district_settings_page, name="district_settings"),
    path("district/closures/<int:closure_id>/remove/", views.closure_day_remove, name="closure_day_remove"),
    path("district/holidays/<int:holiday_id>/observed/", views.holiday_observed, name="holiday_observed"),
    path("home/queues/", views_team.home_queues, name="home_queues"),
    path("team/", views_team.team, name="team"),
    path("team/reassign/", views_team.team_reassign, name="team_reassign"),
    path("help/", views_help.help_index, name="help_index"),
    path("help/for/<str:view_name>/", views_help.help_for, name="help_for"),
    path("help/<slug:topic>/", views_help.help_topic, name="help_topic"),
    path("healthz", health.healthz, name="healthz"),  # the load balancer's and the monitor's, no sign-in
]

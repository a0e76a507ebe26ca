from django.urls import path

from . import views

app_name = "schedule"
urlpatterns = [
    path("", views.month, name="month"),
    path("agenda/", views.agenda, name="agenda"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<int:pk>/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/delete/", views.event_delete, name="event_delete"),
    path("feeds/", views.feeds_page, name="feeds"),
    path("feeds/rotate/", views.feed_rotate, name="feed_rotate"),
    path("feeds/team/rotate/", views.team_feed_rotate, name="team_feed_rotate"),
    path("ical/<str:token>.ics", views.ical, name="ical"),
    path("coverage/", views.week, name="week"),
    path("coverage/assign/", views.assign, name="assign"),
    path("coverage/workweek/", views.workweek_set, name="workweek"),
    path("coverage/leave/", views.leave_add, name="leave_add"),
    path("coverage/leave/<int:pk>/delete/", views.leave_delete, name="leave_delete"),
    path("coverage/lunch/", views.lunch_set, name="lunch"),
    path("coverage/uncovered/", views.uncovered, name="uncovered"),
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/record/", views.checklist_record, name="checklist_record"),
    path("checklist/misses/", views.misses, name="misses"),
    path("checklist/misses/acknowledge/", views.miss_acknowledge, name="miss_acknowledge"),
]

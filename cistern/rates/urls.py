from django.urls import path

from . import views

app_name = "rates"
urlpatterns = [
    path("", views.rate_tables, name="tables"),
    path("estimate/", views.estimate, name="estimate"),
]

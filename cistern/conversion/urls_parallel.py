from django.urls import path

from . import views_parallel

app_name = "parallel"

urlpatterns = [
    path("", views_parallel.index, name="index"),
    path("<int:run_id>/", views_parallel.run, name="run"),
    path("<int:run_id>/xlsx/", views_parallel.workbook, name="xlsx"),
]

from django.urls import path

from . import views_import

urlpatterns = [
    path("imports/", views_import.import_reads, name="import_reads"),
    path("imports/<int:import_id>/", views_import.import_detail, name="import_detail"),
]

"""The payments app's lockbox pages (joined in payments/urls.py)."""

from django.urls import path

from . import views_lockbox as views

urlpatterns = [
    path("lockbox/", views.lockbox_home, name="lockbox"),
    path("lockbox/files/<int:file_id>/", views.lockbox_file, name="lockbox_file"),
    path("lockbox/suspense/", views.suspense, name="lockbox_suspense"),
    path("lockbox/items/<int:item_id>/", views.suspense_item, name="lockbox_item"),
    path("lockbox/items/<int:item_id>/apply/", views.suspense_apply, name="lockbox_apply"),
    path("lockbox/items/<int:item_id>/return/", views.suspense_return, name="lockbox_return"),
    path("lockbox/bai2/", views.reconciliations, name="lockbox_reconciliations"),
]

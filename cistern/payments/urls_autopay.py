"""The payments app's autopay pages (joined in payments/urls.py)."""

urlpatterns = []

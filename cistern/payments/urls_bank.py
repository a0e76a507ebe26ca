"""The payments app's bank pages (joined in payments/urls.py)."""

urlpatterns = []

"""The payments app's counter pages (joined in payments/urls.py)."""

urlpatterns = []

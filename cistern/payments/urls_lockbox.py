"""The payments app's lockbox pages (joined in payments/urls.py)."""

urlpatterns = []

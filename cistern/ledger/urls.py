from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [path("gl/", views.gl_summary, name="gl_summary")]

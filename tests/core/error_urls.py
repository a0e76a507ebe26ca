"""The project's URLs and one view that fails, for the 500 page's test."""

from django.urls import path

from cistern.urls import urlpatterns as project


def fails(request):
    raise RuntimeError("a bug")


urlpatterns = [path("test-fails/", fails), *project]

from django.urls import include, path

app_name = "metering"
urlpatterns = [
    path("", include("cistern.metering.review_urls")),
    path("", include("cistern.metering.import_urls")),
]

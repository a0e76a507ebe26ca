from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("start/", views.start_service, name="start"),
    path("premises/lookup/", views.premise_lookup, name="premise_lookup"),
    path("<str:number>/", views.account_page, name="account"),
    path("<str:number>/contacts/", views.contact_add, name="contact_add"),
    path("<str:number>/customer/", views.customer_edit, name="customer_edit"),
    path("<str:number>/transfer/", views.transfer_service, name="transfer"),
    path("<str:number>/stop/", views.stop_service, name="stop"),
    path("<str:number>/relationship/", views.relationship_correct, name="relationship_correct"),
    path("<str:number>/flags/", views.flag_add, name="flag_add"),
    path("<str:number>/flags/<int:flag_id>/end/", views.flag_end, name="flag_end"),
]

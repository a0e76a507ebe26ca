from django.urls import path

from . import views, views_forms

app_name = "correspondence"
urlpatterns = [
    path("templates/", views.template_list, name="template_list"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("templates/<int:pk>/new/", views.template_version_new, name="template_version_new"),
    path("<int:pk>/", views.letter_detail, name="letter_detail"),
    path("<int:pk>/letter.pdf", views.letter_pdf, name="letter_pdf"),
    path("<int:pk>/returned/", views.letter_returned, name="letter_returned"),
    path("<int:pk>/resolve/", views.letter_resolve, name="letter_resolve"),
    path("<int:pk>/retry/", views.letter_retry, name="letter_retry"),
    path("returned/", views.returned, name="returned"),
    path("print/", views.print_batches, name="print_batches"),
    path("print/create/", views.print_batch_create, name="print_batch_create"),
    path("print/<int:pk>/batch.pdf", views.print_batch_pdf, name="print_batch_pdf"),
    path("account/<str:number>/new", views.adhoc_new, name="adhoc_new"),
    path("forms/", views_forms.form_list, name="form_list"),
    path("forms/new", views_forms.form_new, name="form_new"),
    path("forms/<int:pk>/upload", views_forms.form_upload, name="form_upload"),
    path("forms/<int:pk>/blank.pdf", views_forms.form_blank, name="form_blank"),
    path("forms/versions/<int:pk>/form.pdf", views_forms.form_version_pdf, name="form_version_pdf"),
]

from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("patients/<int:pk>/export/", views.export_patient, name="export"),
    path("patients/<int:pk>/erase/", views.erase_patient, name="erase"),
    path("due/", views.due_for_erasure, name="due"),
]

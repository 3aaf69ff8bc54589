from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<int:pk>/", views.patient_detail, name="detail"),
    path("<int:pk>/edit/", views.patient_edit, name="edit"),
    path("<int:pk>/screenings/new/", views.screening_create, name="screening_create"),
    path(
        "<int:pk>/screenings/<int:screening_pk>/decision/",
        views.caution_decision_create,
        name="caution_decision",
    ),
    path("<int:pk>/consent/new/", views.consent_create, name="consent_create"),
]

from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("p/confirm/<str:token>/", views.confirm, name="confirm"),
    path("p/cancel/<str:token>/", views.cancel, name="cancel"),
    path("p/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("messages/failed/", views.failed_messages, name="failed"),
    path("messages/failed/retry-period/", views.retry_period, name="retry_period"),
    path("messages/patient/<int:pk>/", views.patient_messages, name="patient_messages"),
    path("messages/<int:pk>/retry/", views.retry, name="retry"),
]

from django.urls import path

from reminders import views, webhook_views

app_name = "reminders"

urlpatterns = [
    path("p/confirm/<str:token>/", views.confirm, name="confirm"),
    path("p/cancel/<str:token>/", views.cancel, name="cancel"),
    path("p/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("messages/failed/", views.failed_messages, name="failed"),
    path("messages/failed/retry-period/", views.retry_period, name="retry_period"),
    path("messages/patient/<int:pk>/", views.patient_messages, name="patient_messages"),
    path("messages/<int:pk>/retry/", views.retry, name="retry"),
    path("webhooks/", webhook_views.endpoint_list, name="webhooks"),
    path("webhooks/add/", webhook_views.endpoint_add, name="webhook_add"),
    path("webhooks/<int:pk>/", webhook_views.endpoint_detail, name="webhook"),
    path("webhooks/<int:pk>/rotate/", webhook_views.endpoint_rotate, name="webhook_rotate"),
    path("webhooks/<int:pk>/switch/", webhook_views.endpoint_switch, name="webhook_switch"),
    path(
        "webhooks/<int:pk>/deliveries/<int:message_pk>/retry/",
        webhook_views.delivery_retry,
        name="webhook_retry",
    ),
]

from django.urls import path

from courses import day_views, outcome_views, views

app_name = "courses"

urlpatterns = [
    path("", views.course_overview, name="overview"),
    path("new/for-patient/<int:patient_pk>/", views.course_create, name="create"),
    path("<int:pk>/", views.course_detail, name="detail"),
    path("<int:pk>/confirm/", views.course_confirm, name="confirm"),
    path("<int:pk>/discard/", views.course_discard, name="discard"),
    path("<int:pk>/cancel/", views.course_cancel, name="cancel"),
    path("<int:pk>/replacement/", views.course_replacement, name="replacement"),
    path("<int:pk>/revoke-links/", views.course_revoke_links, name="revoke_links"),
    path("<int:pk>/home-roller/", views.course_home_roller, name="home_roller"),
    path("<int:pk>/outcomes/", outcome_views.course_outcomes, name="outcomes"),
    path("sessions/<int:pk>/reschedule/", views.session_reschedule, name="reschedule"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/no-show/", views.session_no_show, name="no_show"),
    path("sessions/<int:pk>/confirm/", views.session_confirm, name="session_confirm"),
]

urlpatterns += [
    path("sessions/<int:pk>/", day_views.session_page, name="session_day"),
    path("sessions/<int:pk>/step/<slug:step>/", day_views.session_step, name="session_step"),
    path("sessions/<int:pk>/aftercare/", day_views.aftercare, name="aftercare"),
    path("sessions/<int:pk>/photos/", day_views.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/", day_views.photo_file, name="photo"),
]

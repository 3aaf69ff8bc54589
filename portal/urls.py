from django.urls import path

from portal import moves, views

app_name = "portal"

# Every portal URL starts with the signed token, and holds nothing else about the patient.
urlpatterns = [
    path("p/course/<str:token>/", views.course, name="course"),
    path("p/course/<str:token>/session/<int:ordinal>/move/", moves.move, name="move"),
]

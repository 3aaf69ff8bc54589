from django.urls import path

from portal import moves, outcomes, views

app_name = "portal"

# Every portal URL starts with the signed token, and holds nothing else about the patient
# but a session's small number in the course (1, 2, ... as the page lists them).
urlpatterns = [
    path("p/course/<str:token>/", views.course, name="course"),
    path(
        "p/course/<str:token>/session/<int:ordinal>/before-visit/",
        views.previsit,
        name="previsit",
    ),
    path("p/course/<str:token>/consent/", views.consent, name="consent"),
    path("p/course/<str:token>/home-use/", views.home_use, name="home_use"),
    path("p/course/<str:token>/new-link/", views.new_link, name="new_link"),
    path("p/course/<str:token>/session/<int:ordinal>/move/", moves.move, name="move"),
    path(
        "p/course/<str:token>/session/<int:ordinal>/satisfaction/",
        outcomes.satisfaction,
        name="satisfaction",
    ),
]

"""The site-wide pages: the today board and the reports."""

from django.urls import path

from planner import views

urlpatterns = [
    path("", views.home, name="home"),
    path("reports/", views.report, name="report"),
    path("reports/export.csv", views.report_csv, name="report_csv"),
]

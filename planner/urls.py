"""The site-wide pages: the today board, the reports and the audit trail."""

from django.urls import path

from planner import lot_views, trail_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("reports/", views.report, name="report"),
    path("reports/export.csv", views.report_csv, name="report_csv"),
    path("reports/outcomes.csv", views.report_outcomes_csv, name="report_outcomes_csv"),
    path("audit/", trail_views.trail_list, name="audit_trail"),
    path("audit/export.csv", trail_views.trail_csv, name="audit_trail_csv"),
    path("audit/patient/<int:pk>/", trail_views.patient_trail, name="audit_patient_trail"),
    path("lots/", lot_views.lot_list, name="lots"),
    path("lots/<int:pk>/", lot_views.lot_detail, name="lot_detail"),
    path("lots/<int:pk>/recall-list.csv", lot_views.lot_csv, name="lot_csv"),
    path("lots/<int:pk>/recall/", lot_views.lot_recall, name="lot_recall"),
    path("lots/<int:pk>/notify/", lot_views.lot_notify, name="lot_notify"),
    path("stock/", lot_views.stock, name="stock"),
]

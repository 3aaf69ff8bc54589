from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class ClinicConfig(AppConfig):
    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic"
    verbose_name = _("Clinic")

    def ready(self) -> None:
        from clinic import permissions

        permissions.register()


class ClinicAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the planner's site: for managers only (``clinic.admin_site``)."""

    default = False  # "clinic" alone names ClinicConfig
    default_site = "clinic.admin_site.ClinicAdminSite"

    def ready(self) -> None:
        super().ready()  # every app's admin.py registered
        from django.contrib import admin

        from clinic.admin import post_every_search

        post_every_search(admin.site)

from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from courses.models import SessionPhoto
        from courses.photo_files import delete_file_on_commit

        post_delete.connect(
            delete_file_on_commit, sender=SessionPhoto, dispatch_uid="photo_file_on_commit"
        )

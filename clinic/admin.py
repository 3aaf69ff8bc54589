"""Admin for clinic-wide resources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, User
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Field, ForeignKey, IntegerField, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic import permissions, services
from clinic.actors import acting_user
from clinic.models import (
    Absence,
    Clinic,
    Closure,
    Device,
    DeviceType,
    Disinfection,
    OpeningHours,
    Practitioner,
    Product,
    Room,
    WorkerHeartbeat,
    WorkingHours,
)


class CheckedChangeList(ChangeList):
    """A list whose query string cannot be turned into a server error.

    The admin filters by any field named in the query string; a value that
    parses but cannot be queried (``?created_at__year=0``, a year or an id past
    64 bits) fails only when the rows are counted. That is the admin's
    "incorrect lookup" (it reloads the list without the filters), not a 500.
    """

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet:
        """The list searched by the words kept in the session (``CheckedModelAdmin``)."""
        self.query = request.session.get(search_session_key(self.model_admin), "")
        return super().get_queryset(request, exclude_parameters)

    def get_filters(self, request: HttpRequest) -> tuple:
        try:  # the date hierarchy's own year: Django catches ValueError, not OverflowError
            return super().get_filters(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request: HttpRequest) -> None:
        try:
            super().get_results(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


class CheckedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete box, redrawn after a posted value that is no id.

    Django looks the posted value up to show it again, so a null byte or a
    number past 64 bits was a 500 instead of the field's "select a valid
    choice" error; such a value is shown as nothing chosen.
    """

    def optgroups(self, name: str, value: Sequence[str], attrs: dict | None = None) -> list:
        try:
            return super().optgroups(name, value, attrs)
        except (OverflowError, ValueError):
            return super().optgroups(name, [], attrs)


class AdminSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)


def search_session_key(model_admin: admin.ModelAdmin) -> str:
    """Where a list's search words are kept: one search per model, per login."""
    return f"admin-search:{model_admin.opts.label_lower}"


def _without(request: HttpRequest, *names: str) -> str:
    """The request's path and query string without the parameters ``names``."""
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if key not in names:
            query.setlist(key, values)
    return f"{request.path}?{query.urlencode()}" if query else request.path


class CheckedModelAdmin(admin.ModelAdmin):
    """The base of every admin page here: a ``CheckedChangeList``, checked autocompletes,
    and a search that never reaches an address.

    Django's admin searches with ``?q=Clarke``, which puts a patient's name (or
    phone, or e-mail) into the access logs, the browser's history and every
    link of the list. Here the search box posts (templates/admin/search_form.html);
    the words are kept in the session for that model's list, and the list is
    shown again at its own address. A ``q`` in an address is dropped unused.
    """

    def get_changelist(self, request: HttpRequest, **kwargs: object) -> type[ChangeList]:
        return CheckedChangeList

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "POST" and "_search" in request.POST:
            return self.keep_search(request)
        if SEARCH_VAR in request.GET:
            messages.warning(
                request,
                gettext(
                    "Search with the search box: a search in the "
                    "address is not used (it would be logged)."
                ),
            )
            return HttpResponseRedirect(_without(request, SEARCH_VAR))
        return super().changelist_view(request, extra_context)

    def keep_search(self, request: HttpRequest) -> HttpResponse:
        """Keeps the posted search words (none clears them) and shows the list again."""
        form = AdminSearchForm(request.POST)
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request)  # Django's own refusal
        if form.is_valid():
            words = "" if "_clear" in request.POST else form.cleaned_data["q"]
            request.session[search_session_key(self)] = words
        else:
            messages.error(request, " ".join(str(e) for e in form.errors["q"]))
        return HttpResponseRedirect(_without(request, SEARCH_VAR, PAGE_VAR), status=303)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def post_every_search(site: admin.AdminSite) -> None:
    """Give the other apps' admin pages (django-axes' lockouts, django-otp's devices, the
    audit trail) the posted search of :class:`CheckedModelAdmin` too, so no list's search
    words reach an address (issue #16)."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, CheckedModelAdmin):
            continue
        original = type(model_admin)
        site.unregister(model)
        site.register(model, type(original.__name__, (CheckedModelAdmin, original), {}))


class ServiceWrittenAdmin(CheckedModelAdmin):
    """Rows written only through the services, which keep the rules and the history.

    The admin shows them (viewing stays) but cannot add, change or delete
    them: a course changed here would skip the planner's rules (cellulite, 12
    sessions, a one-week gap) and a course added here has no author.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ServiceWrittenInline(admin.TabularInline):
    """An inline of service-written rows, shown read-only on its parent's page."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


admin.site.unregister(User)
admin.site.unregister(Group)


# What only a superuser (made with `manage.py createsuperuser`, not in the admin) may set.
ESCALATING_FIELDS = ("is_superuser", "user_permissions")


@admin.register(User)
class UserAdmin(CheckedModelAdmin, auth_admin.UserAdmin):
    """Staff accounts. A manager gives the three roles (groups) but cannot make a
    superuser, grant raw permissions or change a superuser's account (issue #16)."""

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": _fields_without(options["fields"], ESCALATING_FIELDS)})
            for name, options in fieldsets
        ]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=permissions.ROLES)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return _not_a_superuser_unless_one(request, obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return _not_a_superuser_unless_one(request, obj) and super().has_delete_permission(
            request, obj
        )


def _fields_without(fields: Sequence[Any], removed: Sequence[str]) -> tuple[Any, ...]:
    return tuple(name for name in fields if name not in removed)


def _not_a_superuser_unless_one(request: HttpRequest, obj: User | None) -> bool:
    """Only a superuser changes a superuser's account."""
    return obj is None or not obj.is_superuser or request.user.is_superuser


@admin.register(Group)
class GroupAdmin(CheckedModelAdmin, auth_admin.GroupAdmin):
    """The roles are fixed (clinic/permissions.py): shown, not changed, except by a superuser;
    a group's raw permissions would be a way round the rules."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Group | None = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Group | None = None) -> bool:
        return request.user.is_superuser


@admin.register(Clinic)
class ClinicAdmin(CheckedModelAdmin):
    list_display = ["name", "phone", "email"]
    fieldsets = [
        (_("Contact (shown to patients)"), {"fields": ["name", "phone", "email", "address"]}),
        (_("Patients"), {"fields": ["screening_valid_days", "deferral_days", "adult_age",
                                    "retention_years"]}),
        (
            _("Courses and sessions"),
            {
                "fields": [
                    "min_sessions", "max_sessions", "max_gap_weeks", "cream_from_mm",
                    "cream_minutes", "slot_step_minutes",
                ],
                "description": _("Minimum gaps by needle length are under Courses > Minimum gaps."),
            },
        ),
        (
            _("Patient self-service (the patient's course page)"),
            {
                "fields": [
                    "patient_link_days", "link_requests_per_day", "self_service_cutoff_hours",
                    "self_service_any_practitioner", "previsit_window_hours",
                    "home_roller_min_mm", "home_roller_max_mm", "home_roller_worn_uses",
                    "home_roller_quiet_days",
                ],
            },
        ),
        (
            _("Messages"),
            {
                "fields": [
                    "reminder_lead_hours", "short_reminder_lead_hours", "aftercare_at",
                    "quiet_start", "quiet_end", "message_max_attempts", "retry_base_seconds",
                    "sending_lease_minutes", "requeue_after_seconds", "breaker_failures",
                    "breaker_probe_seconds", "outbox_alarm_minutes", "webhook_disable_hours",
                ],
            },
        ),
        (_("Sign-in security"), {"fields": ["mfa_required_for_all_staff", "session_idle_minutes"]}),
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Clinic.objects.exists() and super().has_add_permission(request)

    def formfield_for_dbfield(self, db_field: Field, request: HttpRequest, **kwargs: Any) -> Any:
        """A number's form field carries the model's own limits, so a value too small is
        told the real minimum at once (not "at least 0" first, then the minimum)."""
        if isinstance(db_field, IntegerField):
            for validator in db_field.validators:
                if isinstance(validator, MinValueValidator):
                    kwargs.setdefault("min_value", validator.limit_value)
                elif isinstance(validator, MaxValueValidator):
                    kwargs.setdefault("max_value", validator.limit_value)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Clinic | None = None) -> bool:
        return False


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(CheckedModelAdmin):
    inlines = [WorkingHoursInline]
    list_display = [
        "__str__", "job_title", "is_bookable", "user__email", "user__is_active", "has_feed",
    ]  # fmt: skip
    list_filter = ["is_bookable", "job_title", "user__is_active"]
    search_fields = ["user__first_name", "user__last_name", "user__username", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    actions = ["revoke_calendar_feeds"]

    @admin.display(description=_("Calendar feed"), boolean=True)
    def has_feed(self, practitioner: Practitioner) -> bool:
        return bool(practitioner.feed_token)

    @admin.action(
        description=_("Turn off their calendar feeds (the secret addresses stop working)")
    )
    def revoke_calendar_feeds(self, request: HttpRequest, queryset: QuerySet[Practitioner]) -> None:
        for practitioner in queryset.exclude(feed_token=None):
            services.turn_off_calendar_feed(practitioner=practitioner, actor=acting_user(request))
        self.message_user(request, gettext("Calendar feeds turned off."))


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(CheckedModelAdmin):
    list_display = ["name", "seen_at"]
    readonly_fields = ["name", "seen_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Room)
class RoomAdmin(CheckedModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    list_editable = ["is_active"]
    search_fields = ["name"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(CheckedModelAdmin):
    list_display = ["weekday", "opens", "closes"]
    list_filter = ["weekday"]


@admin.register(Closure)
class ClosureAdmin(CheckedModelAdmin):
    list_display = ["reason", "starts_on", "ends_on"]
    search_fields = ["reason"]
    date_hierarchy = "starts_on"


@admin.register(WorkingHours)
class WorkingHoursAdmin(CheckedModelAdmin):
    list_display = ["practitioner", "weekday", "starts", "ends"]
    list_filter = ["weekday", "practitioner"]
    list_select_related = ["practitioner__user"]
    search_fields = ["practitioner__user__first_name", "practitioner__user__last_name"]


@admin.register(Absence)
class AbsenceAdmin(CheckedModelAdmin):
    list_display = ["practitioner", "starts_at", "ends_at", "reason"]
    list_filter = ["practitioner"]
    list_select_related = ["practitioner__user"]
    search_fields = ["practitioner__user__first_name", "practitioner__user__last_name", "reason"]
    date_hierarchy = "starts_at"


@admin.register(DeviceType)
class DeviceTypeAdmin(CheckedModelAdmin):
    list_display = [
        "name",
        "kind",
        "needle_mm",
        "pen_min_mm",
        "pen_max_mm",
        "needle_count",
        "material",
    ]
    list_filter = ["kind", "material", "sharpening"]
    search_fields = ["name"]


@admin.register(Device)
class DeviceAdmin(CheckedModelAdmin):
    list_display = ["label", "device_type", "use_count", "use_limit", "last_used_at",
                    "last_disinfected_at", "retired"]  # fmt: skip
    list_filter = ["retired", "device_type"]
    search_fields = ["label"]
    list_select_related = ["device_type"]
    readonly_fields = ["use_count", "last_used_at", "last_disinfected_at"]


@admin.register(Disinfection)
class DisinfectionAdmin(ServiceWrittenAdmin):
    """Recorded on the session and devices screens, each naming who disinfected."""

    list_display = ["device", "moment", "done_at", "done_by"]
    list_filter = ["moment", "device"]
    date_hierarchy = "done_at"
    list_select_related = ["device__device_type", "done_by"]


@admin.register(Product)
class ProductAdmin(CheckedModelAdmin):
    list_display = ["name", "texture", "low_molecular_weight", "is_active"]
    list_filter = ["texture", "low_molecular_weight", "is_active"]
    search_fields = ["name"]


from clinic import admin_stock  # noqa: E402, F401  (lots and stock; it imports the base above)

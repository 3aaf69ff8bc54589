"""Who must sign in with two steps (ASVS 4.3.1: MFA for administration).

The one place that says who counts as a manager: the roles module can replace
:func:`is_manager` and every check here follows.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

MANAGER_GROUP = "manager"


def is_manager(user: AbstractBaseUser | AnonymousUser) -> bool:
    """A member of the "manager" group, or a superuser (who can do everything a manager can)."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    groups = getattr(user, "groups", None)
    return groups is not None and groups.filter(name=MANAGER_GROUP).exists()


def must_use_mfa(user: AbstractBaseUser | AnonymousUser, *, all_staff: bool) -> bool:
    """Managers always; every staff account when the clinic's setting requires it for all."""
    if not user.is_authenticated:
        return False
    return is_manager(user) or (all_staff and getattr(user, "is_staff", False))


def is_verified(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether this request's session passed the code step (django-otp's OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and check is not None and check())

"""Who must sign in with two steps (ASVS 4.3.1: MFA for administration).

Who counts as a manager is the roles module's rule (``clinic.permissions``);
every check here follows it.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from clinic import permissions


def is_manager(user: AbstractBaseUser | AnonymousUser) -> bool:
    """A manager by role (``clinic.permissions.is_manager``), or a superuser (who can do
    everything a manager can, so must verify as one)."""
    if not user.is_authenticated:
        return False
    return bool(getattr(user, "is_superuser", False) or permissions.is_manager(user))


def must_use_mfa(user: AbstractBaseUser | AnonymousUser, *, all_staff: bool) -> bool:
    """Managers always; every staff account when the clinic's setting requires it for all."""
    if not user.is_authenticated:
        return False
    return is_manager(user) or (all_staff and getattr(user, "is_staff", False))


def is_verified(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether this request's session passed the code step (django-otp's OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and check is not None and check())

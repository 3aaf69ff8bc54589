"""Every write service names who acted: a keyword-only ``actor`` (issue #14).

Read from the source with ``ast``, so a new service is checked the day it is
written: every public function that runs in a transaction of its own
(``transaction.atomic`` as a decorator, in any spelling, or a ``with`` around
its whole body) takes ``actor: Actor`` as a keyword-only argument; and every
public function of a service module is such a write, a write that must not be
one transaction (listed), a part of a caller's write (listed) or a read (listed),
each list with its reason.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("clinic", "patients", "courses", "reminders", "planner", "api", "privacy")
SERVICE_MODULES = {
    "services.py",
    "courses/session_day.py",
    "courses/rescheduling.py",
    "courses/booking.py",
    "courses/photos.py",
    "courses/previsit.py",
    "courses/patient_moves.py",
    "reminders/webhooks.py",
    "reminders/recall.py",
}

# Public functions of service modules that write rows but must not be one
# transaction; they still take the actor.
UNWRAPPED_WRITES = {
    "deliver": "sends mail or SMS, never inside a transaction; each outcome is its own write",
    "after_delivery": "a delivery's outcome told to its endpoint or the webhooks, each a write",
}

# Public functions that write only inside the transaction of the service that
# calls them; that service takes the actor.
PARTS_OF_A_WRITE = {
    "sync_session": "the outbox rows of a session change, in the change's transaction",
    "queue_course_booked": "the outbox rows of a booking, in confirm_course's transaction",
    "queue_after_session": "the aftercare rows, in session_day.finish's transaction",
    "queue_cancellation_notice": "the practitioner's notice, in cancel_by_patient's transaction",
    "queue_change_notice": "the patient's notice of a staff change, in that change's transaction",
    "queue_move_notice": "the practitioner's notice, in move_by_patient's transaction",
    "lock_booking_rows": "row locks taken first by the booking services that call it",
    "queue_event": "the webhook deliveries of a change, in that change's transaction",
    "take_spare_needle": "stock used by a session-day step, in that step's transaction",
    "note_use": "an API token's last use, part of authenticating the request it came with",
}

# Public functions of service modules that write nothing.
READS = {
    "clinic_tz": "the clinic's time zone",
    "treatment_rules": "the clinic's rule numbers as the pure rules module takes them",
    "course_violations": "the rules a planned course breaks",
    "plan_request": "the planner's input for a course",
    "calendar_for": "the calendar a plan is searched in",
    "course_deferral": "the deferrals standing on a course's area",
    "propose_course": "a course's proposed sessions",
    "suggest_fixes": "ways out of a course that does not fit",
    "session_from": "an unsaved Session built from a proposal",
    "slot_at": "the slot at exactly a picked time, refused when anything clashes",
    "check_bookable_time": "refuses a time outside the clinic's slots",
    "check_session_day": "refuses a step off the session's day",
    "done_steps": "the procedure steps already recorded",
    "needs_cream": "whether the needle length needs numbing cream",
    "check_cleared": "refuses a session the latest screening does not clear",
    "aftercare_facts": "what a session's aftercare sheet says",
    "clean_image": "the re-encoded photo, not yet stored",
    "policy": "the clinic's reminder policy",
    "check_movable": "refuses a session the patient may not move themselves",
    "practitioners_for": "who may take a session the patient moves",
    "search_for": "what a patient's move is searched in",
    "patient_offers": "the times a patient may move a session to",
    "preview_move": "what a patient's chosen time would move, checked, not written",
    "patient_channels": "where a patient's messages may go",
    "channel_states": "each chosen channel's state, for the patient page",
    "backlog_waiting": "whether due messages wait to be claimed",
    "count_queued": "how many rows are queued to the broker and not started",
    "paused_channels": "the channels the circuit breaker paused, and since when",
    "count_failed_between": "how many failed messages a period's retry would queue again",
    "digest_of": "the SHA-256 kept for an API token",
    "split_token": "an API token's visible prefix",
    "find_token": "the active API token a request names",
    "erasure_refusal": "why a patient cannot be erased now",
    "retention_cutoff": "the moment a retention period of years before now",
    "due_for_erasure": "the patients past the clinic's retention period",
}


@dataclass(frozen=True)
class Function:
    module: str  # path relative to the project, e.g. "courses/session_day.py"
    name: str
    line: int
    atomic: bool
    takes_actor: bool
    top_level: bool

    def __str__(self) -> str:
        return f"{self.module}:{self.line} {self.name}"


def _is_atomic(expression: ast.expr) -> bool:
    """``atomic``, ``transaction.atomic``, ``django.db.transaction.atomic``, called or not."""
    if isinstance(expression, ast.Call):
        expression = expression.func
    if isinstance(expression, ast.Name):
        return expression.id == "atomic"
    return isinstance(expression, ast.Attribute) and expression.attr == "atomic"


def _body_is_one_transaction(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return (
        len(body) == 1
        and isinstance(body[0], ast.With)
        and any(_is_atomic(item.context_expr) for item in body[0].items)
    )


def _takes_actor(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A keyword-only ``actor`` annotated ``Actor``, without a default."""
    args = node.args
    for argument, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if argument.arg == "actor":
            annotation = ast.unparse(argument.annotation) if argument.annotation else ""
            return annotation.strip("'\"") == "Actor" and default is None
    return False


def functions_in(source: str, module: str) -> list[Function]:
    """Every public function and method of a module's source."""
    tree = ast.parse(source)
    top_level = {id(node) for node in tree.body}
    return [
        Function(
            module=module,
            name=node.name,
            line=node.lineno,
            atomic=any(_is_atomic(d) for d in node.decorator_list)
            or _body_is_one_transaction(node),
            takes_actor=_takes_actor(node),
            top_level=id(node) in top_level,
        )
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and not node.name.startswith("_")
    ]


def _app_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        if (ROOT / app).is_dir()
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    )


def all_functions() -> list[Function]:
    return [
        function
        for path in _app_modules()
        for function in functions_in(path.read_text(), path.relative_to(ROOT).as_posix())
    ]


def is_service_module(module: str) -> bool:
    return module in SERVICE_MODULES or module.endswith("/services.py")


def missing_actor(functions: list[Function]) -> list[Function]:
    """Transactions of their own, and listed unwrapped writes, without an actor."""
    return [
        f
        for f in functions
        if (f.atomic or (f.name in UNWRAPPED_WRITES and is_service_module(f.module)))
        and not f.takes_actor
    ]


def unclassified(functions: list[Function]) -> list[Function]:
    """Public functions of service modules that are neither a write nor listed."""
    listed = UNWRAPPED_WRITES.keys() | PARTS_OF_A_WRITE.keys() | READS.keys()
    return [
        f
        for f in functions
        if is_service_module(f.module) and f.top_level and not f.atomic and f.name not in listed
    ]


def test_every_transaction_takes_a_keyword_only_actor():
    offenders = missing_actor(all_functions())
    assert not offenders, "Give these a keyword-only `actor: Actor` (clinic.actors):\n" + "\n".join(
        map(str, offenders)
    )


def test_every_public_function_of_a_service_module_is_a_write_or_a_listed_read():
    offenders = unclassified(all_functions())
    assert not offenders, (
        "Make these @transaction.atomic writes taking `actor`, or list them with a reason "
        "in tests/test_write_services.py:\n" + "\n".join(map(str, offenders))
    )


def test_the_lists_name_only_functions_of_service_modules():
    names = {f.name for f in all_functions() if is_service_module(f.module) and f.top_level}
    stale = (UNWRAPPED_WRITES.keys() | PARTS_OF_A_WRITE.keys() | READS.keys()) - names
    assert not stale, f"Listed but not found in a service module (remove them): {sorted(stale)}"


def test_the_lists_do_not_overlap():
    lists = [UNWRAPPED_WRITES.keys(), PARTS_OF_A_WRITE.keys(), READS.keys()]
    assert sum(map(len, lists)) == len(set().union(*lists))


def test_the_walk_finds_the_known_services():
    found = {(f.module, f.name) for f in all_functions()}
    assert ("courses/session_day.py", "check_in") in found
    assert ("reminders/services.py", "retry_failed") in found
    assert ("patients/services.py", "save_patient") in found


# Writes that check no permission themselves: only the checked services call them.
CHECKED_BY_THEIR_CALLERS = {
    "book_sessions": "inside confirm_course and book_replacement, which check the permission",
    "move_sessions": "inside reschedule_session, which checks the permission",
}


def _calls_require(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the body calls ``require(actor, ...)`` (clinic.permissions), in any spelling."""
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name == "require":
                return True
    return False


def unchecked_writes() -> list[str]:
    """Write services (a transaction of their own with an actor, or a listed unwrapped
    write) of the service modules that do not call ``clinic.permissions.require``."""
    found = []
    for path in _app_modules():
        module = path.relative_to(ROOT).as_posix()
        if not is_service_module(module):
            continue
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            atomic = any(_is_atomic(d) for d in node.decorator_list) or _body_is_one_transaction(
                node
            )
            write = (atomic and _takes_actor(node)) or node.name in UNWRAPPED_WRITES
            if write and node.name not in CHECKED_BY_THEIR_CALLERS and not _calls_require(node):
                found.append(f"{module}:{node.lineno} {node.name}")
    return found


def test_every_write_service_checks_a_permission():
    """Issue #16: the admin's actions, the patients' links and the tasks pass the same rules."""
    offenders = unchecked_writes()
    assert not offenders, "Call clinic.permissions.require(actor, ...) in these:\n" + "\n".join(
        offenders
    )


CASES = """
from django.db import transaction
from django.db.transaction import atomic
import django.db

@transaction.atomic
def no_actor(*, session): ...

@atomic
def bare_atomic(*, session): ...

@transaction.atomic(durable=True)
def called_atomic(*, session): ...

@django.db.transaction.atomic
def dotted_atomic(*, session): ...

@transaction.atomic
def positional_actor(session, actor: Actor): ...

@transaction.atomic
def defaulted_actor(*, session, actor: Actor | None = None): ...

@transaction.atomic
def other_annotation(*, session, actor: object): ...

def whole_body(*, session):
    "A docstring."
    with transaction.atomic():
        pass

@transaction.atomic
def with_actor(*, session, actor: Actor): ...

def partly(*, session):
    prepare()
    with transaction.atomic():
        pass

def _private(): ...

class Admin:
    @transaction.atomic
    def action(self, request): ...
"""


def test_the_check_catches_every_spelling_of_a_transaction_without_an_actor():
    offenders = {f.name for f in missing_actor(functions_in(CASES, "x/services.py"))}
    assert offenders == {
        "no_actor", "bare_atomic", "called_atomic", "dotted_atomic", "positional_actor",
        "defaulted_actor", "other_annotation", "whole_body", "action",
    }  # fmt: skip


def test_the_check_catches_an_unlisted_function_of_a_service_module():
    functions = functions_in(CASES, "x/services.py")
    assert {f.name for f in unclassified(functions)} == {"partly"}
    assert unclassified(functions_in(CASES, "x/views.py")) == []


@pytest.mark.parametrize("name", sorted(UNWRAPPED_WRITES))
def test_an_unwrapped_write_without_an_actor_is_caught(name):
    source = f"def {name}(message_id, *, now=None): ..."
    assert [f.name for f in missing_actor(functions_in(source, "x/services.py"))] == [name]

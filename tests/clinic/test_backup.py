"""``manage.py backup`` and ``restore``: a restored clinic is the clinic that was backed up.

The source is the suite's database (PostgreSQL when DATABASE_URL points at it,
SQLite otherwise), filled with a booked course, its outbox rows and photos. The
backup is made in this process; the restore runs as ``manage.py restore`` in a
fresh process pointed at an empty database (a scratch PostgreSQL database this
test creates and drops, or a new SQLite file in tmp_path) and an empty
MEDIA_ROOT, and is read back here through a second connection.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.utils import load_backend
from django.utils import timezone
from PIL import Image

from courses.models import Course, Session, SessionPhoto
from courses.photos import add_photo
from reminders.models import OutboxMessage
from tests.factories import cleared_patient

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
RESTORED = "restored"

pytestmark = pytest.mark.django_db(transaction=True)


def photo(colour: str) -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="JPEG")
    return SimpleUploadedFile("IMG.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def clinic_with_photos(book, practitioner, media_root: Path) -> Course:
    """A booked six-session course (with its reminders in the outbox) and three photos."""
    reachable = cleared_patient(
        practitioner.user, reminder_channel="both", email_consent_at=timezone.now(),
        sms_consent_at=timezone.now(), phone="+447400123456", email="ada@example.com",
    )  # fmt: skip
    course = book(patient=reachable, needle_mm=Decimal("1.0"))
    first, second = course.sessions.order_by("number")[:2]
    for session, kind, colour in [(first, "before", "pink"), (first, "after", "red"),
                                  (second, "before", "white")]:  # fmt: skip
        add_photo(session=session, kind=kind, upload=photo(colour), actor=practitioner.user,
                  now=session.arrives_at)  # fmt: skip
    assert Session.objects.count() == 6
    assert OutboxMessage.objects.exists()
    assert SessionPhoto.objects.count() == 3
    return course


def every_row(alias: str) -> dict[str, list[dict]]:
    """Every row of every table of every installed model, in primary-key order."""
    return {
        model._meta.label: list(model._base_manager.using(alias).order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def every_file(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def manage(*args: str, env: dict[str, str], **run: object) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=False, timeout=300, **run,
    )  # fmt: skip


@contextmanager
def second_connection(name: str, engine: str | None = None) -> Iterator[str]:
    """The suite database's settings (or another engine's) with another name, as RESTORED."""
    if engine is None:
        settings_dict = {**connection.settings_dict, "NAME": name}
    else:
        settings_dict = connections.configure_settings({"default": {"ENGINE": engine}})["default"]
        settings_dict["NAME"] = name
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, RESTORED)
    connections[RESTORED] = wrapper
    try:
        yield RESTORED
    finally:
        wrapper.close()
        del connections[RESTORED]


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A new database with no tables: (its DATABASE_URL, its name for a second connection)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", str(path)
        return
    name = f"{connection.settings_dict['NAME']}_restored"
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield url, name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore_and_compare(tmp_path: Path, media_root: Path, database: tuple[str, str]) -> None:
    """Back up here, restore in a fresh process, find every row and file identical."""
    call_command("backup", str(tmp_path / "backup"))
    url, name = database
    env = {"DATABASE_URL": url, "VAR_DIR": str(tmp_path / "restored-var")}
    result = manage("restore", str(tmp_path / "backup"), env=env)
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout
    assert "`manage.py migrate` has nothing to do" in result.stdout
    assert manage("migrate", "--check", env=env).returncode == 0
    with second_connection(name) as restored:
        assert every_row(restored) == every_row("default")
    files = every_file(media_root)
    assert len(files) == 3
    assert every_file(tmp_path / "restored-var" / "media") == files


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (set DATABASE_URL)")
def test_postgres_restore_finds_every_row_and_file_identical(
    clinic_with_photos, media_root, empty_database, tmp_path
):
    restore_and_compare(tmp_path, media_root, empty_database)


# Run by `manage.py shell` in the SQLite clinic: two photos of a session the demo completed.
ADD_PHOTOS = """
import io
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from clinic.actors import SystemActor, system_actor
from courses.models import Session
from courses.photos import add_photo
session = Session.objects.filter(status="completed").order_by("pk").first()
for kind, colour in (("before", "pink"), ("after", "red")):
    out = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(out, format="JPEG")
    upload = SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")
    add_photo(session=session, kind=kind, upload=upload, actor=system_actor(SystemActor.DEMO))
"""


def test_sqlite_restore_finds_every_row_and_file_identical(tmp_path):
    """Whatever the suite's database: a SQLite clinic (the demo, its outbox, two photos) made,
    backed up and restored by manage.py processes, as cron and an operator would run them."""
    source, restored = tmp_path / "clinic.sqlite3", tmp_path / "restored.sqlite3"
    clinic = {"DATABASE_URL": f"sqlite:///{source}", "VAR_DIR": str(tmp_path / "var"),
              "DEBUG": "1"}  # fmt: skip
    for step in (["migrate", "--noinput"], ["seed_demo"], ["shell", "-c", ADD_PHOTOS]):
        result = manage(*step, env=clinic)
        assert result.returncode == 0, result.stderr
    result = manage("backup", str(tmp_path / "backup"), env=clinic)
    assert result.returncode == 0, result.stderr
    target = {"DATABASE_URL": f"sqlite:///{restored}", "VAR_DIR": str(tmp_path / "restored-var")}
    result = manage("restore", str(tmp_path / "backup"), env=target)
    assert result.returncode == 0, result.stderr
    assert manage("migrate", "--check", env=target).returncode == 0
    engine = "django.db.backends.sqlite3"
    with second_connection(str(source), engine) as alias:
        before = every_row(alias)
    with second_connection(str(restored), engine) as alias:
        assert every_row(alias) == before
    assert before["courses.Session"]
    assert before["reminders.OutboxMessage"]
    assert len(before["courses.SessionPhoto"]) == 2
    files = every_file(tmp_path / "var" / "media")
    assert len(files) == 2
    assert every_file(tmp_path / "restored-var" / "media") == files


def test_restore_refuses_a_database_that_is_not_empty(clinic_with_photos, media_root, tmp_path):
    call_command("backup", str(tmp_path / "backup"))
    rows_before = every_row("default")
    shutil.rmtree(media_root)
    with pytest.raises(CommandError, match="The database is not empty"):
        call_command("restore", str(tmp_path / "backup"))
    assert every_row("default") == rows_before
    assert not media_root.exists()  # not even a folder of half-restored files


def test_restore_refuses_a_media_folder_that_holds_files(media_root, empty_database, tmp_path):
    call_command("backup", str(tmp_path / "backup"))
    kept = tmp_path / "var" / "media" / "photos" / "kept.jpg"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"someone else's photo")
    url, name = empty_database
    env = {"DATABASE_URL": url, "VAR_DIR": str(tmp_path / "var")}
    result = manage("restore", str(tmp_path / "backup"), env=env)
    assert result.returncode == 1
    assert "holds 1 files, e.g. photos/kept.jpg" in result.stderr
    assert every_file(tmp_path / "var" / "media") == {"photos/kept.jpg": b"someone else's photo"}
    with second_connection(name) as restored, connections[restored].cursor() as cursor:
        assert connections[restored].introspection.table_names(cursor) == []


def tamper_photo(backup: Path) -> str:
    [photo_file] = (backup / "media").rglob("*.jpg")
    photo_file.write_bytes(photo_file.read_bytes()[:-1] + b"\0")
    return photo_file.relative_to(backup).as_posix()


def remove_photo(backup: Path) -> str:
    [photo_file] = (backup / "media").rglob("*.jpg")
    photo_file.unlink()
    return photo_file.relative_to(backup).as_posix()


def add_file(backup: Path) -> str:
    (backup / "media" / "extra.jpg").write_bytes(b"slipped in")
    return "media/extra.jpg"


def break_manifest(backup: Path) -> str:
    (backup / "manifest.json").write_text('{"format": 1, "files": [')
    return "manifest.json"


def claim_other_vendor(backup: Path) -> str:
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["vendor"] = "oracle" if ON_POSTGRES else "postgresql"
    (backup / "manifest.json").write_text(json.dumps(manifest))
    return manifest["vendor"]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (tamper_photo, "does not match its checksum"),
        (remove_photo, "is missing"),
        (add_file, "files its manifest does not list"),
        (break_manifest, "cannot be read"),
        (claim_other_vendor, "Restore it into the same kind of database"),
    ],
)
def test_restore_refuses_a_damaged_backup_naming_the_file(damage, message, media_root, tmp_path):
    (media_root / "photos").mkdir(parents=True)
    (media_root / "photos" / "before.jpg").write_bytes(b"a photo's bytes")
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    named = damage(backup)
    for photo_file in media_root.rglob("*.jpg"):
        photo_file.unlink()
    with pytest.raises(CommandError, match=message) as refused:
        call_command("restore", str(backup))
    assert named in str(refused.value)
    assert every_file(media_root) == {}


def test_backup_refuses_a_folder_that_already_holds_a_backup(media_root, tmp_path):
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    manifest = (backup / "manifest.json").read_bytes()
    with pytest.raises(CommandError, match="already holds a backup"):
        call_command("backup", str(backup))
    assert (backup / "manifest.json").read_bytes() == manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup"]  # no partial folder left


def test_backup_refuses_a_folder_with_other_files_and_writes_into_an_empty_one(tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", str(tmp_path / "used"))
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["notes.txt"]
    (tmp_path / "empty").mkdir()
    call_command("backup", str(tmp_path / "empty"))
    assert (tmp_path / "empty" / "manifest.json").is_file()


def test_backup_says_where_it_cannot_write(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(CommandError, match="a-file is a file, not a folder"):
        call_command("backup", str(tmp_path / "a-file" / "backup"))


def test_backup_refuses_a_folder_inside_media_root(media_root):
    media_root.mkdir()
    with pytest.raises(CommandError, match="is inside MEDIA_ROOT"):
        call_command("backup", str(media_root / "backups" / "tonight"))
    assert list(media_root.iterdir()) == []


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (set DATABASE_URL)")
def test_backup_without_pg_dump_says_so_and_leaves_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    with pytest.raises(CommandError, match="pg_dump is not installed"):
        call_command("backup", str(tmp_path / "backup"))
    assert list(tmp_path.iterdir()) == []


def limit_file_size() -> None:
    """In the child: files stop growing at 64 KiB (EFBIG), as on a full disk."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))


def test_a_backup_that_runs_out_of_space_leaves_nothing_that_looks_complete(tmp_path):
    media = tmp_path / "var" / "media" / "photos"
    media.mkdir(parents=True)
    (media / "large.jpg").write_bytes(os.urandom(256 * 1024))
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "VAR_DIR": str(tmp_path / "var")}
    result = manage(
        "backup", str(tmp_path / "backups" / "tonight"), env=env, preexec_fn=limit_file_size
    )
    assert result.returncode == 1
    assert "The backup to" in result.stderr
    assert "File too large" in result.stderr
    assert "Traceback" not in result.stderr
    assert list((tmp_path / "backups").iterdir()) == []


def test_sqlite_copy_is_one_consistent_snapshot_while_another_connection_writes(tmp_path):
    """Rows are written in pairs, in transactions; the copy never holds half a pair."""
    from clinic.backup_database import dump_database

    path = tmp_path / "busy.sqlite3"
    writer = sqlite3.connect(path, timeout=20, isolation_level=None, check_same_thread=False)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE pair (id INTEGER PRIMARY KEY, payload BLOB)")
    stop = threading.Event()

    def write_pairs() -> None:
        while not stop.is_set():
            writer.execute("BEGIN IMMEDIATE")
            writer.executemany("INSERT INTO pair (payload) VALUES (?)", [(os.urandom(2048),)] * 2)
            writer.execute("COMMIT")

    thread = threading.Thread(target=write_pairs)
    thread.start()
    try:
        copies = []
        for attempt in range(5):
            copy = tmp_path / f"copy-{attempt}.sqlite3"
            with second_connection(str(path), "django.db.backends.sqlite3") as alias:
                dump_database(connections[alias], copy)
            copies.append(copy)
    finally:
        stop.set()
        thread.join()
        writer.close()
    counts = []
    for copy in copies:
        check = sqlite3.connect(copy)
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert check.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        counts.append(check.execute("SELECT COUNT(*) FROM pair").fetchone()[0])
        check.close()
    assert all(count % 2 == 0 for count in counts), counts
    assert counts[-1] > counts[0]  # the writer went on while the copies were taken


def test_the_database_password_reaches_pg_dump_only_through_its_environment():
    from clinic.backup_database import client_connection

    arguments, environment = client_connection({
        "NAME": "planner", "USER": "clinic", "PASSWORD": "s3cret-pw", "HOST": "db.internal",
        "PORT": 5433, "OPTIONS": {"sslmode": "verify-full"},
    })  # fmt: skip
    assert arguments == [
        "--dbname=planner", "--host=db.internal", "--port=5433", "--username=clinic"
    ]  # fmt: skip
    assert not any("s3cret" in argument for argument in arguments)
    assert environment["PGPASSWORD"] == "s3cret-pw"
    assert environment["PGSSLMODE"] == "verify-full"


def test_backup_leaves_out_staged_uploads_and_a_restores_leftovers(media_root, tmp_path):
    placed = {
        "session-photos/3f2a.jpg": b"a photo in its place",
        "session-photos/.9c1e.jpg.part": b"an upload not committed (yet)",
        ".restore-partial-k2j4/session-photos/77ab.jpg": b"an interrupted restore's copy",
    }
    for relative, content in placed.items():
        (media_root / relative).parent.mkdir(parents=True, exist_ok=True)
        (media_root / relative).write_bytes(content)
    call_command("backup", str(tmp_path / "backup"))
    assert every_file(tmp_path / "backup" / "media") == {
        "session-photos/3f2a.jpg": b"a photo in its place"
    }
    listed = [f["path"] for f in json.loads((tmp_path / "backup" / "manifest.json").read_text())
              ["files"] if f["path"].startswith("media/")]  # fmt: skip
    assert listed == ["media/session-photos/3f2a.jpg"]


def assert_nothing_restored(result: subprocess.CompletedProcess, name: str, media: Path) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert every_file(media) == {}
    assert not any(p.name.startswith(".restore-partial-") for p in media.iterdir())
    with second_connection(name) as restored, connections[restored].cursor() as cursor:
        assert connections[restored].introspection.table_names(cursor) == []


def test_a_restore_that_cannot_place_its_photos_loads_nothing(
    clinic_with_photos, empty_database, tmp_path
):
    """The photos go into place before the database is loaded, not after."""
    call_command("backup", str(tmp_path / "backup"))
    in_the_way = tmp_path / "var" / "media" / "session-photos" / "an-empty-folder"
    in_the_way.mkdir(parents=True)  # no files, so the restore accepts the folder
    url, name = empty_database
    env = {"DATABASE_URL": url, "VAR_DIR": str(tmp_path / "var")}
    result = manage("restore", str(tmp_path / "backup"), env=env)
    assert "The restore failed before it changed anything" in result.stderr
    assert f"({tmp_path / 'var' / 'media' / 'session-photos'})" in result.stderr
    assert_nothing_restored(result, name, tmp_path / "var" / "media")
    assert in_the_way.is_dir()


def test_a_restore_whose_database_load_fails_takes_its_photos_back(
    clinic_with_photos, empty_database, tmp_path
):
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text())
    dump = backup / manifest["database_file"]
    dump.write_bytes(b"a damaged dump with a matching checksum")
    for entry in manifest["files"]:
        if entry["path"] == manifest["database_file"]:
            entry["size"] = dump.stat().st_size
            entry["sha256"] = hashlib.sha256(dump.read_bytes()).hexdigest()
    (backup / "manifest.json").write_text(json.dumps(manifest))
    url, name = empty_database
    env = {"DATABASE_URL": url, "VAR_DIR": str(tmp_path / "var")}
    result = manage("restore", str(backup), env=env)
    assert "the database was left empty and MEDIA_ROOT as it was" in result.stderr
    assert_nothing_restored(result, name, tmp_path / "var" / "media")


@pytest.fixture
def owned_database_with_extensions() -> Iterator[tuple[str, str]]:
    """A new database owned by a role that is not a superuser, in which a superuser has
    already created btree_gist and pg_trgm (as for a planner whose user may not create them)."""
    name = f"{connection.settings_dict['NAME']}_owned"
    owner = f"{connection.settings_dict['NAME']}_owner"
    source = urlsplit(os.environ["DATABASE_URL"])
    netloc = f"{owner}@{source.hostname}" + (f":{source.port}" if source.port else "")
    url = source._replace(netloc=netloc, path=f"/{name}").geturl()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'DROP ROLE IF EXISTS "{owner}"')
        cursor.execute(f'CREATE ROLE "{owner}" LOGIN NOSUPERUSER')
        cursor.execute(f'CREATE DATABASE "{name}" OWNER "{owner}" TEMPLATE template0')
    with second_connection(name) as alias, connections[alias].cursor() as cursor:
        cursor.execute("CREATE EXTENSION btree_gist")
        cursor.execute("CREATE EXTENSION pg_trgm")
    try:
        yield url, name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'DROP ROLE IF EXISTS "{owner}"')


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (set DATABASE_URL)")
def test_postgres_restore_as_the_owner_onto_extensions_a_superuser_created(
    clinic_with_photos, media_root, owned_database_with_extensions, tmp_path
):
    """COMMENT ON EXTENSION needs the extension's owner; the restore leaves those comments out."""
    restore_and_compare(tmp_path, media_root, owned_database_with_extensions)

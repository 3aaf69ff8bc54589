"""One patient's data as a ZIP: a JSON document of every record about them, their photos
and their aftercare sheets (issue #19). The structure is documented in
``privacy/export.schema.json`` (JSON Schema) and the README ("Export and erasure").

The records are every row ``privacy.scope`` finds about the patient, model by model,
so a model merged later is exported the day it is; their change events (the audit
trail's history of each row, deleted rows' included) and the access records naming
the patient come with them.

Streaming: the document is read from the database first (one consistent snapshot,
before the answer starts), then the ZIP is written by the standard library's
``zipfile`` into a sink that is not seekable (``zipfile`` then writes each entry's
sizes and CRC after its data, in a data descriptor), and each chunk the sink holds is
handed on as soon as it is written: a photo is read 64 KiB at a time, so memory stays
flat however many photos there are. ``patient.json`` comes last, carrying each file's
size and SHA-256 as streamed.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, Any, cast
from uuid import UUID

import phonenumbers
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from courses.models import AftercareSheet, SessionPhoto
from privacy.scope import Scope, patient_scope

FORMAT = "clinic-planner/patient-export"
VERSION = 1
DOCUMENT = "patient.json"
CHUNK = 64 * 1024


def encode(value: Any) -> Any:
    """A column's value as JSON: ISO dates and times, decimals as text, phone numbers in
    E.164, files by their stored name; everything else as it is."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, phonenumbers.PhoneNumber):
        return phonenumbers.format_number(value, phonenumbers.PhoneNumberFormat.E164)
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def decode(field: models.Field, value: Any) -> Any:
    """The column's value back from the document (the round trip of ``encode``)."""
    if value is None or isinstance(field, models.JSONField | models.FileField):
        return value
    if isinstance(field, models.ForeignKey):
        return field.target_field.to_python(value)
    return field.to_python(value)


def row_document(model: type[models.Model], row: models.Model) -> dict[str, Any]:
    """One row: each concrete column by its attribute name (``patient_id`` for a key)."""
    return {f.attname: encode(f.value_from_object(row)) for f in model._meta.concrete_fields}


def _rows(queryset: models.QuerySet) -> list[dict[str, Any]]:
    model = queryset.model
    return [row_document(model, row) for row in queryset.order_by("pk")]


@dataclass
class Export:
    """The document's records, read once, and the files to put beside it."""

    patient_id: int
    records: dict[str, list[dict[str, Any]]]
    changes: dict[str, list[dict[str, Any]]]
    photos: list[SessionPhoto] = field(default_factory=list)
    sheets: list[AftercareSheet] = field(default_factory=list)


def read_export(patient_id: int) -> Export:
    """Everything about the patient, from the database (before any byte is streamed)."""
    scope: Scope = patient_scope(patient_id)
    records, changes = {}, {}
    for model in sorted(scope.found_models(), key=lambda m: m._meta.label):
        records[model._meta.label] = _rows(scope.live(model))
        events = scope.event_rows(model)
        if events is not None:
            changes[model._meta.label] = _rows(events)
    return Export(
        patient_id=patient_id, records=records, changes=changes,
        photos=list(scope.live(SessionPhoto).order_by("pk")),
        sheets=list(scope.live(AftercareSheet).order_by("session_id")),
    )  # fmt: skip


class _Sink:
    """A write-only, unseekable file: what is written waits here until drained."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def drain(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def _entry(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = compress
    return info


def _photo_chunks(photo: SessionPhoto) -> Iterator[bytes] | None:
    try:
        handle = photo.image.storage.open(photo.image.name or "", "rb")
    except (FileNotFoundError, OSError):
        return None

    def chunks() -> Iterator[bytes]:
        with handle:
            while block := handle.read(CHUNK):
                yield block

    return chunks()


def document(export: Export, files: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": FORMAT, "version": VERSION, "exported_at": timezone.now().isoformat(),
        "patient_id": export.patient_id, "records": export.records, "changes": export.changes,
        "files": files,
    }  # fmt: skip


def stream_zip(export: Export) -> Iterator[bytes]:
    """The ZIP, chunk by chunk: photos, aftercare sheets, then ``patient.json``."""
    sink = _Sink()
    files: list[dict[str, Any]] = []
    with zipfile.ZipFile(cast(IO[bytes], sink), "w") as archive:
        for photo in export.photos:
            chunks = _photo_chunks(photo)
            path = f"photos/{photo.pk}.jpg"
            entry = {"path": path, "model": SessionPhoto._meta.label, "id": photo.pk}
            if chunks is None:
                files.append({**entry, "missing": True})
                continue
            digest, size = hashlib.sha256(), 0
            with archive.open(_entry(path, zipfile.ZIP_STORED), "w") as out:
                for block in chunks:
                    out.write(block)
                    digest.update(block)
                    size += len(block)
                    yield sink.drain()
            files.append({**entry, "size": size, "sha256": digest.hexdigest()})
        for sheet in export.sheets:
            data = sheet.text.encode()
            path = f"aftercare/{sheet.session_id}.txt"
            archive.writestr(_entry(path, zipfile.ZIP_DEFLATED), data)
            sha256 = hashlib.sha256(data).hexdigest()
            files.append({"path": path, "model": AftercareSheet._meta.label, "id": sheet.pk,
                          "size": len(data), "sha256": sha256})  # fmt: skip
            yield sink.drain()
        text = json.dumps(document(export, files), ensure_ascii=False, indent=1)
        archive.writestr(_entry(DOCUMENT, zipfile.ZIP_DEFLATED), text.encode())
    yield sink.drain()


def write_zip(patient_id: int, out: Any) -> int:
    """The export written to the binary file ``out`` (``manage.py export_patient``)."""
    size = 0
    for chunk in stream_zip(read_export(patient_id)):
        out.write(chunk)
        size += len(chunk)
    return size

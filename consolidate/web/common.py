"""What every page shares: the workspace, the campaign named in the address, findings as
the CLI words them, and received files saved under their own (Vietnamese) names."""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import current_app
from werkzeug.datastructures import FileStorage

from consolidate import api
from consolidate.core.errors import Finding
from consolidate.core.files import save_unclobbered
from consolidate.core.workspace import Campaign

#: Characters no file name on Windows, macOS or Linux may hold (and control characters).
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
MAX_NAME = 120
FALLBACK_NAME = "tep-tai-len"


def workspace() -> Path:
    return Path(current_app.config["WORKSPACE"])


def campaign(cid: str) -> Campaign:
    """The campaign of the address; an unknown one is the API's refusal (a 404 page)."""
    found = api.settings(workspace(), cid).campaign
    assert found is not None
    return found


def finding_rows(findings: list[Finding]) -> list[dict[str, str]]:
    """Findings as the CLI prints them: severity label, where, message (grouped by file)."""
    return [{"severity": f.severity.value, "label": f.severity.label, "file": f.file,
             "where": f"trang '{f.sheet}': " if f.sheet else "", "message": f.message}
            for f in findings]


def upload_name(name: str) -> str:
    """A received file's own name, made safe: the last path component only, no separators,
    control or reserved characters, no leading dots or spaces; Vietnamese letters kept
    ('Báo cáo Đức Xuân.xlsx' stays so), unlike werkzeug's secure_filename."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = " ".join(_UNSAFE.sub(" ", base).split()).lstrip(". ")
    if len(base) > MAX_NAME:
        suffix = Path(base).suffix[:10]
        base = base[: MAX_NAME - len(suffix)] + suffix
    return base or FALLBACK_NAME


def save_upload(folder: Path, storage: FileStorage) -> Path:
    """Save an uploaded file into ``folder`` under its safe name, as mail attachments are
    saved (a taken name gets ' (2)', the same bytes are not written twice)."""
    return save_unclobbered(folder, upload_name(storage.filename or ""), storage.read())[0]


@contextmanager
def uploaded_files(storages: list[FileStorage]) -> Iterator[list[Path]]:
    """Files the API reads once (a roster, a contacts list, saved mail), saved in a
    temporary folder under their safe names and removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="consolidate-web-"))
    try:
        yield [save_upload(folder, s) for s in storages if s and s.filename]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def form_value(form: Any, key: str) -> str | None:
    """A text field, stripped; None when left empty."""
    value = str(form.get(key, "")).strip()
    return value or None

"""Files we write: atomically, with fixed timestamps, under names any system accepts.

Every output is written to a temporary name and renamed (``atomic_write``), so a run
killed at any point leaves either the old file or the new one. Workbooks and Word files
carry timestamps taken from their data, never the clock (``save_workbook``,
``fix_zip_times``): the same data gives the same bytes. Names are ASCII
(``safe_filename``, ``safe_component``) so Windows, zip tools and mail never mangle them.
``checkpoint`` marks the points where the crash test kills the process.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import signal
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from openpyxl.workbook import Workbook
from openpyxl.writer.excel import ExcelWriter

from consolidate.core.period import read_period

TEMP_PREFIX = ".tmp-"
#: Kill points for the crash test: with CONSOLIDATE_KILL_AT=N the process SIGKILLs itself
#: at the N-th checkpoint; CONSOLIDATE_CHECKPOINT_LOG=path appends each checkpoint's name.
KILL_AT_ENV = "CONSOLIDATE_KILL_AT"
CHECKPOINT_LOG_ENV = "CONSOLIDATE_CHECKPOINT_LOG"
_checkpoints = 0


def atomic_write(target: Path, data: bytes) -> None:
    """Write to a temporary name in the same folder, then rename: no half-written outputs."""
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=target.suffix)
    except FileNotFoundError:  # the folder is new (asked only then: ingest writes thousands)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TEMP_PREFIX, suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        checkpoint("atomic-write:before-rename")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def checkpoint(name: str) -> None:
    """A named point where a crash test may kill this process with a real SIGKILL."""
    global _checkpoints
    _checkpoints += 1
    log = os.environ.get(CHECKPOINT_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{_checkpoints}\t{name}\n")
    kill_at = os.environ.get(KILL_AT_ENV)
    if kill_at and kill_at.isdigit() and _checkpoints == int(kill_at):
        os.kill(os.getpid(), signal.SIGKILL)


CORE_PART = "docProps/core.xml"
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def issue_time(period: str) -> dt.datetime:
    """The fixed timestamp of a blank form: the start of its period (2024 -> 2024-01-01,
    2025-Q2 -> 2025-04-01)."""
    parsed = read_period(period)
    if parsed is not None:
        return dt.datetime.combine(parsed.start, dt.time())
    digits = str(period)[:4]
    year = int(digits) if digits.isdigit() and 1980 <= int(digits) <= 2999 else 2000
    return dt.datetime(year, 1, 1)


def save_workbook(wb: Workbook, when: dt.datetime) -> bytes:
    """Save with fixed document and zip timestamps: the same content gives the same bytes.

    openpyxl's ``save`` stamps ``modified`` with the clock and each zip entry with the
    time of saving; its ``ExcelWriter`` is given a zip that stamps every entry with
    ``when`` instead (a time taken from the data, never the clock), so a run killed and
    run again writes byte-for-byte the same files. Written once, at deflate level 3: a
    national workbook was compressed twice (openpyxl's zip, then re-zipped to fix the
    times), and level 3 is about 3× faster than the default for some 15 % more bytes.
    """
    when = _naive_utc(when)
    wb.properties.created = when
    wb.properties.modified = when
    buffer = io.BytesIO()
    with _FixedTimeZip(buffer, when) as archive:
        ExcelWriter(wb, archive).write_data()
    return buffer.getvalue()


class _FixedTimeZip(zipfile.ZipFile):
    """A zip for writing whose entries all carry one time, as :func:`fix_zip_times` sets."""

    def __init__(self, file: io.BytesIO, when: dt.datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=3)
        self._date_time = max(when, dt.datetime(1980, 1, 1)).timetuple()[:6]

    def writestr(self, zinfo_or_arcname: str | zipfile.ZipInfo, data: str | bytes,
                 compress_type: int | None = None, compresslevel: int | None = None) -> None:
        name = getattr(zinfo_or_arcname, "filename", zinfo_or_arcname)
        super().writestr(_entry(str(name), self._date_time), data,
                         compress_type, compresslevel or self.compresslevel)

    def write(self, filename: Any, arcname: str | None = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        """openpyxl writes each worksheet to a temporary file and adds it by path."""
        with open(filename, "rb") as f:
            self.writestr(arcname or str(filename), f.read(), compress_type, compresslevel)


def _entry(name: str, date_time: tuple[int, ...]) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=date_time)  # type: ignore[arg-type]
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    entry.create_system = 3
    return entry


def fix_zip_times(data: bytes, when: dt.datetime) -> bytes:
    when = _naive_utc(when)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    date_time = max(when, dt.datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename == CORE_PART:
                body = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", body)
            zout.writestr(_entry(info.filename, date_time), body)
    return out.getvalue()


def _naive_utc(when: dt.datetime) -> dt.datetime:
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when.replace(microsecond=0)


def ascii_text(text: str) -> str:
    """Vietnamese text without its marks: 'Đức Xuân' -> 'Duc Xuan'."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in folded if c.isascii())


def safe_filename(code: str, name: str, suffix: str = ".xlsx") -> str:
    """'01840_Phuong_Duc_Xuan.xlsx': a unit's file, named by its code and its name."""
    slug = "_".join(re.sub(r"[^A-Za-z0-9 -]", " ", ascii_text(name)).split())[:60]
    return f"{code}_{slug}{suffix}" if slug else f"{code}{suffix}"


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def save_unclobbered(folder: Path, name: str, data: bytes) -> tuple[Path, bool]:
    """Write ``data`` into ``folder`` as ``name`` without overwriting anything someone sent.

    A name already taken by other bytes becomes 'name (2)', 'name (3)' … as a browser's
    downloads do; the same bytes under the same name are the same file and are not written
    again. Never outside ``folder``. Returns the path and whether it was written now.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in range(1, 10_000):
        target = folder / (name if n == 1 else f"{stem} ({n}){suffix}")
        if target.resolve().parent != folder.resolve():
            raise ValueError(f"unsafe file name: {name!r}")
        if target.exists():
            if target.read_bytes() == data:
                return target, False
            continue
        atomic_write(target, data)
        return target, True
    raise FileExistsError(folder / name)


def safe_component(name: str, max_len: int = 60, fallback: str = "tep") -> str:
    """A received name made safe as one path component: ASCII, no separators, no '..'.

    'Báo cáo ..\\\\..\\\\Đức Xuân?.xlsx' -> 'Bao_cao_Duc_Xuan.xlsx'.
    """
    text = _UNSAFE.sub(" ", ascii_text(name))
    stem, dot, suffix = text.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,5}", suffix):
        stem, suffix = text, ""
    stem = re.sub(r"[^A-Za-z0-9 _-]", " ", stem)
    stem = "_".join(stem.split())[:max_len].strip("_-") or fallback
    if _RESERVED.match(stem):
        stem = f"_{stem}"
    return f"{stem}.{suffix.lower()}" if suffix else stem

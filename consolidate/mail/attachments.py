"""The files a reply carries, sorted into what is ingested and what is left in the mail.

Every part of a message with a file name is an attachment, also inside a message quoted
or forwarded as an attachment (the original request, with its blank form). Each one is
a spreadsheet (by its name, or by its bytes when the name says nothing), a .zip whose
spreadsheets are taken (opened with the same limits as a workbook's own zip, and a
nesting limit), or anything else (an image, a PDF, a Word file), which is listed and
left in the mail. Spreadsheets are saved into the inbox under a safe name
(:func:`~consolidate.core.files.safe_component`: no path, no control characters, a
capped length, the extension kept) that never replaces a different file.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path, PurePosixPath

from consolidate.core.errors import Finding, finding
from consolidate.core.files import safe_component, save_unclobbered
from consolidate.intake.container import (
    MAX_FILE_BYTES,
    ZIP_ERRORS,
    check_container,
    error_detail,
    zip_directory_problem,
)
from consolidate.intake.ingest import IGNORED_NAMES, IGNORED_PREFIXES, SPREADSHEET_SUFFIXES

#: A zip inside a zip is opened; one more level is refused (nobody packs a form deeper).
MAX_ZIP_DEPTH = 2
#: A commune zips a handful of files; a hundred is already generous.
MAX_ZIP_MEMBERS = 100
MAX_NAME = 80
FALLBACK_NAME = "tep-dinh-kem"
SNIFFED = {"xlsx": ".xlsx", "xlsm": ".xlsm", "xlsb": ".xlsb", "ods": ".ods", "xls": ".xls"}


@dataclass
class Piece:
    """One file met in a message: a spreadsheet to ingest, or one left, with why."""

    name: str  # as sent (inside a zip: "bao-cao.zip/xa-a.xlsx")
    data: bytes = b""
    spreadsheet: bool = False
    suffix: str = ""  # the spreadsheet's extension, from its name or its bytes
    detail: str = ""  # why it was left


@dataclass
class Unpacked:
    """Everything in a message's attachments, and the zips that could not be opened."""

    pieces: list[Piece]
    refused: list[Finding]


def message_files(msg: EmailMessage, sender: str) -> Unpacked:
    """Every attached file of ``msg`` (nested messages included), sorted.

    Files of a quoted or forwarded message come first: the reply's own files are newer,
    so a filled form sent with the original request quoted below it (its blank form
    inside) is what counts for the unit, and its feedback is about the filled one."""
    quoted = {id(inner) for part in msg.walk() if part.get_content_type() == "message/rfc822"
              for inner in part.walk() if inner is not part}
    parts = [p for p in msg.walk() if not p.is_multipart() and _is_attachment(p)]
    out = Unpacked([], [])
    for part in sorted(parts, key=lambda p: id(p) not in quoted):
        name = _clean_name(part.get_filename() or "")
        data = part.get_payload(decode=True) or b""
        _sort(name, data, 0, sender, out)
    return out


def _is_attachment(part: EmailMessage) -> bool:
    """A part with a file name; an image shown inside the text (a signature logo) is not."""
    if not part.get_filename():
        return part.get_content_disposition() == "attachment"
    inline_image = part.get_content_disposition() == "inline" and part["Content-ID"] \
        and part.get_content_maintype() == "image"
    return not inline_image


def _clean_name(name: str) -> str:
    """The name as sent, for lists and records: one line, no control characters."""
    text = "".join(c if c.isprintable() else " " for c in name).strip()
    return text or FALLBACK_NAME


def _sort(name: str, data: bytes, depth: int, sender: str, out: Unpacked) -> None:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        out.pieces.append(Piece(name, data, True, suffix))
    elif suffix == ".zip":
        _unzip(name, data, depth + 1, sender, out)
    elif (kind := _sniff(name, data)) is not None:
        out.pieces.append(Piece(name, data, True, SNIFFED[kind]))
    else:
        out.pieces.append(Piece(name, detail=_what(name, data)))


def _sniff(name: str, data: bytes) -> str | None:
    """The spreadsheet kind of bytes whose name does not say it (e.g. 'bao cao' or '.dat')."""
    container = check_container(name, data)
    return container.kind if container.kind in SNIFFED else None


def _what(name: str, data: bytes) -> str:
    """What a left file is, in the words the ingest uses for the same bytes."""
    problems = check_container(name, data).findings
    detail = problems[0].fields.get("detail", "") if problems else ""
    return detail or "không phải bảng tính"


def _unzip(name: str, data: bytes, depth: int, sender: str, out: Unpacked) -> None:
    """The spreadsheets of a zip (and of a zip inside it); limits as for a workbook."""
    def refuse(detail: str) -> None:
        out.refused.append(finding("mail-zip-refused", file=name, sender=sender, detail=detail))

    if depth > MAX_ZIP_DEPTH:
        refuse(f"tệp nén lồng quá {MAX_ZIP_DEPTH} lớp")
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            problem = _zip_problem(name, infos)
            if problem:
                refuse(problem)
                return
            for info in infos:
                member = PurePosixPath(info.filename.replace("\\", "/")).name
                if not member or _litter(member, info.filename):
                    continue
                if info.flag_bits & 0x1:
                    out.pieces.append(Piece(f"{name}/{member}", detail="tệp nén có mật khẩu"))
                    continue
                _sort(f"{name}/{member}", _read_member(zf, info), depth, sender, out)
    except (*ZIP_ERRORS, zipfile.error, RuntimeError, EOFError) as exc:
        refuse(f"tệp nén bị hỏng ({error_detail(exc)})")


def _zip_problem(name: str, infos: list[zipfile.ZipInfo]) -> str:
    """Count, declared size and ratio, from the zip directory, before inflating anything."""
    if len(infos) > MAX_ZIP_MEMBERS:
        return f"có {len(infos)} tệp, tối đa {MAX_ZIP_MEMBERS}"
    problem = zip_directory_problem(name, infos)
    if problem is not None:
        return problem.message
    big = next((i for i in infos if i.file_size > MAX_FILE_BYTES), None)
    return f"{big.filename} quá lớn" if big else ""


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes, never more than it declared (a lying directory is refused)."""
    with zf.open(info) as fh:
        data = fh.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise zipfile.BadZipFile(f"{info.filename} lớn hơn kích thước khai báo")
    return data


def _litter(member: str, path: str) -> bool:
    """Files a zip tool adds by itself (macOS resource forks, office lock files)."""
    return path.startswith("__MACOSX/") or member.startswith(IGNORED_PREFIXES) \
        or member.lower() in IGNORED_NAMES


# --------------------------------------------------------------------------- saving


def save_piece(inbox: Path, piece: Piece, when: dt.datetime | None) -> Path:
    """Save a spreadsheet in the inbox under a safe name; its time is the message's, since
    the ingest reads a file's time as when it was received (on time or late). A name
    already used by a different file gets a number; the same bytes are not written again.
    """
    base = safe_component(PurePosixPath(piece.name.replace("\\", "/")).name,
                          max_len=MAX_NAME, fallback=FALLBACK_NAME)
    stem = base[: -len(Path(base).suffix)] if Path(base).suffix else base
    if Path(base).suffix.lower() != piece.suffix:
        stem = base
    target, written = save_unclobbered(inbox, f"{stem}{piece.suffix}", piece.data)
    if written and when is not None:
        os.utime(target, (when.timestamp(), when.timestamp()))
    return target

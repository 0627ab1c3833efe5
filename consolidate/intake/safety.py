"""Checks on a received file before any workbook parser sees it, and on what it holds.

A file from a commune may be anything: a PDF renamed ``.xlsx``, half a download, a
zip bomb, a workbook with an XML entity bomb, a password-protected or macro-laden
workbook, another commune's form relabelled. Everything here works from the raw
bytes and the zip directory, with hard limits, before python-calamine or openpyxl
parse a single sheet:

* size limits on the file, on the sum of the sizes the zip directory declares, and
  on the compression ratio of each member (a zip bomb is refused from its
  directory, without inflating it); every member is then streamed once, with the
  declared size enforced and the CRC checked, so a directory that lies is caught;
* any XML member carrying a DTD (``<!DOCTYPE`` / ``<!ENTITY``) is refused: Office
  Open XML and OpenDocument never use one, and it is how entity bombs and external
  entities arrive; the XML parts parsed here (workbook, relationships) go through
  ``defusedxml`` only, and sheets are scanned for formulas and error values (``<f>``,
  ``t="e"``, which calamine does not report) without any XML parser;
* macros (``vbaProject.bin``) are never run, never parsed and never copied: the
  values are read and the file is flagged;
* the form's token, ``HMAC(workspace secret, form|version|period|unit)``, binds a
  form to the unit it was issued for, so a form relabelled to another unit is caught.

Every problem is a :class:`~consolidate.errors.Finding`, never an exception.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import unescape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from consolidate.core.errors import ERROR, Finding, finding

MB = 1024 * 1024
#: A filled form is about 30 KB; a district's consolidated workbook a few MB.
MAX_FILE_BYTES = 20 * MB
#: Sum of the uncompressed sizes declared in the zip directory.
MAX_UNPACKED_BYTES = 40 * MB
MAX_MEMBERS = 2000
#: A member over RATIO_FLOOR bytes that inflates more than MAX_RATIO times is a bomb:
#: real sheet XML compresses 5–30 times.
MAX_RATIO = 100
RATIO_FLOOR = 1 * MB
CHUNK = 256 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
DTD_MARKS = (b"<!doctype", b"<!entity")

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Container:
    """What the bytes are, and what was found before parsing."""

    kind: str  # xlsx | xlsm | xlsb | ods | xls | "" (not a readable spreadsheet)
    findings: list[Finding] = field(default_factory=list)
    macros: bool = False
    #: xlsx/xlsm only: sheet name -> {cell ref: formula text}, and -> {cell ref: error}
    formulas: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)
    #: xlsx/xlsm only: sheet name -> cells that carry a style (every cell of a form does)
    styled: dict[str, set[str]] = field(default_factory=dict)

    @property
    def readable(self) -> bool:
        return bool(self.kind) and not any(f.severity == ERROR for f in self.findings)


def _mb(n: int) -> str:
    return f"{n / MB:.1f} MB".replace(".", ",")


def check_container(name: str, data: bytes) -> Container:
    """Classify the bytes and refuse what must not be parsed; never raises."""
    try:
        return _check(name, data)
    except Exception as exc:  # noqa: BLE001 - a hostile file must never stop the run
        return Container("", [finding("file-damaged", file=name, detail=_short(exc))])


def _check(name: str, data: bytes) -> Container:
    if not data:
        return Container("", [finding("file-empty", file=name)])
    if len(data) > MAX_FILE_BYTES:
        return Container("", [finding("file-too-large", file=name, found=_mb(len(data)),
                                      expected=f"tối đa {_mb(MAX_FILE_BYTES)}")])
    if data.startswith(OLE_MAGIC):
        return _check_ole(name, data)
    if data.startswith(ZIP_MAGICS):
        return _check_zip(name, data)
    return Container("", [finding("file-unreadable", file=name, detail=_sniff(data))])


def _sniff(data: bytes) -> str:
    """What a non-spreadsheet most likely is, in words an officer understands."""
    head = data[:512].lstrip()
    low = head.lower()
    kinds = [
        (head.startswith(b"%PDF"), "đây là tệp PDF, không phải bảng tính"),
        (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff"),
         "đây là tệp ảnh, không phải bảng tính"),
        (low.startswith((b"<html", b"<!doctype html")) or b"<html" in low,
         "đây là trang web (HTML) đặt tên như bảng tính; hãy lưu lại dạng Excel (.xlsx)"),
        (head.startswith(b"{\\rtf"), "đây là văn bản RTF, không phải bảng tính"),
    ]
    for hit, text in kinds:
        if hit:
            return text
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "định dạng tệp không nhận ra được, không phải bảng tính Excel hoặc ODS"
    return "đây là tệp văn bản, không phải bảng tính; hãy nhập số liệu vào biểu mẫu Excel"


def _check_ole(name: str, data: bytes) -> Container:
    """An OLE2 compound file: a legacy .xls, or an encrypted (password-protected) workbook."""
    if "EncryptedPackage".encode("utf-16-le") in data or \
            "EncryptionInfo".encode("utf-16-le") in data:
        return Container("", [finding("file-encrypted", file=name)])
    if "WordDocument".encode("utf-16-le") in data:
        return Container("", [finding("file-unreadable", file=name,
                                      detail="đây là văn bản Word (.doc), không phải bảng tính")])
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return Container("xls")
    return Container("", [finding("file-unreadable", file=name,
                                  detail="tệp Office cũ không phải bảng tính Excel")])


def _check_zip(name: str, data: bytes) -> Container:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        return Container("", [finding("file-damaged", file=name, detail=_short(exc))])
    with zf:
        problem = _directory_problem(name, infos)
        if problem:
            return Container("", [problem])
        names = {i.filename for i in infos}
        kind, detail = _zip_kind(zf, names)
        if not kind:
            return Container("", [finding("file-unreadable", file=name, detail=detail)])
        problem = _stream_members(name, zf, infos)
        if problem:
            return Container("", [problem])
        container = Container(kind)
        container.macros = any(n.lower().endswith("vbaproject.bin") for n in names)
        if container.macros:
            container.findings.append(finding("macros-ignored", file=name))
        if kind in ("xlsx", "xlsm"):
            try:
                _cell_facts(zf, container)
            except (DefusedXmlException, SyntaxError, KeyError, ValueError) as exc:
                code = "xml-unsafe" if isinstance(exc, DefusedXmlException) else "file-damaged"
                return Container("", [finding(code, file=name, detail=_short(exc))])
        return container


def _directory_problem(name: str, infos: list[zipfile.ZipInfo]) -> Finding | None:
    """Limits checked from the zip directory alone, before inflating anything."""
    if len(infos) > MAX_MEMBERS:
        return finding("zip-bomb", file=name, detail=f"{len(infos)} thành phần nén")
    for info in infos:
        if info.file_size > RATIO_FLOOR and \
                info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            return finding("zip-bomb", file=name,
                           detail=f"{info.filename} nén {ratio} lần ({_mb(info.file_size)})")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        return finding("file-too-large", file=name, found=f"{_mb(total)} khi giải nén",
                       expected=f"tối đa {_mb(MAX_UNPACKED_BYTES)}")
    return None


def _zip_kind(zf: zipfile.ZipFile, names: set[str]) -> tuple[str, str]:
    if "xl/workbook.xml" in names:
        types = _read_small(zf, "[Content_Types].xml", names)
        macro = b"macroEnabled" in types or "xl/vbaProject.bin" in names
        return ("xlsm" if macro else "xlsx"), ""
    if "xl/workbook.bin" in names:
        return "xlsb", ""
    if "mimetype" in names:
        mime = _read_small(zf, "mimetype", names).strip()
        if mime == ODS_MIMETYPE:
            return "ods", ""
        return "", f"đây là tài liệu OpenDocument ({mime.decode('ascii', 'replace')}), " \
                   "không phải bảng tính"
    if "word/document.xml" in names:
        return "", "đây là văn bản Word (.docx), không phải bảng tính"
    if any(n.startswith("ppt/") for n in names):
        return "", "đây là bản trình chiếu PowerPoint, không phải bảng tính"
    return "", "đây là tệp nén (.zip), không phải bảng tính; hãy gửi riêng tệp Excel"


def _read_small(zf: zipfile.ZipFile, member: str, names: set[str]) -> bytes:
    if member not in names or zf.getinfo(member).file_size > MB:
        return b""
    return zf.read(member)


def _stream_members(name: str, zf: zipfile.ZipFile,
                    infos: list[zipfile.ZipInfo]) -> Finding | None:
    """Inflate each member once with its declared size enforced and CRC checked; no DTDs."""
    total = 0
    for info in infos:
        xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
        tail = b""
        size = 0
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if size > info.file_size or total > MAX_UNPACKED_BYTES:
                        return finding("zip-bomb", file=name,
                                       detail=f"{info.filename} lớn hơn kích thước khai báo")
                    if xml:
                        window = (tail + chunk).lower()
                        if any(mark in window for mark in DTD_MARKS):
                            return finding("xml-unsafe", file=name,
                                           detail=f"{info.filename} có khai báo DTD/ENTITY")
                        tail = chunk[-16:]
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                RuntimeError, ValueError) as exc:
            return finding("file-damaged", file=name, detail=f"{info.filename}: {_short(exc)}")
    return None


def _cell_facts(zf: zipfile.ZipFile, container: Container) -> None:
    """Formulas and error values per sheet of an xlsx: calamine reports neither."""
    names = set(zf.namelist())
    workbook = safe_fromstring(zf.read("xl/workbook.xml"), forbid_dtd=True)
    rels_xml = _read_small(zf, "xl/_rels/workbook.xml.rels", names)
    rels = {}
    if rels_xml:
        for rel in safe_fromstring(rels_xml, forbid_dtd=True):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            rels[rel.get("Id")] = target
    for sheet in workbook.iter(f"{NS_MAIN}sheet"):
        part = rels.get(sheet.get(f"{NS_REL}id"))
        if not part or part not in names:
            continue
        xml = zf.read(part)
        formulas: dict[str, str] = {}
        errors: dict[str, str] = {}
        styled: set[str] = set()
        # The member has no DTD (checked while streaming), so a scan of its cells is exact
        # and ten times faster than a parse; no XML parser touches it here.
        for match in _CELL.finditer(xml):
            attrs, body = match.group(1), match.group(2) or b""
            ref_match = _REF.search(attrs)
            ref = ref_match.group(1).decode("ascii") if ref_match else ""
            style = _STYLE.search(attrs)
            if style is not None and style.group(1) != b"0":
                styled.add(ref)
            error = _ERROR_TYPE.search(attrs) if b't="e"' in attrs else None
            formula = _FORMULA.search(body) if b"<f" in body or b":f" in body else None
            if formula is None and error is None:
                continue
            if formula is not None:
                formulas[ref] = "=" + unescape((formula.group(1) or b"").decode("utf-8",
                                                                               "replace"))
            if error is not None:
                value = _VALUE.search(body)
                errors[ref] = unescape(value.group(1).decode("utf-8", "replace")) \
                    if value else "#ERROR"
        container.formulas[sheet.get("name", "")] = formulas
        container.errors[sheet.get("name", "")] = errors
        container.styled[sheet.get("name", "")] = styled


_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_STYLE = re.compile(rb'\bs="([0-9]+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


# --------------------------------------------------------------------------- cells


Position = tuple[int, int]  # 0-based (row, column) in a calamine grid


def cell_findings(container: Container, merges: dict[str, list[Any]],
                  inputs: dict[str, dict[Position, tuple[str, bool]]], grids: dict[str, Any],
                  file: str, unit: str, check_styles: bool = True) -> list[Finding]:
    """Formulas, error values, merged and moved cells where a unit types its figures.

    A moved cell: every input cell of a generated form carries the form's style; one
    that has none is where cells were deleted and the rest of the row shifted left
    (Excel's Delete > Shift cells left), so the figures beside it may sit under the
    wrong column: that row cannot be read with certainty.

    ``inputs`` maps a sheet to its input positions, each with a label and whether its
    value was read; ``merges`` holds calamine's merged ranges per sheet.
    """
    from openpyxl.utils.cell import column_index_from_string as col_index
    from openpyxl.utils.cell import coordinate_from_string, get_column_letter

    def ref(i: int, j: int) -> str:
        return f"{get_column_letter(j + 1)}{i + 1}"

    def pos(cell: str) -> Position | None:
        try:
            letters, row = coordinate_from_string(cell)
        except ValueError:
            return None
        return row - 1, col_index(letters) - 1

    out: list[Finding] = []
    for sheet, positions in inputs.items():
        for cell, formula in container.formulas.get(sheet, {}).items():
            p = pos(cell)
            if p in positions:
                label, _ = positions[p]
                value = _at(grids.get(sheet) or [], *p)
                if cell in container.errors.get(sheet, {}):
                    continue
                code = "formula-in-input" if value not in (None, "") else "formula-without-value"
                out.append(finding(code, file=file, sheet=sheet, cell=cell, found=formula,
                                   label=label, value=value, unit=unit))
        for cell, error in container.errors.get(sheet, {}).items():
            p = pos(cell)
            if p in positions:
                out.append(finding("cell-error-value", file=file, sheet=sheet, cell=cell,
                                   found=error, label=positions[p][0], unit=unit))
        if check_styles and sheet in container.styled:
            moved = sorted(p for p in positions if ref(*p) not in container.styled[sheet])
            for row in sorted({i for i, _ in moved}):
                i, j = next(p for p in moved if p[0] == row)
                out.append(finding("input-cell-moved", file=file, sheet=sheet, cell=ref(i, j),
                                   label=positions[(i, j)][0], unit=unit))
        for (r0, c0), (r1, c1) in merges.get(sheet) or []:
            hit = [positions[(i, j)][0] for i in range(r0, r1 + 1) for j in range(c0, c1 + 1)
                   if (i, j) in positions]
            if hit:
                out.append(finding("merged-input-cells", file=file, sheet=sheet,
                                   cell=f"{ref(r0, c0)}:{ref(r1, c1)}", label=hit[0],
                                   unit=unit))
    return out


def _at(grid: list[list[Any]], i: int, j: int) -> Any:
    row = grid[i] if i < len(grid) else []
    return row[j] if j < len(row) else None


# --------------------------------------------------------------------------- tokens


def unit_token(secret: bytes, form_id: str, version: object, period: str, unit_code: str) -> str:
    """The form's token: binds form, version, period and unit to the issuing workspace."""
    message = "|".join([form_id, str(version), str(period), unit_code]).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def check_token(secret: bytes, issuer: str, meta: dict[str, str], file: str) -> Finding | None:
    """A relabelled form is refused; a form issued elsewhere (a relay) cannot be checked.

    Tokens are checked only for workbooks this workspace issued (``issuer`` matches):
    a district's consolidated workbook reaching the province carries the district's
    token, which the province cannot verify and does not need to. A *form* issued by
    another workspace (a commune form the district sent out, reaching the province)
    is accepted with a warning, so a form whose issuer was edited away is not silent.
    """
    code = meta.get("unit_code", "")
    if not meta.get("issuer") and not meta.get("token"):
        return finding("token-missing", file=file, found=code, unit=code)
    if meta.get("issuer") != issuer:
        # a roll-up from a lower workspace is the normal relay; a form is flagged
        return None if meta.get("kind") == "rollup" else finding(
            "token-foreign", file=file, found=code, unit=code)
    expected = unit_token(secret, meta.get("form_id", ""), meta.get("form_version", ""),
                          meta.get("period", ""), code)
    if not hmac.compare_digest(expected, meta.get("token", "")):
        return finding("token-mismatch", file=file, found=code, unit=code)
    return None

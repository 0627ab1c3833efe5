"""What a received file really is, checked from its bytes before any workbook parser runs.

A file from a commune may be anything: a PDF renamed ``.xlsx``, half a download, a
zip bomb, a workbook with an XML entity bomb, a password-protected or macro-laden
workbook. Everything here works from the raw bytes and the zip directory, with hard
limits, before python-calamine or openpyxl parse a single sheet:

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
  values are read and the file is flagged.

What the scan finds in the cells is judged later, against the form
(:mod:`consolidate.intake.cells`). Every problem is a
:class:`~consolidate.core.errors.Finding`, never an exception.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import unescape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from consolidate.core.errors import Finding, finding

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
#: workbook.xml and its relationships up to this size are parsed once per distinct bytes.
CACHED_PARTS_BYTES = 64 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
DTD_MARKS = (b"<!doctype", b"<!entity")

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError)
INFLATE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                  RuntimeError, ValueError)
XML_ERRORS = (DefusedXmlException, SyntaxError, KeyError, ValueError)


@dataclass
class Container:
    """What the bytes are, and what was found before parsing."""

    kind: str  # xlsx | xlsm | xlsb | ods | xls | "" (not a readable spreadsheet)
    findings: list[Finding] = field(default_factory=list)
    macros: bool = False
    #: xlsx/xlsm only: sheet name -> {cell ref: formula text}, and -> {cell ref: error}
    formulas: Mapping[str, dict[str, str]] = field(default_factory=dict)
    errors: Mapping[str, dict[str, str]] = field(default_factory=dict)
    #: xlsx/xlsm only: sheet name -> cells that carry a style (every cell of a form does)
    styled: Mapping[str, set[str]] = field(default_factory=dict)

    @classmethod
    def refused(cls, problem: Finding) -> Container:
        """Bytes that no parser may see, with the reason."""
        return cls("", [problem])

    @property
    def readable(self) -> bool:
        return bool(self.kind) and not any(f.is_error for f in self.findings)


def error_detail(exc: BaseException) -> str:
    """An exception as a finding's detail: its first line, short, or its type's name."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _mb(n: int) -> str:
    return f"{n / MB:.1f} MB".replace(".", ",")


def check_container(name: str, data: bytes) -> Container:
    """Classify the bytes and refuse what must not be parsed; never raises."""
    try:
        return _check(name, data)
    except Exception as exc:  # noqa: BLE001 - a hostile file must never stop the run
        return Container.refused(finding("file-damaged", file=name, detail=error_detail(exc)))


def _check(name: str, data: bytes) -> Container:
    if not data:
        return Container.refused(finding("file-empty", file=name))
    if len(data) > MAX_FILE_BYTES:
        return Container.refused(finding("file-too-large", file=name, found=_mb(len(data)),
                                         expected=f"tối đa {_mb(MAX_FILE_BYTES)}"))
    if data.startswith(OLE_MAGIC):
        return _check_ole(name, data)
    if data.startswith(ZIP_MAGICS):
        return _check_zip(name, data)
    return Container.refused(finding("file-unreadable", file=name, detail=_sniff(data)))


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
        return Container.refused(finding("file-encrypted", file=name))
    if "WordDocument".encode("utf-16-le") in data:
        return Container.refused(finding("file-unreadable", file=name,
                                         detail="đây là văn bản Word (.doc), không phải bảng tính"))
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return Container("xls")
    return Container.refused(finding("file-unreadable", file=name,
                                     detail="tệp Office cũ không phải bảng tính Excel"))


def _check_zip(name: str, data: bytes) -> Container:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except ZIP_ERRORS as exc:
        return Container.refused(finding("file-damaged", file=name, detail=error_detail(exc)))
    with zf:
        return _check_members(name, zf, infos)


def _check_members(name: str, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> Container:
    """Directory limits, then what the package is, then one streamed pass over every member."""
    problem = _directory_problem(name, infos)
    if problem:
        return Container.refused(problem)
    names = {i.filename for i in infos}
    kind, detail = _zip_kind(zf, names)
    if not kind:
        return Container.refused(finding("file-unreadable", file=name, detail=detail))
    xml: dict[str, bytes] = {}
    problem = _stream_members(name, zf, infos, xml)
    if problem:
        return Container.refused(problem)
    return _spreadsheet(name, zf, xml, kind, names)


def _spreadsheet(name: str, zf: zipfile.ZipFile, xml: dict[str, bytes], kind: str,
                 names: set[str]) -> Container:
    """A package that passed the limits: flag macros, scan an xlsx's cells (from the XML
    members already inflated and checked while streaming: nothing is inflated twice)."""
    container = Container(kind)
    container.macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    if container.macros:
        container.findings.append(finding("macros-ignored", file=name))
    if kind in ("xlsx", "xlsm"):
        try:
            _cell_facts(zf, xml, container)
        except XML_ERRORS as exc:
            code = "xml-unsafe" if isinstance(exc, DefusedXmlException) else "file-damaged"
            return Container.refused(finding(code, file=name, detail=error_detail(exc)))
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


def zip_directory_problem(name: str, infos: list[zipfile.ZipInfo]) -> Finding | None:
    """The directory limits of a workbook, for any zip read from outside (a mailed .zip)."""
    return _directory_problem(name, infos)


def _zip_kind(zf: zipfile.ZipFile, names: set[str]) -> tuple[str, str]:
    """The spreadsheet kind of a zip package, or '' and what it is instead."""
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


def _stream_members(name: str, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
                    xml: dict[str, bytes] | None = None) -> Finding | None:
    """Inflate each member once with its declared size enforced and CRC checked; no DTDs.

    The XML members' bytes are kept in ``xml`` (member name -> bytes), within the limits
    just enforced, so the cell scan reads them without inflating them again."""
    total = 0
    for info in infos:
        try:
            total, problem = _stream_member(name, zf, info, total, xml)
        except INFLATE_ERRORS as exc:
            return finding("file-damaged", file=name,
                           detail=f"{info.filename}: {error_detail(exc)}")
        if problem:
            return problem
    return None


def _stream_member(name: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, total: int,
                   keep: dict[str, bytes] | None = None) -> tuple[int, Finding | None]:
    """One member, chunk by chunk: the running total of bytes inflated, and any problem;
    an XML member that passes is kept in ``keep`` when given."""
    xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
    tail = b""
    size = 0
    chunks: list[bytes] = []
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            if xml:
                chunks.append(chunk)
            size += len(chunk)
            total += len(chunk)
            if size > info.file_size or total > MAX_UNPACKED_BYTES:
                return total, finding("zip-bomb", file=name,
                                      detail=f"{info.filename} lớn hơn kích thước khai báo")
            if xml:
                window = (tail + chunk).lower()  # a mark may straddle two chunks
                if any(mark in window for mark in DTD_MARKS):
                    return total, finding("xml-unsafe", file=name,
                                          detail=f"{info.filename} có khai báo DTD/ENTITY")
                tail = chunk[-16:]
    if xml and keep is not None:
        keep[info.filename] = b"".join(chunks)
    return total, None


# --------------------------------------------------------------------------- cell scan


def _cell_facts(zf: zipfile.ZipFile, xml: dict[str, bytes], container: Container) -> None:
    """Formulas and error values per sheet of an xlsx (calamine reports neither), each
    sheet scanned when first asked for: the checks ask only for the sheets they judge."""
    parts: dict[str, bytes] = {}
    for sheet, part in _sheet_parts(xml.get("xl/workbook.xml", b""),
                                    xml.get("xl/_rels/workbook.xml.rels", b"")):
        data = xml.get(part)
        if data is None and part in zf.NameToInfo:  # a sheet part not named .xml
            data = zf.read(part)
        if data is not None:
            parts[sheet] = data
    scan = _Scan(parts)
    container.formulas = _Facts(scan, 0)
    container.errors = _Facts(scan, 1)
    container.styled = _Facts(scan, 2)


class _Scan:
    """The sheets' XML, each scanned once (:func:`_scan_cells`) on first use."""

    def __init__(self, parts: dict[str, bytes]):
        self.parts = parts
        self.done: dict[str, tuple[dict[str, str], dict[str, str], set[str]]] = {}

    def of(self, sheet: str) -> tuple[dict[str, str], dict[str, str], set[str]]:
        if sheet not in self.done:
            self.done[sheet] = _scan_cells(self.parts[sheet])
        return self.done[sheet]


class _Facts(Mapping[str, Any]):
    """One kind of fact (formulas, errors or styled cells) of every sheet, as a mapping."""

    def __init__(self, scan: _Scan, index: int):
        self.scan, self.index = scan, index

    def __getitem__(self, sheet: str) -> Any:
        if sheet not in self.scan.parts:
            raise KeyError(sheet)
        return self.scan.of(sheet)[self.index]

    def __contains__(self, sheet: object) -> bool:
        return sheet in self.scan.parts

    def __iter__(self) -> Iterator[str]:
        return iter(self.scan.parts)

    def __len__(self) -> int:
        return len(self.scan.parts)


def _sheet_parts(workbook_xml: bytes, rels_xml: bytes) -> tuple[tuple[str, str], ...]:
    """(sheet name, zip member) of every worksheet, from the workbook and its relationships;
    parsed once for all the forms of a level, which carry the same two small parts."""
    if len(workbook_xml) + len(rels_xml) <= CACHED_PARTS_BYTES:
        return _cached_sheet_parts(workbook_xml, rels_xml)
    return _parse_sheet_parts(workbook_xml, rels_xml)


def _parse_sheet_parts(workbook_xml: bytes, rels_xml: bytes) -> tuple[tuple[str, str], ...]:
    workbook = safe_fromstring(workbook_xml, forbid_dtd=True)
    rels = {}
    if rels_xml and len(rels_xml) <= MB:
        for rel in safe_fromstring(rels_xml, forbid_dtd=True):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            rels[rel.get("Id")] = target
    out = []
    for sheet in workbook.iter(f"{NS_MAIN}sheet"):
        part = rels.get(sheet.get(f"{NS_REL}id"))
        if part:
            out.append((sheet.get("name", ""), part))
    return tuple(out)


_cached_sheet_parts = lru_cache(maxsize=64)(_parse_sheet_parts)


def _scan_cells(xml: bytes) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """Formulas, error values and styled cells of one sheet's XML.

    The member has no DTD (checked while streaming), so a scan of its cells is exact
    and ten times faster than a parse; no XML parser touches it here. A cell whose
    attributes are the usual ``r`` [``s``] [``t``], in that order, is read with one match;
    any other is read attribute by attribute.
    """
    formulas: dict[str, str] = {}
    errors: dict[str, str] = {}
    styled: set[str] = set()
    for attrs, body in _CELL.findall(xml):
        usual = _USUAL.fullmatch(attrs)
        if usual is not None:
            raw_ref, style, kind = usual.groups()
            is_error = kind == b"e"
        else:
            ref_match, style_match = _REF.search(attrs), _STYLE.search(attrs)
            raw_ref = ref_match.group(1) if ref_match else b""
            style = style_match.group(1) if style_match else None
            is_error = b't="e"' in attrs and _ERROR_TYPE.search(attrs) is not None
        ref = raw_ref.decode("ascii")
        if style is not None and style != b"0":
            styled.add(ref)
        formula = _FORMULA.search(body) if b"<f" in body or b":f" in body else None
        if formula is not None:
            formulas[ref] = "=" + _xml_text(formula.group(1))
        if is_error:
            value = _VALUE.search(body)
            errors[ref] = _xml_text(value.group(1)) if value else "#ERROR"
    return formulas, errors, styled


def _xml_text(raw: bytes | None) -> str:
    return unescape((raw or b"").decode("utf-8", "replace"))


_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_USUAL = re.compile(rb'r="([A-Z]{1,3}[0-9]{1,7})"(?:\s+s="([0-9]+)")?(?:\s+t="(\w+)")?\s*')
_STYLE = re.compile(rb'\bs="([0-9]+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)

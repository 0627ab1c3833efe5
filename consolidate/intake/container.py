"""What a received file really is, checked from its bytes before any workbook parser runs.

A file from a commune may be anything: a PDF renamed ``.xlsx``, half a download, a
zip bomb, a workbook with an XML entity bomb, a password-protected or macro-laden
workbook. Everything here works from the raw bytes and the zip directory, with hard
limits, before python-calamine or openpyxl parse a single sheet:

* size limits on the file, on the sum of the sizes the zip directory declares, and
  on the compression ratio of each member (a zip bomb is refused from its
  directory, without inflating it); every member is then inflated once, never past
  its declared size, its local header and CRC checked, so a directory that lies is
  caught (straight from the bytes in memory for a plain member, through ``zipfile``
  for any other);
* any XML member carrying a DTD (``<!DOCTYPE`` / ``<!ENTITY``) is refused: Office
  Open XML and OpenDocument never use one, and it is how entity bombs and external
  entities arrive; the XML parts parsed here (workbook, relationships) go through
  ``defusedxml`` only, and sheets are scanned for formulas and error values (``<f>``,
  ``t="e"``, which calamine does not report) without any XML parser
  (:mod:`consolidate.intake.scan`), from the bytes inflated in that one pass;
* macros (``vbaProject.bin``) are never run, never parsed and never copied: the
  values are read and the file is flagged.

What the scan finds in the cells is judged later, against the form
(:mod:`consolidate.intake.cells`). Every problem is a
:class:`~consolidate.core.errors.Finding`, never an exception.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException

from consolidate.core.errors import Finding, finding
from consolidate.intake.scan import cell_facts

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
CONTENT_TYPES = "[Content_Types].xml"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
#: How a DTD starts, in any case: Office Open XML and OpenDocument never carry one.
_DTD = re.compile(rb"<!(?:doctype|entity)", re.IGNORECASE)
#: Members inflated straight from memory: stored and deflated (every Office file's), not
#: encrypted (bit 0) nor patched or strongly encrypted (bits 5, 6), which go to ``zipfile``.
PLAIN_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
ODD_FLAGS = 0x1 | 0x20 | 0x40
UTF8_NAME = 0x800
#: A zip member's local header (``zipfile.structFileHeader``): name and extra field lengths.
LOCAL_HEADER = struct.Struct(zipfile.structFileHeader)


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
        return _check_members(name, zf, infos, data)


def _check_members(name: str, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
                   data: bytes) -> Container:
    """Directory limits, then what the package is, then one streamed pass over every member."""
    problem = _directory_problem(name, infos)
    if problem:
        return Container.refused(problem)
    names = {i.filename for i in infos}
    kind, detail = _zip_kind(zf, names)
    if not kind:
        return Container.refused(finding("file-unreadable", file=name, detail=detail))
    xml: dict[str, bytes] = {}
    problem = _stream_members(name, zf, infos, xml, data)
    if problem:
        return Container.refused(problem)
    if kind == "xlsx" and b"macroEnabled" in xml.get(CONTENT_TYPES, b"")[:MB]:
        kind = "xlsm"  # told by its content types, read in the pass above
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
            container.formulas, container.errors, container.styled = cell_facts(zf, xml)
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
    if "xl/workbook.xml" in names:  # its content types may still say xlsm (_check_members)
        return ("xlsm" if "xl/vbaProject.bin" in names else "xlsx"), ""
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
                    xml: dict[str, bytes] | None = None, data: bytes = b"") -> Finding | None:
    """Inflate each member once with its declared size enforced and CRC checked; no DTDs.

    The XML members' bytes are kept in ``xml`` (member name -> bytes), within the limits
    just enforced, so the cell scan reads them without inflating them again."""
    total = 0
    view = memoryview(data)
    for info in infos:
        try:
            total, problem = _stream_member(name, (zf, view), info, total, xml)
        except INFLATE_ERRORS as exc:
            return finding("file-damaged", file=name,
                           detail=f"{info.filename}: {error_detail(exc)}")
        if problem:
            return problem
    return None


def _stream_member(name: str, source: tuple[zipfile.ZipFile, memoryview], info: zipfile.ZipInfo,
                   total: int, keep: dict[str, bytes] | None = None) -> tuple[int, Finding | None]:
    """One member inflated, with its declared size enforced and its CRC checked: the running
    total of bytes inflated, and any problem; an XML member that passes is kept in ``keep``.

    A plain member (stored or deflated, not encrypted) is inflated straight from the bytes
    in memory (:func:`_inflate`), which costs a third of ``zipfile``'s stream; any other goes
    through ``zipfile``, chunk by chunk."""
    xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
    zf, view = source
    if view and info.compress_type in PLAIN_METHODS and not info.flag_bits & ODD_FLAGS:
        body = _inflate(view, info)
        size, total = len(body), total + len(body)
        chunks = [body]
    else:
        size, total, chunks = _stream(zf, info, total)
    if size > info.file_size or total > MAX_UNPACKED_BYTES:
        return total, finding("zip-bomb", file=name,
                              detail=f"{info.filename} lớn hơn kích thước khai báo")
    if xml and any(b"!" in chunk for chunk in chunks) and \
            any(_DTD.search(chunk) for chunk in _windows(chunks)):  # "!": one fast memchr
        return total, finding("xml-unsafe", file=name,
                              detail=f"{info.filename} có khai báo DTD/ENTITY")
    if xml and keep is not None:
        keep[info.filename] = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    return total, None


def _stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo,
            total: int) -> tuple[int, int, list[bytes]]:
    """A member read through ``zipfile`` chunk by chunk, stopping once it passes a limit."""
    size = 0
    chunks: list[bytes] = []
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            chunks.append(chunk)
            size += len(chunk)
            total += len(chunk)
            if size > info.file_size or total > MAX_UNPACKED_BYTES:
                break
    return size, total, chunks


def _windows(chunks: list[bytes]) -> list[bytes]:
    """The chunks, each with the end of the one before it: a mark may straddle two."""
    return [chunks[0], *(a[-16:] + b for a, b in zip(chunks, chunks[1:], strict=False))]


def _inflate(data: memoryview, info: zipfile.ZipInfo) -> bytes:
    """A stored or deflated member from the zip's bytes in memory, checked as ``zipfile``
    checks it (local header, name, declared size, CRC) and failing with its errors."""
    header = LOCAL_HEADER.unpack_from(data, info.header_offset) \
        if len(data) >= info.header_offset + LOCAL_HEADER.size else None
    if header is None or header[0] != zipfile.stringFileHeader:
        raise zipfile.BadZipFile("Bad magic number for file header")
    start = info.header_offset + LOCAL_HEADER.size
    raw_name = bytes(data[start:start + header[10]])
    local_name = raw_name.decode("utf-8" if header[3] & UTF8_NAME else "cp437")
    if local_name != info.orig_filename:
        raise zipfile.BadZipFile(f"File name in directory {info.orig_filename!r} and header "
                                 f"{raw_name!r} differ.")
    start += header[10] + header[11]
    raw = data[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_DEFLATED:  # zlib reads 0 as "no limit": ask for 1
        body = zlib.decompressobj(-15).decompress(raw, info.file_size or 1)
    else:
        body = bytes(raw[:info.file_size])
    if len(body) < info.file_size:
        raise EOFError("Compressed file ended before the end-of-stream marker was reached")
    if zlib.crc32(body) != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
    return body

"""The cells of an xlsx's sheets as their XML says them: formulas, error values, styles.

calamine gives values only. Which cells hold a formula or an error value, and which
still carry the form's style, is read here from each sheet's XML, once it has passed
the container's checks (:mod:`consolidate.intake.container`: no DTD, sizes within
limits). The workbook part and its relationships go through ``defusedxml``; the sheets
are scanned without any XML parser, each one only when a check asks for it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import unescape

from defusedxml.ElementTree import fromstring as safe_fromstring

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
#: workbook.xml and its relationships up to this size are parsed once per distinct bytes.
CACHED_PARTS_BYTES = 64 * 1024
#: A relationships part larger than this is not read (a workbook's has a few lines).
MAX_RELS_BYTES = 1024 * 1024


def cell_facts(zf: zipfile.ZipFile, xml: dict[str, bytes]) -> tuple[Facts, Facts, Facts]:
    """Formulas, error values and styled cells per sheet of an xlsx (calamine reports none
    of them), each sheet scanned when first asked for: the checks ask only for the sheets
    they judge. ``xml``: the package's XML members, already inflated and checked."""
    parts: dict[str, bytes] = {}
    for sheet, part in _sheet_parts(xml.get("xl/workbook.xml", b""),
                                    xml.get("xl/_rels/workbook.xml.rels", b"")):
        data = xml.get(part)
        if data is None and part in zf.NameToInfo:  # a sheet part not named .xml
            data = zf.read(part)
        if data is not None:
            parts[sheet] = data
    scan = _Scan(parts)
    return Facts(scan, 0), Facts(scan, 1), Facts(scan, 2)


class _Scan:
    """The sheets' XML, each scanned once (:func:`_scan_cells`) on first use."""

    def __init__(self, parts: dict[str, bytes]):
        self.parts = parts
        self.done: dict[str, tuple[dict[str, str], dict[str, str], set[str]]] = {}

    def of(self, sheet: str) -> tuple[dict[str, str], dict[str, str], set[str]]:
        if sheet not in self.done:
            self.done[sheet] = _scan_cells(self.parts[sheet])
        return self.done[sheet]


class Facts(Mapping[str, Any]):
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
    if rels_xml and len(rels_xml) <= MAX_RELS_BYTES:
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
    """Formulas, error values and styled cells of one sheet's XML: by :func:`_scan_usual`
    when every cell is written the usual way, else cell by cell (:func:`_scan_each`)."""
    usual = _scan_usual(xml)
    return usual if usual is not None else _scan_each(xml)


def _scan_usual(xml: bytes) -> tuple[dict[str, str], dict[str, str], set[str]] | None:
    """The same facts from one search over the whole sheet, when it allows it (None
    otherwise): no error value, no prefixed tag that could be a cell or a formula, every
    ``<c`` tag of the usual shape and every formula its cell's first child (CT_Cell is the
    sequence f, v, is). What Excel, LibreOffice and openpyxl write, and every generated
    form, is read this way, without a Python step per cell."""
    if b't="e"' in xml or _PREFIXED.search(xml) is not None:
        return None
    cells = _USUAL_CELL.findall(xml)
    formulas = {ref.decode("ascii"): "=" + _xml_text(text)
                for ref, _style, _closed, element, text in cells if element}
    if len(cells) != len(_CELL_START.findall(xml)) or \
            len(formulas) != len(_FORMULA_START.findall(xml)):
        return None
    styled = {ref.decode("ascii") for ref, style, *_ in cells if style and style != b"0"}
    return formulas, {}, styled


def _scan_each(xml: bytes) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """Formulas, error values and styled cells of one sheet's XML, cell by cell.

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
#: The whole-sheet search of :func:`_scan_usual`, and what sends a sheet cell by cell.
_USUAL_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"(?: s="([0-9]+)")?(?: t="\w+")?(/?)>'
                         rb"(<f\b[^>]*?(?:/>|>(.*?)</f>))?", re.S)
_PREFIXED = re.compile(rb":[cf][\s/>]")  # a prefixed cell or formula tag, or text like it
_CELL_START = re.compile(rb"<c\s")
_FORMULA_START = re.compile(rb"<f[\s/>]")

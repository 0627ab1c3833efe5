"""The bad-input corpus: every kind of file a commune sends back, made by code.

Each case starts from the real generated form of Phường Đức Xuân (01840), the way a
clerk receives it, and changes it the way people (or their software) do: typed
over, re-saved by another program, pasted into a new workbook, renamed, sent twice,
sent for the wrong unit, or not a spreadsheet at all. Each case states the outcome
the engine must give: accepted, accepted with warnings, rejected (or duplicate), the
finding codes (errors and warnings; info notes are not listed) and, for the main
finding, the sheet and cell.

``python -m tests.corpus`` prints the table that is docs/corpus.md.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from .helpers import fill_workbook

ACCEPTED = "accepted"
WARNINGS = "accepted with warnings"
REJECTED = "rejected"
DUPLICATE = "duplicate"

UNIT = "01840"  # Phường Đức Xuân, TP Bắc Kạn
SIBLING = "01843"  # Phường Phùng Chí Kiên, same district
OUTSIDER = "01864"  # a commune of Huyện Pác Nặm, outside the district's campaign
GOOD: dict[str, dict[tuple[str, str], Any]] = {
    "bieu_1": {("xa", "so_diem_phat_dong"): 1, ("xa", "so_tre_em_tham_du"): "700 trẻ",
               ("xa", "nsnn"): "4.930.000đ", ("xa", "van_dong"): "2.500.000Đ"},
    "bieu_2": {("xa", "tang_qua_so_tre_em"): "15 trẻ", ("xa", "tang_qua_kinh_phi"): 4_000_000},
    "bieu_3": {("xa", "tham_gia_so_hoat_dong"): 1, ("xa", "tham_gia_so_tre_em"): 700},
}
NARRATIVE = {"ket_qua": "Các hoạt động được triển khai thiết thực."}
B1 = "Biểu 1"
XA_CHILDREN = "D10"  # Biểu 1, Cấp xã, Số trẻ em tham dự
XA_NSNN = "G10"  # Biểu 1, Cấp xã, Ngân sách nhà nước
MB = 1024 * 1024
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@dataclass
class Ctx:
    """What a case builder gets: the campaign's blank forms and a place to write."""

    forms: Path  # folder of the generated blank forms
    inbox: Path
    scratch: Path
    other_forms: Path | None = None  # blank forms issued by another workspace

    def form(self, code: str = UNIT) -> Path:
        return next(self.forms.glob(f"{code}_*.xlsx"))

    def filled(self, name: str = "bao-cao.xlsx", answers: dict | None = None,
               narrative: dict[str, str] | None = None, code: str = UNIT) -> Path:
        return fill_workbook(self.form(code), self.inbox / name,
                             GOOD if answers is None else answers,
                             NARRATIVE if narrative is None else narrative)


Builder = Callable[[Ctx], list[Path]]


@dataclass
class Case:
    id: str
    what: str  # Vietnamese: what the clerk did
    build: Builder
    outcome: str
    codes: tuple[str, ...] = ()  # error and warning codes of the case's (last) file, sorted
    sheet: str = ""
    cell: str = ""
    needs: str = ""  # "soffice" | "msoffcrypto"
    also: dict[str, Any] = field(default_factory=dict)  # extra checks, see test_corpus


# --------------------------------------------------------------------------- helpers


def with_answers(**changes: Any) -> dict[str, dict[tuple[str, str], Any]]:
    """GOOD with Biểu 1 Cấp xã cells replaced: with_answers(so_tre_em_tham_du='khoảng 700')."""
    b1 = {**GOOD["bieu_1"], **{("xa", k): v for k, v in changes.items()}}
    return {**GOOD, "bieu_1": b1}


def edit_book(path: Path, edit: Callable[[Workbook], None]) -> Path:
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def unprotect(wb: Workbook, sheet: str = B1) -> Any:
    ws = wb[sheet]
    ws.protection.sheet = False
    return ws


def edit_zip(path: Path, edits: dict[str, Callable[[bytes], bytes]],
             add: dict[str, bytes] | None = None) -> Path:
    """Rewrite members of an xlsx in place (the XML as Excel would have written it)."""
    src = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename in edits:
                data = edits[info.filename](data)
            zout.writestr(info, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    path.write_bytes(out.getvalue())
    return path


def sheet_part(path: Path, title: str) -> str:
    """The zip member of a sheet (openpyxl numbers them in workbook order)."""
    names = load_workbook(path, read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(title) + 1}.xml"


def set_cell_xml(path: Path, sheet: str, ref: str, inner: str, attrs: str = "") -> Path:
    """Replace one cell's XML: a formula with its cached value, an error value, ..."""
    part = sheet_part(path, sheet)

    def edit(xml: bytes) -> bytes:
        pattern = re.compile(rf'<c r="{ref}"( s="\d+")?[^>]*?(/>|>.*?</c>)'.encode())
        match = pattern.search(xml)
        assert match, f"{ref} not in {part}"
        style = match.group(1) or b""
        cell = f'<c r="{ref}"{style.decode()}{attrs}>{inner}</c>'.encode()
        return xml[:match.start()] + cell + xml[match.end():]

    return edit_zip(path, {part: edit})


def set_meta(path: Path, **values: str | None) -> Path:
    """Change (or with None remove) rows of the hidden _meta sheet."""

    def edit(wb: Workbook) -> None:
        ws = wb["_meta"]
        for row in list(ws.iter_rows(min_col=1, max_col=2)):
            key = row[0].value
            if key in values:
                if values[key] is None:
                    row[0].value = row[1].value = None
                else:
                    row[1].value = values[key]

    return edit_book(path, edit)


def write_text(path: Path, sheet: str, ref: str, text: str) -> Path:
    """Type text the way Excel stores it in a text-formatted cell: as a string, not a formula."""

    def edit(wb: Workbook) -> None:
        cell = wb[sheet][ref]
        cell.value = text
        cell.data_type = "s"

    return edit_book(path, edit)


def narrative_cell(ctx: Ctx, key: str) -> str:
    ws = load_workbook(ctx.form(), read_only=True)["Thuyết minh"]
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == key:
            return f"C{row[0].row}"
    raise KeyError(key)


def soffice_convert(path: Path, fmt: str, out_dir: Path) -> Path:
    """Save as another format with LibreOffice headless (File > Save As)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [SOFFICE or "soffice", f"-env:UserInstallation=file://{out_dir / '.lo-profile'}",
         "--headless", "--convert-to", fmt, "--outdir", str(out_dir), str(path)],
        check=True, capture_output=True, timeout=180)
    return out_dir / f"{path.stem}.{fmt.split(':')[0]}"


# --------------------------------------------------------------------------- builders


def ok(ctx: Ctx) -> list[Path]:
    return [ctx.filled()]


def value(**changes: Any) -> Builder:
    return lambda ctx: [ctx.filled(answers=with_answers(**changes))]


def formula_cached(ctx: Ctx) -> list[Path]:
    path = ctx.filled()
    return [set_cell_xml(path, B1, XA_CHILDREN, "<f>350*2</f><v>700</v>")]


def formula_no_value(ctx: Ctx) -> list[Path]:
    return [ctx.filled(answers=with_answers(so_tre_em_tham_du="=350*2"))]


def error_value(error: str, ref: str = XA_CHILDREN) -> Builder:
    def build(ctx: Ctx) -> list[Path]:
        path = ctx.filled()
        return [set_cell_xml(path, B1, ref, f"<v>{error}</v>", ' t="e"')]
    return build


def error_in_narrative(ctx: Ctx) -> list[Path]:
    path = ctx.filled()
    return [set_cell_xml(path, "Thuyết minh", narrative_cell(ctx, "ket_qua"),
                         "<f>VLOOKUP(A1,Z1:Z2,2,0)</f><v>#N/A</v>", ' t="e"')]


def merged(ctx: Ctx) -> list[Path]:
    return [edit_book(ctx.filled(), lambda wb: unprotect(wb).merge_cells("D10:E10"))]


def cleared(ctx: Ctx) -> list[Path]:
    def edit(wb: Workbook) -> None:
        ws = unprotect(wb)
        ws["D10"] = None
        ws["G10"] = None
    return [edit_book(ctx.filled(), edit)]


def shift_left(ctx: Ctx) -> list[Path]:
    """Excel's Delete > Shift cells left on D10: the rest of the row moves one column left."""
    def edit(wb: Workbook) -> None:
        ws = unprotect(wb)
        ws.move_range("E10:I10", cols=-1)
    return [edit_book(ctx.filled(), edit)]


def insert_row(ctx: Ctx) -> list[Path]:
    def edit(wb: Workbook) -> None:
        ws = unprotect(wb)
        ws.insert_rows(9)
        ws["B9"] = "Ghi chú của phường"
    return [edit_book(ctx.filled(), edit)]


def insert_col(ctx: Ctx) -> list[Path]:
    def edit(wb: Workbook) -> None:
        ws = unprotect(wb)
        ws.insert_cols(4)
        ws["D11"] = "ghi chú: 999"
    return [edit_book(ctx.filled(), edit)]


def delete_row(ctx: Ctx) -> list[Path]:
    return [edit_book(ctx.filled(), lambda wb: unprotect(wb).delete_rows(10))]


def delete_col(ctx: Ctx) -> list[Path]:
    return [edit_book(ctx.filled(), lambda wb: unprotect(wb).delete_cols(4))]


def rename_sheet(ctx: Ctx) -> list[Path]:
    def edit(wb: Workbook) -> None:
        wb[B1].title = "Bieu 1 (phuong Duc Xuan)"
    return [edit_book(ctx.filled(), edit)]


def hide_sheet(ctx: Ctx) -> list[Path]:
    def edit(wb: Workbook) -> None:
        wb[B1].sheet_state = "hidden"
    return [edit_book(ctx.filled(), edit)]


def reorder_sheets(ctx: Ctx) -> list[Path]:
    def edit(wb: Workbook) -> None:
        wb._sheets.reverse()
        wb.active = 0
    return [edit_book(ctx.filled(), edit)]


def delete_sheet(ctx: Ctx) -> list[Path]:
    def edit(wb: Workbook) -> None:
        del wb["Biểu 2"]
    return [edit_book(ctx.filled(), edit)]


def pasted(ctx: Ctx) -> list[Path]:
    """Every visible sheet's values pasted into a brand-new workbook (no hidden _meta)."""
    source = load_workbook(ctx.filled(), data_only=True)
    wb = Workbook()
    wb.remove(wb.active)
    for ws in source.worksheets:
        if ws.title == "_meta":
            continue
        copy = wb.create_sheet(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    copy.cell(row=cell.row, column=cell.column, value=cell.value)
    path = ctx.inbox / "bao-cao-dan-lai.xlsx"
    wb.save(path)
    (ctx.inbox / "bao-cao.xlsx").unlink()
    return [path]


def meta(**values: str | None) -> Builder:
    return lambda ctx: [set_meta(ctx.filled(), **values)]


def another_unit_file(ctx: Ctx) -> list[Path]:
    """Phùng Chí Kiên's own form, filled and sent by Đức Xuân's clerk: it is Phùng Chí Kiên's."""
    return [ctx.filled(code=SIBLING, name="duc-xuan-gui.xlsx")]


def foreign_form(ctx: Ctx) -> list[Path]:
    assert ctx.other_forms is not None
    form = next(ctx.other_forms.glob(f"{UNIT}_*.xlsx"))
    return [fill_workbook(form, ctx.inbox / "bieu-mau-noi-khac.xlsx", GOOD, NARRATIVE)]


def same_twice(ctx: Ctx) -> list[Path]:
    first = ctx.filled(name="bao-cao.xlsx")
    second = ctx.inbox / "bao-cao_ban-sao.xlsx"
    shutil.copyfile(first, second)
    return [first, second]


def two_versions(ctx: Ctx) -> list[Path]:
    first = ctx.filled(name="a-ban-dau.xlsx")
    second = ctx.filled(name="b-ban-sua.xlsx", answers=with_answers(so_tre_em_tham_du=720))
    os.utime(first, (1_719_820_800, 1_719_820_800))  # 2024-07-01
    os.utime(second, (1_719_907_200, 1_719_907_200))  # 2024-07-02
    return [first, second]


def converted(fmt: str) -> Builder:
    def build(ctx: Ctx) -> list[Path]:
        path = ctx.filled(name="bao-cao-lo.xlsx")
        out = soffice_convert(path, fmt, ctx.scratch / fmt)
        path.unlink()
        target = ctx.inbox / out.name
        shutil.move(out, target)
        return [target]
    return build


def xlsm(ctx: Ctx) -> list[Path]:
    path = ctx.filled()
    target = path.with_suffix(".xlsm")
    path.rename(target)

    def types(xml: bytes) -> bytes:
        xml = xml.replace(b"spreadsheetml.sheet.main+xml",
                          b"ms-excel.sheet.macroEnabled.main+xml")
        return xml.replace(b"</Types>", b'<Default Extension="bin" ContentType='
                           b'"application/vnd.ms-office.vbaProject"/></Types>')

    def rels(xml: bytes) -> bytes:
        return xml.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://'
                           b'schemas.microsoft.com/office/2006/relationships/vbaProject" '
                           b'Target="vbaProject.bin"/></Relationships>')

    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Attribute VB_Name = \"Module1\"\x00" * 64
    return [edit_zip(target, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
                     add={"xl/vbaProject.bin": vba})]


def encrypted(ctx: Ctx) -> list[Path]:
    from msoffcrypto.format.ooxml import OOXMLFile

    path = ctx.filled()
    plain = path.read_bytes()
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt("matkhau123", out)
    path.write_bytes(out.getvalue())
    return [path]


def truncated(ctx: Ctx) -> list[Path]:
    path = ctx.filled()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    return [path]


def corrupted(ctx: Ctx) -> list[Path]:
    """Bytes flipped inside a compressed member (a bad download): directory intact, CRC not."""
    path = ctx.filled()
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(sheet_part(path, B1))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 40, start + min(info.compress_size - 8, 400), 7):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))
    return [path]


def zip_bomb(ctx: Ctx) -> list[Path]:
    path = ctx.filled()
    return [edit_zip(path, {}, add={"xl/media/image1.png": b"\0" * (8 * MB)})]


def lying_directory(ctx: Ctx) -> list[Path]:
    """A member whose declared size is a tenth of what it inflates to."""
    path = ctx.filled()
    edit_zip(path, {}, add={"xl/printerSettings/printerSettings1.bin": bytes(range(256)) * 4000})
    data = bytearray(path.read_bytes())
    name = b"xl/printerSettings/printerSettings1.bin"
    real = (256 * 4000).to_bytes(4, "little")
    fake = (256 * 400).to_bytes(4, "little")
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        k = 0
        while (k := data.find(header, k)) >= 0:
            name_at = k + (30 if header == b"PK\x03\x04" else 46)
            at = slice(k + offset, k + offset + 4)
            if data[name_at:name_at + len(name)] == name and data[at] == real:
                data[at] = fake
            k += 4
    path.write_bytes(bytes(data))
    return [path]


BILLION_LAUGHS = ('<!DOCTYPE worksheet [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 or "")) * 10}">' for i in range(1, 10)) + "]>").encode()


def entity_bomb(ctx: Ctx) -> list[Path]:
    """Billion laughs in the sheet XML: a DTD, and a cell whose text expands to 3 GB."""
    path = ctx.filled()

    def edit(xml: bytes) -> bytes:
        head, _, body = xml.partition(b"?>")
        body = body.replace(b"<t>Ghi ch", b"<t>&lol9;Ghi ch", 1)
        return head + b"?>" + BILLION_LAUGHS + body

    return [edit_zip(path, {sheet_part(path, B1): edit})]


def external_entity(ctx: Ctx) -> list[Path]:
    def edit(xml: bytes) -> bytes:
        head, _, body = xml.partition(b"?>")
        return head + b'?><!DOCTYPE workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + body
    return [edit_zip(ctx.filled(), {"xl/workbook.xml": edit})]


def raw(name: str, data: bytes) -> Builder:
    def build(ctx: Ctx) -> list[Path]:
        path = ctx.inbox / name
        path.write_bytes(data)
        return [path]
    return build


def docx(ctx: Ctx) -> list[Path]:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return raw("bao-cao.xlsx", out.getvalue())(ctx)


def zipped_form(ctx: Ctx) -> list[Path]:
    path = ctx.filled()
    out = ctx.inbox / "bao-cao-nen.xlsx"
    with zipfile.ZipFile(out, "w") as zf:
        zf.write(path, "bao-cao.xlsx")
    path.unlink()
    return [out]


def sheet_50mb(ctx: Ctx) -> list[Path]:
    """A form whose Biểu 3 sheet holds 50 MB of XML, written straight into the zip."""
    path = ctx.filled()
    part = sheet_part(path, "Biểu 3")
    rows = b"".join(b'<row r="%d"><c r="B%d" t="inlineStr"><is><t>Dong so %d ghi chu '
                    b'%x</t></is></c><c r="C%d"><v>%d</v></c></row>'
                    % (i, i, i, i * 2654435761 % 2**32, i, i * 7919 % 100003)
                    for i in range(20, 20 + 440_000))
    xml = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
           b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + rows
           + b"</sheetData></worksheet>")
    assert len(xml) > 50 * MB
    src = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, xml if info.filename == part else zin.read(info))
    path.write_bytes(out.getvalue())
    return [path]


def big_raw(ctx: Ctx) -> list[Path]:
    path = ctx.inbox / "bao-cao-rat-lon.xlsx"
    with path.open("wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(25 * MB)
    return [path]


def named(name: str) -> Builder:
    return lambda ctx: [ctx.filled(name=name)]


def formula_like_text(ctx: Ctx) -> list[Path]:
    path = ctx.filled(narrative={})
    texts = {"chi_dao": '=HYPERLINK("http://example.invalid","Bấm vào đây")',
             "phat_dong": "+84 912 345 678 là số điện thoại đường dây nóng",
             "noi_dung": "- Tuyên truyền Luật Trẻ em; - thăm hỏi, tặng quà",
             "ket_qua": "@xa Duc Xuan: đã hoàn thành", "ton_tai": "=1+1",
             "kien_nghi": "=cmd|' /C calc'!A0"}
    for key, text in texts.items():
        write_text(path, "Thuyết minh", narrative_cell(ctx, key), text)
    return [path]


def computed_row(ctx: Ctx) -> list[Path]:
    """The district's own form with a figure typed in Cấp xã, which it rolls up."""
    answers = {"bieu_1": {("huyen", "so_tre_em_tham_du"): 200, ("xa", "so_tre_em_tham_du"): 5000}}
    return [ctx.filled(answers=answers, code="058")]


def blank_form(ctx: Ctx) -> list[Path]:
    """The form received, opened and saved back unfilled (File > Save), then sent."""
    path = ctx.inbox / "bao-cao.xlsx"
    load_workbook(ctx.form()).save(path)
    return [path]


def nothing_to_report(ctx: Ctx) -> list[Path]:
    """Every figure of the commune's row typed as 0 or "-": a real "nothing to report"."""
    row = {"so_diem_phat_dong": 0, "so_tre_em_tham_du": "-", "cong_trinh_xay_moi": 0,
           "cong_trinh_nang_cap": "-", "nsnn": 0, "van_dong": "-"}
    return [ctx.filled(answers={"bieu_1": {("xa", k): v for k, v in row.items()}},
                       narrative={})]


TOTAL_FORMULA = '<f>IF(COUNT(D8:D10)=0,"",SUM(D8:D10))</f>'
XA_TOTAL = "D11"  # Biểu 1, Tổng cộng, Số trẻ em tham dự


def total_cached(ctx: Ctx) -> list[Path]:
    """Saved by Excel: the total row keeps its formula and the sum Excel computed."""
    return [set_cell_xml(ctx.filled(), B1, XA_TOTAL, f"{TOTAL_FORMULA}<v>700</v>")]


def total_typed(ctx: Ctx) -> list[Path]:
    """Sheet unprotected, 1500 typed over the total while Cấp xã says 700."""
    def edit(wb: Workbook) -> None:
        unprotect(wb)[XA_TOTAL] = 1500
    return [edit_book(ctx.filled(), edit)]


def total_only(ctx: Ctx) -> list[Path]:
    """Sheet unprotected, the figure typed in the total row only, Cấp xã left blank."""
    def edit(wb: Workbook) -> None:
        unprotect(wb)[XA_TOTAL] = 700
    return [edit_book(ctx.filled(answers=with_answers(so_tre_em_tham_du=None)), edit)]


def label_changed(ctx: Ctx) -> list[Path]:
    def edit(wb: Workbook) -> None:
        unprotect(wb)["B10"] = "Cấp phường"
    return [edit_book(ctx.filled(), edit)]


def html_xls(ctx: Ctx) -> list[Path]:
    return raw("bao-cao.xls", "<html><body><table><tr><td>Số trẻ em</td><td>700</td></tr>"
                              "</table></body></html>".encode())(ctx)


# --------------------------------------------------------------------------- the cases

CASES: list[Case] = [
    Case("ok", "Biểu mẫu điền đúng (số gõ kiểu '700 trẻ', '4.930.000đ')", ok, ACCEPTED),
    Case("text-not-number", "Gõ chữ vào ô số: 'khoảng 700'", value(so_tre_em_tham_du="khoảng 700"),
         REJECTED, ("value-not-number",), B1, XA_CHILDREN),
    Case("negative", "Số âm: -5", value(so_tre_em_tham_du=-5), REJECTED, ("value-not-number",),
         B1, XA_CHILDREN),
    Case("fraction", "Số lẻ thập phân cho số người: 12,5", value(so_tre_em_tham_du=12.5),
         REJECTED, ("value-not-number",), B1, XA_CHILDREN),
    Case("ambiguous-separator", "Dấu phẩy không rõ nghĩa: '9,367'",
         value(so_tre_em_tham_du="9,367"), REJECTED, ("value-not-number",), B1, XA_CHILDREN),
    Case("absurdly-large", "Số lớn vô lý: 10^13 trẻ em", value(so_tre_em_tham_du=10**13),
         REJECTED, ("value-not-number",), B1, XA_CHILDREN),
    Case("absurd-money-text", "Kinh phí gõ '5 tỷ tỷ đồng'", value(nsnn="5 tỷ tỷ đồng"),
         REJECTED, ("value-not-number",), B1, XA_NSNN),
    Case("formula-cached", "Công thức =350*2 trong ô nhập (Excel đã tính ra 700)",
         formula_cached, WARNINGS, ("formula-in-input",), B1, XA_CHILDREN),
    Case("formula-no-value", "Công thức =350*2 chưa được tính (không có giá trị)",
         formula_no_value, REJECTED, ("formula-without-value",), B1, XA_CHILDREN),
    Case("error-ref", "Giá trị lỗi #REF! trong ô nhập", error_value("#REF!"), REJECTED,
         ("cell-error-value",), B1, XA_CHILDREN),
    Case("error-div0", "Giá trị lỗi #DIV/0! trong ô kinh phí", error_value("#DIV/0!", XA_NSNN),
         REJECTED, ("cell-error-value",), B1, XA_NSNN),
    Case("error-na-narrative", "Giá trị lỗi #N/A trong ô thuyết minh", error_in_narrative,
         REJECTED, ("cell-error-value",), "Thuyết minh", "C12"),
    Case("merged-cells", "Gộp hai ô nhập D10:E10", merged, REJECTED, ("merged-input-cells",),
         B1, "D10:E10"),
    Case("cleared-cells", "Xóa nội dung ô nhập (phím Delete): không có số liệu, không phải 0",
         cleared, ACCEPTED),
    Case("deleted-cell-shift-left", "Xóa ô D10 kiểu 'dịch ô sang trái': số liệu lệch cột",
         shift_left, REJECTED, ("input-cell-moved",), B1, "H10"),
    Case("inserted-row", "Chèn thêm một dòng ghi chú vào giữa bảng (ghi chú được báo lại)",
         insert_row, WARNINGS, ("text-outside-input",), B1, "B9"),
    Case("inserted-column", "Chèn thêm một cột ghi chú (ghi chú được báo lại)", insert_col,
         WARNINGS, ("text-outside-input",), B1, "D11"),
    Case("deleted-row", "Xóa dòng Cấp xã", delete_row, REJECTED, ("row-missing",), B1),
    Case("deleted-column", "Xóa cột Số trẻ em tham dự", delete_col, REJECTED,
         ("column-missing",), B1),
    Case("renamed-sheet", "Đổi tên trang 'Biểu 1'", rename_sheet, ACCEPTED),
    Case("hidden-sheet", "Ẩn trang 'Biểu 1'", hide_sheet, ACCEPTED),
    Case("reordered-sheets", "Đảo thứ tự các trang", reorder_sheets, ACCEPTED),
    Case("deleted-sheet", "Xóa trang 'Biểu 2'", delete_sheet, REJECTED, ("sheet-missing",)),
    Case("pasted-into-new", "Dán số liệu sang một tệp Excel mới (mất trang ẩn _meta)", pasted,
         REJECTED, ("metadata-missing",)),
    Case("relabelled-unit", "Sửa mã đơn vị trong _meta thành phường khác (01843)",
         meta(unit_code=SIBLING), REJECTED, ("token-mismatch",)),
    Case("unit-outside", "Sửa mã đơn vị thành xã của huyện khác (01864)",
         meta(unit_code=OUTSIDER), REJECTED, ("unit-unknown",)),
    Case("another-unit-form", "Cán bộ phường này điền và gửi biểu mẫu của phường khác",
         another_unit_file, ACCEPTED, also={"unit": SIBLING}),
    Case("another-period", "Biểu mẫu kỳ báo cáo 2023", meta(period="2023"), REJECTED,
         ("period-mismatch",)),
    Case("another-version", "Biểu mẫu phiên bản cũ (phiên bản 0)", meta(form_version="0"),
         REJECTED, ("form-version-mismatch",)),
    Case("another-form", "Biểu mẫu của một loại báo cáo khác", meta(form_id="bao-cao-khac"),
         REJECTED, ("form-mismatch",)),
    Case("token-removed", "Biểu mẫu cũ không có mã xác thực", meta(issuer=None, token=None),
         WARNINGS, ("token-missing",)),
    Case("foreign-issuer", "Biểu mẫu do thư mục làm việc khác phát hành", foreign_form,
         WARNINGS, ("token-foreign",)),
    Case("same-file-twice", "Gửi cùng một tệp hai lần (tên khác)", same_twice, DUPLICATE),
    Case("two-versions", "Hai tệp khác nhau của cùng một đơn vị: bản sau được tính",
         two_versions, ACCEPTED, also={"counts": 720}),
    Case("xls", "Lưu lại dạng .xls bằng LibreOffice", converted("xls"), ACCEPTED,
         needs="soffice"),
    Case("ods", "Lưu lại dạng .ods bằng LibreOffice", converted("ods"), ACCEPTED,
         needs="soffice"),
    Case("xlsm", "Tệp .xlsm có macro VBA", xlsm, WARNINGS, ("macros-ignored",)),
    Case("password", "Tệp đặt mật khẩu mở", encrypted, REJECTED, ("file-encrypted",),
         needs="msoffcrypto"),
    Case("truncated", "Tệp tải về không hết (mất 1/3 cuối)", truncated, REJECTED,
         ("file-damaged",)),
    Case("corrupted", "Tệp hỏng: sai dữ liệu bên trong một thành phần nén", corrupted, REJECTED,
         ("file-damaged",)),
    Case("zip-bomb", "Bom nén: 8 MB số 0 nén còn vài KB", zip_bomb, REJECTED, ("zip-bomb",)),
    Case("lying-directory", "Thư mục zip khai kích thước nhỏ hơn thực tế (bị chặn khi giải nén "
         "vượt kích thước khai báo)", lying_directory, REJECTED, ("file-damaged",)),
    Case("entity-bomb", "Bom thực thể XML (billion laughs) trong sharedStrings.xml",
         entity_bomb, REJECTED, ("xml-unsafe",)),
    Case("external-entity", "Thực thể XML ngoài (XXE) trong workbook.xml", external_entity,
         REJECTED, ("xml-unsafe",)),
    Case("pdf-renamed", "Tệp PDF đổi đuôi thành .xlsx",
         raw("bao-cao.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"), REJECTED,
         ("file-unreadable",)),
    Case("docx-renamed", "Văn bản Word đổi đuôi thành .xlsx", docx, REJECTED,
         ("file-unreadable",)),
    Case("text-renamed", "Tệp văn bản (CSV) đổi đuôi thành .xlsx",
         raw("bao-cao.xlsx", "Số trẻ em;700\n".encode()), REJECTED, ("file-unreadable",)),
    Case("html-as-xls", "Trang web lưu với đuôi .xls", html_xls, REJECTED, ("file-unreadable",)),
    Case("zipped-form", "Biểu mẫu được nén thành .zip rồi đặt tên .xlsx", zipped_form,
         REJECTED, ("file-unreadable",)),
    Case("empty", "Tệp rỗng (0 byte)", raw("bao-cao.xlsx", b""), REJECTED, ("file-empty",)),
    Case("sheet-50mb", "Trang tính 50 MB (từ chối theo thư mục zip, không giải nén)",
         sheet_50mb, REJECTED, ("file-too-large",)),
    Case("file-25mb", "Tệp 25 MB", big_raw, REJECTED, ("file-too-large",)),
    Case("name-diacritics", "Tên tệp có dấu và khoảng trắng",
         named("Báo cáo phường Đức Xuân (bản cuối).xlsx"), ACCEPTED),
    Case("name-dotdot", "Tên tệp có '..' và dấu gạch chéo ngược", named("..\\..\\bao cao.xlsx"),
         ACCEPTED),
    Case("name-leading-dots", "Tên tệp bắt đầu bằng '..'", named("..bao-cao-xa.xlsx"), ACCEPTED),
    Case("formula-like-text", "Thuyết minh bắt đầu bằng =, +, -, @ (lưu là chữ)",
         formula_like_text, ACCEPTED, also={"texts": True}),
    Case("value-in-computed-row", "Huyện nhập số vào dòng Cấp xã (dòng tổng hợp từ các xã)",
         computed_row, WARNINGS, ("value-in-computed-cell",), B1, XA_CHILDREN),
    Case("text-formula-in-number", "Gõ '=700' dạng chữ vào ô số",
         lambda ctx: [write_text(ctx.filled(), B1, XA_CHILDREN, "=700")], REJECTED,
         ("value-not-number",), B1, XA_CHILDREN),
    Case("blank-form", "Gửi lại biểu mẫu trống (mở rồi lưu, không nhập gì)", blank_form,
         REJECTED, ("form-blank",)),
    Case("nothing-to-report", "Không có gì để báo cáo: nhập 0 hoặc \"-\" vào mọi ô",
         nothing_to_report, ACCEPTED),
    Case("total-cached", "Excel lưu tổng đã tính (700) trong dòng Tổng cộng", total_cached,
         ACCEPTED),
    Case("total-typed-over", "Bỏ khóa trang, gõ đè 1500 vào dòng Tổng cộng (Cấp xã là 700)",
         total_typed, WARNINGS, ("total-mismatch",), B1, XA_TOTAL),
    Case("total-only", "Bỏ khóa trang, chỉ nhập số vào dòng Tổng cộng, để trống dòng Cấp xã",
         total_only, REJECTED, ("total-without-parts",), B1, XA_TOTAL),
    Case("label-changed", "Bỏ khóa trang, sửa nhãn 'Cấp xã' thành 'Cấp phường'", label_changed,
         WARNINGS, ("text-outside-input",), B1, "B10"),
]


def markdown() -> str:
    """docs/corpus.md: the table of cases and their expected (and tested) outcomes."""
    lines = [
        "# Bad-input corpus / Bộ tệp đầu vào lỗi",
        "",
        "Generated by `python -m tests.corpus > docs/corpus.md` from `tests/corpus.py`; "
        "`tests/test_corpus.py` ingests every case and checks exactly this outcome "
        "(and fails if this file is out of date).",
        "",
        f"{len(CASES)} cases. Outcome: accepted / accepted with warnings / rejected / "
        "duplicate. Codes: the error and warning codes of the file (info notes omitted); "
        "sheet and cell: where the main finding points.",
        "",
        "| # | case | what the clerk did (Vietnamese) | outcome | codes | sheet | cell |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for n, case in enumerate(CASES, start=1):
        what = case.what.replace("|", "\\|")
        needs = f" (needs {case.needs})" if case.needs else ""
        lines.append(f"| {n} | `{case.id}`{needs} | {what} | {case.outcome} | "
                     f"{', '.join(f'`{c}`' for c in case.codes) or '–'} | {case.sheet or '–'} "
                     f"| {case.cell or '–'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")

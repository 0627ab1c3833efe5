"""Issue 10, items 3 and 4: implausible indicators and typed results that disagree.

Item 3: a denominator several indicators share ("Số trẻ đẻ sống" for the three
mortality rates of Chỉ tiêu 3) is one element, typed once; relations between
indicator parts (newborn ≤ under-1 deaths …) are rules of the YAML, run on each
report at ingest and on each roll-up. Item 4: a result a unit typed ("Kết quả đơn vị
tự tính") that the figures below it do not give is said, with both numbers, at
ingest, in the status listing and on the consolidated workbook's check sheet.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from consolidate import api
from consolidate.cli import main
from consolidate.core.spec import SpecError
from consolidate.core.specfile import load_spec
from consolidate.core.workspace import Workspace
from consolidate.forms.layout import KEY_ROW, TABLE_MARK
from consolidate.outputs.workbook import FINDINGS_SHEET

from .helpers import fill_workbook, form_path

FORM = "quyen-tre-em"
Answers = dict[str, dict[tuple[str, str], Any]]


def commune(children: int, boys: int, injured: int, **parts: int) -> Answers:
    """A commune's figures that hold every rule of the form, with the given indicator parts
    (``ct3_so_sinh=159`` types 159 as that indicator's numerator)."""
    situation = {"dan_so": children * 5, "tre_em": children, "tre_em_nam": boys,
                 "tre_em_nu": children - boys, "dan_toc_kinh": children // 3,
                 "dan_toc_khac": children - children // 3, "duoi_6_tuoi": children // 4,
                 "duoi_5_tuoi": children // 5, "can_do_duoi_5": children // 6}
    injuries = {"tai_nan": injured, "tu_vong": 0, "tu_vong_duoi_nuoc": 0,
                "tu_vong_giao_thong": 0, "tu_vong_khac": 0}
    births = {"de_song": children // 25}
    return {"tinh_hinh": {(r, "so_lieu"): v for r, v in situation.items()},
            "bao_luc": {(r, "so_lieu"): v for r, v in injuries.items()},
            "khai_sinh": {(r, "so_lieu"): v for r, v in births.items()},
            "phu_luc_02": {(r, "tu_so"): v for r, v in parts.items()}}


def setup(ws: Path, unit: str) -> Any:
    """A campaign and its blank forms, made the way an officer makes them."""
    api.init(ws, FORM, "2024", unit)
    api.forms(ws)
    return Workspace(ws).campaigns()[0]


def send(campaign: Any, code: str, answers: Answers) -> Path:
    """A clerk fills the unit's generated form and it lands in the inbox."""
    return fill_workbook(form_path(campaign, code), campaign.workspace.inbox / f"{code}.xlsx",
                         answers)


def asked_for(path: Path, sheet: str | None = None) -> list[str]:
    """What each input (unlocked) cell of a form asks for: a field row's label, or the part
    label an indicator row names for its Tử số / Mẫu số column."""
    wb = load_workbook(path)
    asked = []
    for ws in wb.worksheets:
        if not str(ws["A1"].value or "").startswith(TABLE_MARK) or sheet not in (None, ws.title):
            continue
        cols = {c.value: c.column for c in ws[KEY_ROW] if c.value}
        for key in ws["A"][KEY_ROW:]:
            if not key.value:
                continue
            label = str(ws.cell(row=key.row, column=2).value or "")
            parts = dict(re.findall(r"(Tử số|Mẫu số): ([^;]+?)(?:;|\)$| ×)", label))
            if parts:
                for part, col in (("Tử số", "tu_so"), ("Mẫu số", "mau_so")):
                    cell = ws.cell(row=key.row, column=cols[col])
                    if part in parts and not cell.protection.locked:
                        asked.append(parts[part].strip())
            elif "so_lieu" in cols and not ws.cell(row=key.row,
                                                   column=cols["so_lieu"]).protection.locked:
                asked.append(label.splitlines()[0].lstrip("- ").strip())
    return asked


# --------------------------------------------------------------------------- item 3


def test_live_births_are_typed_in_one_input_cell_of_the_generated_form(tmp_path: Path) -> None:
    campaign = setup(tmp_path / "ws", "058")
    asked = asked_for(form_path(campaign, "01840"))
    assert [a for a in asked if a.startswith("Số trẻ đẻ sống")] == ["Số trẻ đẻ sống trong năm"]


def test_no_figure_is_asked_for_in_two_input_cells_of_the_rights_form(tmp_path: Path) -> None:
    """Each part of Phụ lục 02 is asked for once: a figure shared by several indicators
    (live births, children weighed) is typed on its own row and named there."""
    campaign = setup(tmp_path / "ws", "058")
    asked = [a.casefold() for a in asked_for(form_path(campaign, "01840"), "Phụ lục 02")]
    assert len(asked) > 10
    assert sorted({a for a in asked if asked.count(a) > 1}) == []
    fields = [a.casefold() for a in asked_for(form_path(campaign, "01840"))]
    assert fields.count("trẻ em dưới 5 tuổi được cân, đo trong năm") == 1


def test_spec_refuses_an_indicator_table_typing_a_shared_part_twice(tmp_path: Path) -> None:
    variant = tmp_path / "bien-the.yaml"
    variant.write_text(
        "extends: quyen-tre-em\nid: bien-the\ntitle: Biến thể\nchecks: []\ntables:\n"
        "  - id: phu_luc_02\n    sheet: Phụ lục 02\n    title: Chỉ tiêu\n    kind: indicators\n"
        "    indicators:\n"
        "      - {id: ct3_so_sinh, label: Sơ sinh, scale: 1000, better: lower,\n"
        "         numerator: Số trẻ sơ sinh tử vong, denominator: Số trẻ đẻ sống}\n"
        "      - {id: ct3_duoi_1, label: Dưới 1 tuổi, scale: 1000, better: lower,\n"
        "         numerator: Số trẻ dưới 1 tuổi tử vong, denominator: Số trẻ đẻ sống}\n",
        encoding="utf-8")
    with pytest.raises(SpecError) as refused:
        load_spec(variant)
    message = str(refused.value)
    assert "bien-the.yaml" in message and "ct3_so_sinh, ct3_duoi_1" in message
    assert "số trẻ đẻ sống" in message and "{ref: bảng.dòng}" in message


def test_newborn_deaths_above_under_one_deaths_are_refused_at_ingest(tmp_path: Path) -> None:
    campaign = setup(tmp_path / "ws", "058")
    send(campaign, "01840", commune(3385, 1700, 2, ct3_so_sinh=159, ct3_duoi_1=94,
                                    ct3_duoi_5=120))
    result = api.ingest(campaign.workspace.path)
    [slip] = [f for f in result.findings if f.code == "check-failed"]
    assert slip.is_error and slip.rule == "tu_vong_so_sinh" and slip.unit == "01840"
    assert slip.sheet == "Phụ lục 02" and slip.cell == "F8, F9"
    assert "sơ sinh tử vong (159) ≤ Số trẻ em dưới 1 tuổi tử vong (94)" in slip.message
    assert result.report.stats["rejected"] == 1


def test_rule_on_indicator_parts_runs_on_the_rollup_check_sheet(tmp_path: Path) -> None:
    """Each commune leaves one of the two counts blank: nothing to compare at ingest, but
    the district's sums break the rule, and its "Kiểm tra số liệu" sheet says so."""
    campaign = setup(tmp_path / "ws", "058")
    send(campaign, "01840", commune(2000, 1000, 1, ct3_so_sinh=159))
    send(campaign, "01843", commune(2000, 1000, 1, ct3_duoi_1=94))
    assert api.ingest(campaign.workspace.path).valid
    made = api.report(campaign.workspace.path)
    [book] = [r.workbook for r in made.reports]
    rows = [r for r in load_workbook(book)[FINDINGS_SHEET].iter_rows(values_only=True)
            if r[0] == "Thành phố Bắc Kạn"]
    assert any(r[1] == "Lỗi" and "(159)" in r[2] and "(94)" in r[2] for r in rows), rows


# --------------------------------------------------------------------------- item 4


def type_result(book: Path, out: Path, indicator: str, value: float) -> Path:
    """The district's officer unprotects Phụ lục 02 of the consolidated workbook and types
    over the result, as seed 002's "14/9.367 = 1,25"."""
    wb = load_workbook(book)
    ws = wb["Phụ lục 02"]
    ws.protection.sheet = False
    row = next(c.row for c in ws["A"] if c.value == indicator)
    col = next(c.column for c in ws[KEY_ROW] if c.value == "ket_qua")
    ws.cell(row=row, column=col, value=value)
    wb.save(out)
    return out


def test_district_result_typed_over_its_communes_is_said_at_the_province(
        tmp_path: Path) -> None:
    # seed 002: 16 children injured of 9.367, published as 1,25 (16/9.367 × 1.000 = 1,71)
    district = setup(tmp_path / "huyen", "058")
    send(district, "01840", commune(5000, 2500, 10))
    send(district, "01843", commune(4367, 2200, 6))
    assert api.ingest(district.workspace.path).valid
    [made] = api.report(district.workspace.path).reports
    sent = type_result(made.workbook, tmp_path / "058_gui_tinh.xlsx", "ct11_tai_nan", 1.25)

    province = setup(tmp_path / "tinh", "06")
    result = api.ingest(province.workspace.path, [sent])
    both = "1,25‰ đơn vị tự tính; tính lại từ số liệu các đơn vị trực thuộc 16/9.367 = 1,71‰"
    [warn] = [f for f in result.findings if f.code == "rollup-rate-inconsistent"]
    assert not warn.is_error and warn.unit == "058" and both in warn.message
    assert warn.sheet == "Phụ lục 02" and warn.cell.startswith("H")
    assert result.report.stats["accepted"] == 1

    status = api.status(province.workspace.path)
    [row] = [u for u in status.units if u["code"] == "058"]
    assert both in row["note"]
    shown = CliRunner().invoke(main, ["status", "-w", str(province.workspace.path)])
    assert shown.exit_code == 0 and both in shown.output, shown.output

    [book] = [r.workbook for r in api.report(province.workspace.path).reports]
    rows = list(load_workbook(book)[FINDINGS_SHEET].iter_rows(values_only=True))
    assert any(r[0] == "Thành phố Bắc Kạn" and r[1] == "Cảnh báo" and both in r[2]
               for r in rows), rows


def test_district_result_typed_in_its_own_form_is_checked_against_its_communes(
        tmp_path: Path) -> None:
    district = setup(tmp_path / "huyen", "058")
    send(district, "01840", commune(5000, 2500, 10))
    send(district, "01843", commune(4367, 2200, 6))
    send(district, "058", {"phu_luc_02": {("ct11_tai_nan", "ket_qua"): "1,25"}})
    assert api.ingest(district.workspace.path).valid
    [made] = api.report(district.workspace.path).reports
    rows = list(load_workbook(made.workbook)[FINDINGS_SHEET].iter_rows(values_only=True))
    both = "1,25‰ đơn vị tự tính; tính lại từ số liệu các đơn vị trực thuộc 16/9.367 = 1,71‰"
    assert any(r[1] == "Cảnh báo" and both in r[2] for r in rows), rows
    [row] = [u for u in api.status(district.workspace.path).units if u["code"] == "058"]
    assert both in row["note"]


def test_commune_result_typed_with_two_decimals_that_rounds_alike_is_not_flagged(
        tmp_path: Path) -> None:
    campaign = setup(tmp_path / "ws", "058")
    answers = commune(9367, 4814, 16)
    answers["phu_luc_02"] = {("ct11_tai_nan", "ket_qua"): "1,71",  # 1,7081… rounded
                             ("ct11_tu_vong", "ket_qua"): "0,2"}  # 0 of 9.367: 0
    send(campaign, "01840", answers)
    result = api.ingest(campaign.workspace.path)
    [warn] = [f for f in result.findings if f.code == "rate-inconsistent"]
    assert "0,20‰ đơn vị tự tính; tính lại từ 0/9.367 = 0,00‰" in warn.message
    status = api.status(campaign.workspace.path)
    [row] = [u for u in status.units if u["code"] == "01840"]
    assert warn.message in row["note"]

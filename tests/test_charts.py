"""Charts by child unit: the native Excel chart in the workbook and the PNG for Word."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from consolidate.core import specfile
from consolidate.core.specfile import load_spec
from consolidate.core.workspace import Campaign, Workspace
from consolidate.demo import SEED_000_DISTRICT, fill_campaign, fill_workbook
from consolidate.intake.ingest import ingest
from consolidate.outputs.charts import (
    CHART_SHEET,
    NO_DATA,
    SHEET_CHART_HEIGHT_CM,
    SHEET_CHART_UNITS,
    chart_def,
    chart_png,
    child_frame,
)

from .conftest import Filler, form_path, make_campaign
from .helpers import fill_seed_000, rollup_of, write_reports

KIDS, STATE, RAISED = "Lượt trẻ em", "Ngân sách nhà nước", "Vận động"


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Campaign:
    """TP Bắc Kạn with seed 000's figures from all eight wards and communes."""
    campaign = make_campaign(tmp_path_factory.mktemp("charts") / "ws")
    fill_seed_000(campaign)
    return Workspace(campaign.workspace.path).campaign(campaign.id)


def test_workbook_has_a_native_bar_chart_sheet_of_the_communes(city: Campaign) -> None:
    [result] = write_reports(city)
    ws = load_workbook(result.workbook)[CHART_SHEET]
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=5, values_only=True) if r[0]}
    assert [c.value for c in ws[4]][:4] == ["Đơn vị", KIDS, STATE, RAISED]
    assert len(rows) == 8
    # Đức Xuân: 545 gifts + 12 scholarships + 580 at play; 3.000.000 đ state, 5.000.000 đ raised
    assert rows["Phường Đức Xuân"] == (1137, 3_000_000, 5_000_000)
    with zipfile.ZipFile(result.workbook) as z:
        charts = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert len(charts) == 2  # children reached; money, state budget and raised stacked
        xml = [z.read(n).decode() for n in sorted(charts)]
    assert all('barDir val="bar"' in x for x in xml)  # horizontal bars
    assert "'Biểu đồ'!$B$5:$B$12" in xml[0] and "'Biểu đồ'!$A$5:$A$12" in xml[0]
    assert 'grouping val="stacked"' in xml[1] and "'Biểu đồ'!$D$5:$D$12" in xml[1]


def test_chart_figures_add_up_to_the_level_rows_below_the_unit(city: Campaign) -> None:
    rollup = rollup_of(city, "058")
    frame = child_frame(rollup)
    assert frame[STATE].sum() == rollup.value("bieu_1", "xa", "nsnn") == 24_500_000
    assert frame[RAISED].sum() == rollup.value("bieu_1", "xa", "van_dong") == 28_900_000
    reached = sum(rollup.value(t, "xa", c) or 0 for t, c in (
        ("bieu_1", "so_tre_em_tham_du"), ("bieu_2", "tang_qua_so_tre_em"),
        ("bieu_2", "hoc_bong_so_tre_em"), ("bieu_2", "kham_benh_so_tre_em"),
        ("bieu_3", "tham_gia_so_tre_em"), ("bieu_3", "vui_choi_so_tre_em")))
    assert frame[KIDS].sum() == reached == 22 + 3763 + 42 + 459 + 4190


def test_province_chart_counts_each_district_with_its_communes(tmp_path) -> None:
    province = make_campaign(tmp_path / "ws", unit="06")
    inbox = province.workspace.inbox
    fill_workbook(form_path(province, "058"), inbox / "058.xlsx", SEED_000_DISTRICT)
    fill_workbook(form_path(province, "01840"), inbox / "01840.xlsx",
                  {"bieu_1": {("xa", "nsnn"): 3_000_000}})
    fill_workbook(form_path(province, "060"), inbox / "060.xlsx",
                  {"bieu_1": {("huyen", "nsnn"): 7_000_000, ("tinh", "nsnn"): 1_000_000}})
    assert ingest(province.workspace).valid
    rollup = rollup_of(Workspace(province.workspace.path).campaign(province.id))
    frame = child_frame(rollup)
    assert len(frame) == 8 and frame.index[0] == "Thành phố Bắc Kạn"
    assert frame.loc["Thành phố Bắc Kạn", STATE] == 96_950_000 + 3_000_000
    # what Pác Nặm gave to the province's own event is the province's, not Pác Nặm's
    assert frame.loc["Huyện Pác Nặm", STATE] == 7_000_000
    assert frame[STATE].isna().sum() == 6  # districts that sent nothing draw no bar


def test_png_is_drawn_for_units_with_units_below_only(city: Campaign) -> None:
    png = chart_png(rollup_of(city, "058"))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and 1200 <= image.width <= 1300  # 16 cm at 200 dpi
    assert chart_png(rollup_of(city, "01840")) is None  # a ward has no units below
    [result] = write_reports(city, ["01840"], city.workspace.path / "ward")
    assert CHART_SHEET not in load_workbook(result.workbook).sheetnames


SUMMER = """\
id: hoat-dong-he
title: Báo cáo hoạt động hè cho trẻ em
short_title: Hoạt động hè
tables:
  - id: he
    sheet: Hoạt động hè
    title: Hoạt động hè cho trẻ em
    rows: levels
    columns:
      - {id: so_lop, label: Số lớp năng khiếu, kind: count}
      - {id: tre_em, label: Số trẻ em tham gia, kind: count}
      - {id: tre_em_boi, label: Số trẻ em học bơi, kind: count}
      - {id: kinh_phi, label: Kinh phí (đồng), kind: money}
chart:
  title: Trẻ em tham gia hoạt động hè
  panels:
    - title: Trẻ em tham gia, học bơi
      series:
        - {label: Trẻ em hè, sum: [he.tre_em, he.tre_em_boi]}
    - title: Kinh phí hè (đồng)
      money: true
      series:
        - {label: Kinh phí hè, sum: [he.kinh_phi]}
"""


def test_a_form_written_in_yaml_alone_gets_its_declared_chart(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fill: Filler) -> None:
    """A new YAML file beside the shipped ones: no code names it, yet its chart is drawn."""
    spec_path = tmp_path / "hoat-dong-he.yaml"
    spec_path.write_text(SUMMER, encoding="utf-8")
    shipped = specfile.shipped_specs()
    monkeypatch.setattr(specfile, "shipped_specs", lambda: {**shipped, "hoat-dong-he": spec_path})
    summer = make_campaign(tmp_path / "ws", form="hoat-dong-he")
    fill(summer, "01840", {"he": {("xa", "so_lop"): 9, ("xa", "tre_em"): 120,
                                  ("xa", "tre_em_boi"): 30, ("xa", "kinh_phi"): 4_500_000}})
    fill(summer, "01834", {"he": {("xa", "tre_em"): 80, ("xa", "kinh_phi"): 2_000_000}})
    assert ingest(summer.workspace).valid
    [result] = write_reports(Workspace(summer.workspace.path).campaign(summer.id))
    ws = load_workbook(result.workbook)[CHART_SHEET]
    assert ws["A1"].value == "TRẺ EM THAM GIA HOẠT ĐỘNG HÈ"
    assert "cộng 230 trẻ em hè; kinh phí 6.500.000 đồng" in ws["A2"].value
    assert [c.value for c in ws[4]][:3] == ["Đơn vị", "Trẻ em hè", "Kinh phí hè"]
    rows = {r[0]: r[1:3] for r in ws.iter_rows(min_row=5, values_only=True) if r[0]}
    assert rows["Phường Đức Xuân"] == (150, 4_500_000)
    assert rows["Phường Nguyễn Thị Minh Khai"] == (80, 2_000_000)


def test_a_form_without_chart_has_none_and_the_rights_form_declares_its_own() -> None:
    """What is drawn is declared in the YAML: the rights form draws its money by unit."""
    chart = chart_def(load_spec("quyen-tre-em"))
    assert chart is not None and chart.title == "Kinh phí thực hiện công tác trẻ em"
    assert [p.title for p in chart.panels] == ["Kinh phí thực hiện công tác trẻ em (đồng)"]
    assert [s.label for s in chart.panels[0].series] == [
        "Ngân sách địa phương", "Nguồn vận động, tài trợ", "Quỹ Bảo trợ trẻ em"]
    bare = dataclasses.replace(load_spec("thang-hanh-dong"), chart=None)
    assert chart_def(bare) is None


def test_workbook_charts_of_many_communes_each_fit_a_page_and_skip_those_without_figures(
        tmp_path: Path) -> None:
    """Lai Châu (2025, 38 communes), 34 reported: the charts draw only the communes with
    figures, at most 30 a chart, each on a page of its own no taller than a landscape page;
    the four without figures say so at the end of the table instead of drawing nothing."""
    province = make_campaign(tmp_path / "ws", unit="12", roster="2025")
    forms = sorted(province.folder("forms").glob("*.xlsx"))
    fill_campaign(province, forms, province.workspace.inbox, dt.date(2024, 6, 15))
    communes = sorted(province.workspace.inbox.glob("*.xlsx"))
    for path in communes[34:]:
        path.unlink()
    assert ingest(province.workspace).valid
    [result] = write_reports(Workspace(province.workspace.path).campaign(province.id))
    ws = load_workbook(result.workbook)[CHART_SHEET]
    table = [r for r in ws.iter_rows(min_row=5, max_col=4, values_only=True) if r[0]]
    assert len(table) == 38
    assert all(isinstance(v, int) for r in table[:34] for v in r[1:])
    assert all(v == NO_DATA for r in table[34:] for v in r[1:])
    assert ws["A3"].value.startswith("4 xã")
    charts = ws._charts
    assert len(charts) == 4  # two panels, each split 30 + 4
    breaks = {b.id for b in ws.row_breaks.brk}
    for chart in charts:
        anchor = chart.anchor._from.row  # 0-based: the row above it ends a page
        assert anchor in breaks and chart.height <= SHEET_CHART_HEIGHT_CM
        rows = [int(n) for n in re.findall(r"\$(\d+)", chart.series[0].val.numRef.f)]
        assert rows[0] >= 5 and rows[1] <= 5 + 33 and rows[1] - rows[0] < SHEET_CHART_UNITS
    assert "Xã" in str(charts[1].title.tx.rich.p[0].r[0].t)  # a part says which units

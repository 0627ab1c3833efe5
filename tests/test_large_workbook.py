"""What a consolidated workbook holds when its subtree is a country.

Up to ``sources.MAX_FIGURES`` figures the "Nguồn số liệu" sheet lists them one by one;
above it (a national roll-up has about 150,000) it counts units, files and figures by how
they arrived and names ``consolidate export``, whose table holds every figure the sheet
would have listed. The units' texts are cut to the unit and the units directly below it
the same way. The limit is lowered here so a small custom roster crosses it.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from consolidate import api
from consolidate.core.workspace import Campaign, Workspace
from consolidate.intake.ingest import ingest
from consolidate.outputs import sources, workbook
from consolidate.outputs.sources import HEAD_ROW, HEADERS, SOURCES_SHEET, SUMMARY_HEADERS
from consolidate.outputs.workbook import NARRATIVES_SHEET

from .conftest import Filler, make_campaign
from .helpers import write_reports
from .test_national import ROW, roster_file

#: Each unit's own figures (children who took part) and its own text.
CHILDREN = {"T1": 40, "H1": 30, "X1": 7, "X2": 11, "T2": 50, "H2": 20, "X3": 5}


def send(campaign: Campaign, fill: Filler, code: str) -> None:
    row = ROW[campaign.roster[code].level]
    fill(campaign, code, {"bieu_1": {(row, "so_tre_em_tham_du"): CHILDREN[code]}},
         narrative={"ket_qua": f"Kết quả của {campaign.roster[code].name}."})


@pytest.fixture
def nation(tmp_path: Path, fill: Filler) -> Campaign:
    """A national campaign on a small custom roster: Tỉnh Một's units send their forms to
    the ministry, Tỉnh Hai its consolidated workbook (its units' figures relayed in it);
    Xã Bốn sends nothing."""
    roster = roster_file(tmp_path)
    province = make_campaign(tmp_path / "T2", unit="T2", roster=roster)
    for code in ("T2", "H2", "X3"):
        send(province, fill, code)
    assert ingest(province.workspace).valid
    [relayed] = write_reports(Workspace(province.workspace.path).campaign(province.id))
    campaign = make_campaign(tmp_path / "bo", unit="QG", roster=roster)
    for code in ("T1", "H1", "X1", "X2"):
        send(campaign, fill, code)
    assert ingest(campaign.workspace, [Path(relayed.workbook), campaign.workspace.inbox]).valid
    return Workspace(campaign.workspace.path).campaign(campaign.id)


def listing(path: Path, sheet: str, first: int) -> list[list[object]]:
    ws = load_workbook(path)[sheet]
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True) if r[0] is not None]


def report(campaign: Campaign) -> Path:
    return Path(api.report(campaign.workspace.path, campaign.id).reports[0].workbook)


def lower_limit(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    monkeypatch.setattr(sources, "MAX_FIGURES", limit)
    monkeypatch.setattr(workbook, "MAX_FIGURES", limit)


def test_above_the_limit_the_sources_sheet_lists_files_and_the_export_every_figure(
        nation: Campaign, monkeypatch: pytest.MonkeyPatch) -> None:
    path = report(nation)
    assert [c.value for c in load_workbook(path)[SOURCES_SHEET][HEAD_ROW]] == HEADERS
    by_figure = listing(path, SOURCES_SHEET, HEAD_ROW + 1)
    figures = {(r[0], r[4], r[7], r[8], r[3]) for r in by_figure}
    assert len(figures) == len(by_figure) > len(CHILDREN)  # forms carry more than one figure

    table = api.export(nation.workspace.path, nation.id, unit="QG").table
    assert table is not None
    value = table["value"].astype(object).where(table["value"].notna(), table["text"])
    exported = set(zip(table["unit_code"], table["file_name"], table["sheet"], table["cell"],
                       value, strict=True))
    assert exported == figures  # the export holds every figure the sheet traced

    lower_limit(monkeypatch, len(by_figure) - 1)
    path = report(nation)
    ws = load_workbook(path)[SOURCES_SHEET]
    assert [c.value for c in ws[HEAD_ROW]] == SUMMARY_HEADERS
    assert "Tình hình nộp báo cáo" in ws["A2"].value
    assert f"consolidate export -w <thư mục làm việc> --campaign {nation.id} --unit QG" in (
        ws["A3"].value)
    count = pd.Series([f[0] for f in figures]).value_counts().to_dict()
    forms = ["T1", "H1", "X1", "X2"]
    assert listing(path, SOURCES_SHEET, HEAD_ROW + 1) == [
        ["Biểu mẫu của đơn vị", 4, 4, sum(count[c] for c in forms)],
        ["Báo cáo tổng hợp của đơn vị", 1, 1, count["T2"]],
        ["Chuyển tiếp qua báo cáo tổng hợp của Tỉnh Hai", 2, 1, count["H2"] + count["X3"]],
        ["Cộng", 7, 5, len(figures)]]


def test_above_the_limit_the_texts_are_the_units_and_its_childrens(
        nation: Campaign, monkeypatch: pytest.MonkeyPatch) -> None:
    first = 5  # title, subtitle, a blank row, the header
    everyone = listing(report(nation), NARRATIVES_SHEET, first)
    assert {r[0] for r in everyone} == set(CHILDREN)  # relayed ones too

    lower_limit(monkeypatch, len(everyone) - 1)
    path = report(nation)
    assert [(r[0], r[3]) for r in listing(path, NARRATIVES_SHEET, first)] == [
        ("T1", "Kết quả của Tỉnh Một."), ("T2", "Kết quả của Tỉnh Hai.")]
    note = load_workbook(path)[NARRATIVES_SHEET]["A2"].value
    assert "consolidate export" in note and "consolidate report --all" in note


def test_a_consolidated_workbook_is_stamped_with_its_datas_time(nation: Campaign) -> None:
    data = report(nation).read_bytes()
    newest = dt.datetime.fromisoformat(str(api.rollup(nation.workspace.path)
                                           .submissions["received_at"].max()))
    if newest.tzinfo is not None:
        newest = newest.astimezone(dt.UTC).replace(tzinfo=None)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # a zip keeps even seconds
        assert {i.date_time for i in zf.infolist()} == {
            newest.replace(second=newest.second // 2 * 2).timetuple()[:6]}
        core = zf.read("docProps/core.xml").decode()
    assert f"{newest:%Y-%m-%dT%H:%M:%S}Z</dcterms:modified>" in core
    assert report(nation).read_bytes() == data  # written again: the same bytes

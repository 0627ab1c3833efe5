"""History and provenance: every version kept, which one counts, pin, close, sources."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from consolidate.cli import main
from consolidate.core.errors import ConsolidateError
from consolidate.core.workspace import Campaign, Workspace
from consolidate.intake.history import close, diff, pin, reopen, versions
from consolidate.intake.ingest import ingest
from consolidate.intake.status import unit_status
from consolidate.outputs.sources import SOURCES_SHEET

from .conftest import Filler
from .corpus import GOOD, with_answers
from .helpers import rollup_of, write_reports


def fresh(campaign: Campaign) -> Campaign:
    return Workspace(campaign.workspace.path).campaign(campaign.id)


def children(campaign: Campaign) -> float | None:
    return rollup_of(fresh(campaign), "01840").value("bieu_1", "xa", "so_tre_em_tham_du")


@pytest.fixture
def two_versions(district: Campaign, fill: Filler) -> Campaign:
    fill(district, "01840", GOOD, name="ban-dau.xlsx", received=dt.datetime(2024, 7, 1, 9))
    fill(district, "01840", with_answers(so_tre_em_tham_du=720, nsnn="5.000.000đ"),
         name="ban-sua.xlsx", received=dt.datetime(2024, 7, 2, 9))
    report = ingest(district.workspace)
    assert report.valid
    assert [f.code for f in report.findings] == ["unit-resubmitted"]
    return fresh(district)


def test_every_version_is_listed_with_the_one_that_counts_and_what_changed(
        two_versions: Campaign) -> None:
    old, new = versions(two_versions, "01840")
    assert (old.name, old.counts, new.name, new.counts) == (
        "ban-dau.xlsx", False, "ban-sua.xlsx", True)
    assert old.received_at.startswith("2024-07-01T09:00")
    changes = {c.element: (c.old, c.new, c.sheet, c.cell)
               for c in diff(two_versions, old.submission, new.submission)}
    assert changes == {
        "Biểu 1, Cấp xã, Số trẻ em tham dự": ("700", "720", "Biểu 1", "D10"),
        "Biểu 1, Cấp xã, Ngân sách nhà nước (đồng)": ("4.930.000", "5.000.000", "Biểu 1", "G10"),
    }


def test_an_officer_can_pin_an_older_version_and_clear_the_pin(two_versions: Campaign) -> None:
    assert children(two_versions) == 720
    pin(two_versions, "01840", "ban-dau.xlsx")
    assert children(two_versions) == 700
    old, new = versions(fresh(two_versions), "01840")
    assert old.pinned and old.counts and not new.counts
    assert "chọn cố định" in unit_status(fresh(two_versions)).set_index("code").at["01840",
                                                                                 "note"]
    pin(two_versions, "01840", new.sha256[:10])  # by hash prefix
    assert children(two_versions) == 720
    with pytest.raises(ConsolidateError, match="Không có bản báo cáo nào"):
        pin(two_versions, "01840", "khong-co.xlsx")
    pin(two_versions, "01840", None)
    assert children(two_versions) == 720 and not any(v.pinned for v in versions(
        fresh(two_versions), "01840"))


def test_a_closed_campaign_keeps_later_files_without_counting_them_until_reopened(
        district: Campaign, fill: Filler) -> None:
    fill(district, "01840", GOOD, name="truoc-khi-chot.xlsx")
    ingest(district.workspace)
    close(fresh(district))
    with pytest.raises(ConsolidateError, match="đã được chốt"):
        close(fresh(district))
    fill(district, "01840", with_answers(so_tre_em_tham_du=999), name="sau-khi-chot.xlsx")
    fill(district, "01843", GOOD, name="xa-moi.xlsx")
    report = ingest(district.workspace)
    assert report.valid
    assert sorted({f.code for f in report.findings}) == [
        "campaign-closed", "file-duplicate", "unit-resubmitted"]
    assert children(district) == 700  # kept, not counted
    status = unit_status(fresh(district)).set_index("code")
    assert status.at["01843", "status"] == "Chưa nộp"
    assert "sau khi chốt số liệu" in status.at["01843", "note"]
    held = [v for v in versions(fresh(district), "01840") if v.held]
    assert [v.name for v in held] == ["sau-khi-chot.xlsx"]
    assert reopen(fresh(district)) == 2
    assert children(district) == 999
    assert unit_status(fresh(district)).set_index("code").at["01843", "status"] != "Chưa nộp"


def test_a_rejected_newer_file_is_shown_without_hiding_the_version_that_counts(
        district: Campaign, fill: Filler) -> None:
    fill(district, "01840", GOOD, name="tot.xlsx", received=dt.datetime(2024, 7, 1, 9))
    fill(district, "01840", with_answers(so_tre_em_tham_du="khoảng 700"), name="loi.xlsx",
         received=dt.datetime(2024, 7, 2, 9))
    ingest(district.workspace)
    row = unit_status(fresh(district)).set_index("code").loc["01840"]
    assert row["file"] == "tot.xlsx" and row["versions"] == 2
    assert "Tệp mới nhất 'loi.xlsx' bị từ chối" in row["note"]
    assert [v.status for v in versions(fresh(district), "01840")] == ["accepted", "rejected"]


def test_every_figure_is_traced_to_unit_file_sheet_and_cell(two_versions: Campaign,
                                                             fill: Filler) -> None:
    fill(two_versions, "01843", GOOD, name="phung-chi-kien.xlsx")
    ingest(two_versions.workspace)
    [result] = write_reports(fresh(two_versions))
    ws = load_workbook(result.workbook)[SOURCES_SHEET]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    by_key = {(r[0], r[2]): r for r in rows}
    r = by_key[("01840", "Biểu 1, Cấp xã, Số trẻ em tham dự")]
    assert r[3] == 720 and r[4] == "ban-sua.xlsx" and (r[7], r[8]) == ("Biểu 1", "D10")
    assert r[5] == versions(fresh(two_versions), "01840")[1].sha256[:12]
    assert by_key[("01843", "Biểu 1, Cấp xã, Số trẻ em tham dự")][4] == "phung-chi-kien.xlsx"
    assert not any(row[4] == "ban-dau.xlsx" for row in rows)  # only what counts
    again = write_reports(fresh(two_versions))[0].workbook.read_bytes()
    assert again == result.workbook.read_bytes()  # same data, same bytes


def test_history_pin_close_and_reopen_through_the_cli(two_versions: Campaign) -> None:
    ws = str(two_versions.workspace.path)
    out = CliRunner().invoke(main, ["history", "-w", ws, "--unit", "01840"])
    assert out.exit_code == 0, out.output
    assert "ban-sua.xlsx" in out.output and "ĐƯỢC TÍNH" in out.output
    assert "Biểu 1, Cấp xã, Số trẻ em tham dự (Biểu 1!D10): 700 → 720" in out.output
    data = json.loads(CliRunner().invoke(
        main, ["history", "-w", ws, "--unit", "01840", "--json"]).output)
    assert [v["counts"] for v in data["versions"]] == [False, True]
    assert data["changes"][0]["changes"][0]["new"] == "720"
    assert CliRunner().invoke(main, ["pin", "-w", ws, "--unit", "01840",
                                     "--file", "ban-dau.xlsx"]).exit_code == 0
    assert children(two_versions) == 700
    bad = CliRunner().invoke(main, ["pin", "-w", ws, "--unit", "01840", "--file", "x.xlsx"])
    assert bad.exit_code == 1 and "Không có bản báo cáo nào" in bad.output
    assert CliRunner().invoke(main, ["pin", "-w", ws, "--unit", "01840", "--clear"]).exit_code == 0
    closed = CliRunner().invoke(main, ["close", "-w", ws])
    assert closed.exit_code == 0 and "Đã chốt số liệu" in closed.output
    assert "ĐÃ CHỐT SỐ LIỆU" in CliRunner().invoke(
        main, ["history", "-w", ws, "--unit", "01840"]).output
    status = CliRunner().invoke(main, ["status", "-w", ws])
    assert "ĐÃ CHỐT SỐ LIỆU" in status.output and "Số tệp" in status.output
    assert CliRunner().invoke(main, ["reopen", "-w", ws]).exit_code == 0

"""Roll-up by level rows, relay district → province, and reconciliation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import python_calamine

from consolidate.core.errors import Report
from consolidate.core.workspace import Campaign, Workspace
from consolidate.demo import SEED_000_COMMUNES, SEED_000_DISTRICT, seed_000_commune_answers
from consolidate.intake.ingest import ingest

from .conftest import Filler, make_campaign
from .helpers import rollup_of, write_reports

ROW_NAMES = {"cap_tinh": "tinh", "cap_huyen": "huyen", "cap_xa": "xa", "tong_cong": "tong",
             "tong": "tong"}


def fill_seed_000(campaign: Campaign, fill: Filler) -> None:
    fill(campaign, "058", SEED_000_DISTRICT)
    for code in SEED_000_COMMUNES:
        fill(campaign, code, seed_000_commune_answers(code))
    assert ingest(campaign.workspace).valid


def current(campaign: Campaign) -> Campaign:
    return Workspace(campaign.workspace.path).campaign(campaign.id)


def published(seed_table: dict, row: str) -> list[float | None]:
    return seed_table[row]


def test_level_rows_reproduce_seed_000_published_totals(
        district: Campaign, fill: Filler, seed_tables: dict) -> None:
    fill_seed_000(district, fill)
    roll = rollup_of(current(district))
    seed = seed_tables["seed_000"]
    for table, key in (("bieu_1", "bieu_1"), ("bieu_2", "bieu_2")):
        columns = list(roll.tables[table].columns)
        assert len(columns) == len(seed[key]["columns"])
        for seed_row in ("cap_tinh", "cap_huyen", "cap_xa", "tong_cong"):
            got = [roll.value(table, ROW_NAMES[seed_row], c) for c in columns]
            want = published(seed[key], seed_row)
            # the seed prints "-" (null) for both "nothing" and zero
            assert [g or None for g in got] == want, (table, seed_row)
    total = roll.tables["bieu_1"].loc["tong"]
    assert total["so_tre_em_tham_du"] == 242
    assert total["nsnn"] == 121_450_000 and total["van_dong"] == 78_900_000


def test_seed_000_two_group_table_matches_the_four_group_totals(
        district: Campaign, fill: Filler, seed_tables: dict) -> None:
    fill_seed_000(district, fill)
    roll = rollup_of(current(district))
    four = dict(zip(seed_tables["seed_000"]["bieu_3"]["columns"],
                    seed_tables["seed_000"]["bieu_3"]["tong"], strict=True))
    b3 = roll.tables["bieu_3"].loc["tong"]
    assert b3["tham_gia_so_hoat_dong"] == four["dien_dan_so_luong"] == 1
    assert b3["tham_gia_so_tre_em"] == four["dien_dan_so_tre_em"] == 80
    assert b3["vui_choi_so_hoat_dong"] == four["khac_so_luong"] == 57
    assert b3["vui_choi_so_tre_em"] == four["khac_so_tre_em"] == 4390


def test_commune_upper_rows_count_only_in_the_communes_own_rollup(
        district: Campaign, fill: Filler) -> None:
    fill(district, "058", {"bieu_1": {("tinh", "so_tre_em_tham_du"): 20}})
    fill(district, "01840", {"bieu_1": {("tinh", "so_tre_em_tham_du"): 3,
                                        ("xa", "so_tre_em_tham_du"): 40}})
    assert ingest(district.workspace).valid
    camp = current(district)
    assert rollup_of(camp).value("bieu_1", "tinh", "so_tre_em_tham_du") == 20
    assert rollup_of(camp).value("bieu_1", "xa", "so_tre_em_tham_du") == 40
    own = rollup_of(camp, "01840")
    assert own.value("bieu_1", "tinh", "so_tre_em_tham_du") == 3
    assert own.value("bieu_1", "tong", "so_tre_em_tham_du") == 43


def test_nobody_reporting_gives_no_figure_not_zero(district: Campaign, fill: Filler) -> None:
    fill(district, "01840", {"bieu_2": {("xa", "kham_benh_so_tre_em"): 10}})
    assert ingest(district.workspace).valid
    roll = rollup_of(current(district))
    assert roll.value("bieu_2", "tong", "kham_benh_so_tre_em") == 10
    assert roll.value("bieu_2", "tong", "kham_benh_kinh_phi") is None


def test_two_tier_roster_rolls_communes_straight_into_the_province(
        tmp_path: Path, fill: Filler) -> None:
    campaign = make_campaign(tmp_path / "ws", unit="11", roster="2025")
    communes = [u.code for u in campaign.roster.children("11")][:3]
    fill(campaign, "11", {"bieu_1": {("tinh", "so_tre_em_tham_du"): 500}})
    for i, code in enumerate(communes, start=1):
        fill(campaign, code, {"bieu_1": {("xa", "so_tre_em_tham_du"): 100 * i}})
    assert ingest(campaign.workspace).valid
    roll = rollup_of(current(campaign))
    frame = roll.tables["bieu_1"]
    assert list(frame.index) == ["tinh", "xa", "tong"]
    assert frame.at["xa", "so_tre_em_tham_du"] == 600
    assert frame.at["tong", "so_tre_em_tham_du"] == 1100


def test_custom_two_level_roster_file(tmp_path: Path, fill: Filler) -> None:
    roster = tmp_path / "danh-muc.csv"
    roster.write_text("code,name,level,parent,email\nT1,Tỉnh Thử,province,,\n"
                      "X1,Xã Một,commune,T1,x1@example.vn\nX2,Xã Hai,commune,T1,\n",
                      encoding="utf-8")
    campaign = make_campaign(tmp_path / "ws", unit="T1", roster=roster)
    assert (tmp_path / "ws" / "roster.csv").exists()  # kept with the workspace
    fill(campaign, "X1", {"bieu_2": {("xa", "tang_qua_so_tre_em"): "1.224 trẻ"}})
    fill(campaign, "X2", {"bieu_2": {("xa", "tang_qua_so_tre_em"): 6}})
    assert ingest(campaign.workspace).valid
    assert rollup_of(current(campaign)).value("bieu_2", "tong", "tang_qua_so_tre_em") == 1230


def relay_seed_000(tmp_path: Path, fill: Filler) -> tuple[Campaign, Report]:
    """TP Bắc Kạn consolidates seed 000 and sends its workbook to the province."""
    district = make_campaign(tmp_path / "huyen")
    fill_seed_000(district, fill)
    [result] = write_reports(current(district))
    province = make_campaign(tmp_path / "tinh", unit="06")
    return province, ingest(province.workspace, [result.workbook])


def test_district_workbook_relays_to_the_province_and_mismatch_is_listed(
        tmp_path: Path, fill: Filler) -> None:
    province, relay = relay_seed_000(tmp_path, fill)
    assert relay.valid, relay.findings
    roll = rollup_of(current(province))
    # the province's Cấp huyện row is the district's own row, Cấp xã its communes' rows
    assert roll.value("bieu_1", "huyen", "nsnn") == 96_950_000
    assert roll.value("bieu_1", "xa", "nsnn") == 24_500_000
    assert roll.value("bieu_1", "tinh", "so_tre_em_tham_du") is None  # 058's 20 are its own
    assert roll.mismatches == []

    # Đức Xuân's own form reaches the province too, with a corrected figure: detail wins
    corrected = seed_000_commune_answers("01840")
    corrected["bieu_1"][("xa", "nsnn")] = 3_500_000
    fill(province, "01840", corrected)
    assert ingest(province.workspace).valid
    roll = rollup_of(current(province))
    assert roll.value("bieu_1", "xa", "nsnn") == 25_000_000
    [mismatch] = roll.mismatches
    assert (mismatch.unit, mismatch.found, mismatch.expected) == ("058", "24.500.000",
                                                                 "25.000.000")
    assert "Thành phố Bắc Kạn, Biểu 1, Cấp xã, Ngân sách nhà nước (đồng)" in mismatch.message


def test_relayed_communes_show_in_status_as_reported_through_the_district(
        tmp_path: Path, fill: Filler) -> None:
    from consolidate.intake.status import RELAYED, unit_status

    province, _ = relay_seed_000(tmp_path, fill)
    status = unit_status(current(province)).set_index("code")
    assert status.at["01840", "status"] == RELAYED
    assert "Thành phố Bắc Kạn" in status.at["01840", "note"]
    assert status.at["060", "status"] == "Chưa nộp"


def test_detail_sheets_subtotal_each_district(tmp_path: Path, fill: Filler) -> None:
    province = make_campaign(tmp_path / "tinh", unit="06")
    fill(province, "058", SEED_000_DISTRICT)
    for code in SEED_000_COMMUNES:
        fill(province, code, seed_000_commune_answers(code))
    fill(province, "01864", {"bieu_1": {("xa", "nsnn"): 1_000_000}}, received=dt.datetime.now())
    assert ingest(province.workspace).valid
    [result] = write_reports(current(province))
    wb = python_calamine.CalamineWorkbook.from_path(result.workbook)
    grid = wb.get_sheet_by_name("Chi tiết Biểu 1").to_python(skip_empty_area=False)
    keys = next(r for r in grid if r[0] == "#cols")
    nsnn = keys.index("bieu_1.nsnn")
    rows = {r[0]: r for r in grid if r[0]}
    assert rows["#subtotal:058"][nsnn] == 96_950_000 + 24_500_000
    assert rows["#subtotal:058"][2] == "Cộng Thành phố Bắc Kạn"
    assert rows["#subtotal:060"][nsnn] == 1_000_000
    assert rows["01840"][nsnn] == 3_000_000
    units = [r for r in rows if not r.startswith("#")]
    assert len(units) == 8 + 108  # every district and commune, reported or not


def test_rollup_detail_is_a_frame_per_unit(district: Campaign, fill: Filler) -> None:
    fill_seed_000(district, fill)
    detail = rollup_of(current(district)).detail
    assert isinstance(detail, pd.DataFrame)
    assert list(detail.index) == ["01834", "01837", "01840", "01843", "01846", "01849",
                                  "01852", "01855"]
    assert detail["bieu_1.cong_trinh_xay_moi"].sum() == 6

"""The annual children's-rights form: rates from parts, shares, targets, checks, lists, history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from consolidate.core.specfile import load_spec
from consolidate.core.workspace import Campaign, Workspace
from consolidate.intake.ingest import ingest
from consolidate.rollup.indicators import EXCEEDED, MET, MISSED, evaluate, parse_target

from .conftest import Filler, make_campaign
from .helpers import rollup_of, write_reports

FORM = "quyen-tre-em"
RECEIVED = dt.datetime(2024, 10, 1, 9)


def situation(children: int = 1000, boys: int = 520) -> dict[tuple[str, str], Any]:
    """A commune's situation table that satisfies every rule of the spec."""
    rows = {
        "dan_so": children * 5, "tre_em": children, "tre_em_nam": boys,
        "tre_em_nu": children - boys, "dan_toc_kinh": 300, "dan_toc_khac": children - 300,
        "duoi_6_tuoi": 250, "duoi_5_tuoi": 200, "can_do_duoi_5": 190, "hcdb": 12, "hcdb_mo_coi": 1,
        "hcdb_bo_roi": 1, "hcdb_khong_noi_nuong_tua": 0, "hcdb_khuyet_tat": 9, "hcdb_khac": 1,
        "nguy_co": 30, "nguy_co_ho_ngheo": 25, "tu_16_den_18": 180,
    }
    return {(r, "so_lieu"): v for r, v in rows.items()}


def injuries(injured: int = 2, deaths: int = 1) -> dict[tuple[str, str], Any]:
    rows = {"bao_luc_vu": 0, "bao_luc_tre_em": 0, "xam_hai_vu": 1, "xam_hai_tre_em": 1,
            "tai_nan": injured, "tu_vong": deaths, "tu_vong_duoi_nuoc": deaths,
            "tu_vong_giao_thong": 0, "tu_vong_khac": 0}
    return {(r, "so_lieu"): v for r, v in rows.items()}


def births() -> dict[tuple[str, str], Any]:
    rows = {"de_song": 42, "khai_sinh": 40, "khai_sinh_nam": 21, "khai_sinh_nu": 19,
            "khai_sinh_dung_han": 38, "khai_sinh_qua_han": 2, "ket_hon": 30, "tao_hon": 1}
    return {(r, "so_lieu"): v for r, v in rows.items()}


def answers(**extra: dict[tuple[str, str], Any]) -> dict[str, dict[tuple[str, str], Any]]:
    base = {"tinh_hinh": situation(), "bao_luc": injuries(), "khai_sinh": births()}
    for table, cells in extra.items():
        base[table] = {**base.get(table, {}), **cells}
    return base


@pytest.fixture
def rights(tmp_path: Path) -> Campaign:
    return make_campaign(tmp_path / "ws", unit="058", form=FORM)


def current(campaign: Campaign) -> Campaign:
    return Workspace(campaign.workspace.path).campaign(campaign.id)


def test_rate_is_recomputed_from_summed_parts_at_every_level(
        tmp_path: Path, fill: Filler) -> None:
    province = make_campaign(tmp_path / "tinh", unit="06", form=FORM)
    parts = {"01840": (1, 100), "01843": (3, 150), "01858": (2, 400)}  # 01858: Huyện Pác Nặm
    for code, (deaths, born) in parts.items():
        fill(province, code, answers(phu_luc_02={("ct3_so_sinh", "tu_so"): deaths},
                                     khai_sinh={("de_song", "so_lieu"): born}),
             received=RECEIVED)
    assert ingest(province.workspace).valid
    camp = current(province)
    district = rollup_of(camp, "058")
    assert district.value("phu_luc_02", "ct3_so_sinh", "tu_so") == 4
    assert district.value("phu_luc_02", "ct3_so_sinh", "mau_so") == 250
    assert district.value("phu_luc_02", "ct3_so_sinh", "ket_qua") == pytest.approx(16.0)
    whole = rollup_of(camp)
    # (1 + 3 + 2) / (100 + 150 + 400) × 1000 = 9,23‰ — not the mean of 10, 20 and 5
    assert whole.value("phu_luc_02", "ct3_so_sinh", "ket_qua") == pytest.approx(6000 / 650)


def test_rate_with_parts_from_other_tables_uses_the_seed_figures(
        rights: Campaign, fill: Filler) -> None:
    # seed 002: 16 injured, 2 deaths, 9.367 children; the body's "1,25" is a slip
    fill(rights, "01840", answers(tinh_hinh=situation(children=9367, boys=4814),
                                  bao_luc=injuries(injured=16, deaths=2),
                                  phu_luc_02={("ct11_tai_nan", "ket_qua"): "1,25"}),
         received=RECEIVED)
    report = ingest(rights.workspace)
    assert report.valid  # a typed rate that disagrees is a warning, not a rejection
    [warn] = [f for f in report.findings if f.code == "rate-inconsistent"]
    assert warn.found == "1,25" and warn.expected == "1,71"
    assert warn.sheet == "Phụ lục 02" and warn.cell.startswith("H")
    assert "1,25‰ đơn vị tự tính; tính lại từ 16/9.367 = 1,71‰" in warn.message
    roll = rollup_of(current(rights))
    assert roll.value("phu_luc_02", "ct11_tu_vong", "ket_qua") == pytest.approx(2 / 9367 * 1000)
    assert round(roll.value("phu_luc_02", "ct11_tai_nan", "ket_qua"), 2) == 1.71


def test_share_of_units_counts_communes_answering_yes(rights: Campaign, fill: Filler) -> None:
    codes = [u.code for u in rights.roster.children("058")]
    for i, code in enumerate(codes[:7]):
        fill(rights, code, answers(phu_luc_02={("ct21_diem_vui_choi", "co_khong"):
                                               "Không" if i == 0 else "Có"}),
             received=RECEIVED)
    assert ingest(rights.workspace).valid
    roll = rollup_of(current(rights))
    assert roll.value("phu_luc_02", "ct21_diem_vui_choi", "ket_qua") == pytest.approx(600 / 7)
    assert roll.value("phu_luc_02", "ct21_diem_vui_choi", "co_khong") == "6/7"


@pytest.mark.parametrize(("result", "target", "better", "verdict"), [
    (11.0, "<12", "lower", EXCEEDED),       # seed 002: suy dinh dưỡng cân nặng, vượt
    (14.4, "≤15", "lower", EXCEEDED),       # chiều cao, vượt
    (0.9, "0,7", "lower", MISSED),          # béo phì, không đạt
    (81.7, ">95", "higher", MISSED),        # tiêm chủng, không đạt
    (96.0, ">= 95", "higher", EXCEEDED),
    (100.0, "100", "higher", MET),
    (0.0, "0", "lower", MET),
    (12.0, "< 12", "lower", MISSED),        # a strict bound is not met at the bound
    (15.0, "≤ 15", "lower", MET),
])
def test_target_evaluation_follows_the_indicators_direction(
        result: float, target: str, better: str, verdict: str) -> None:
    assert evaluate(result, parse_target(target), better) == verdict


def test_seed_002_published_evaluations(seed_tables: dict) -> None:
    spec = load_spec(FORM)
    table = spec.table("phu_luc_02")
    rows = {r[0]: r for r in seed_tables["seed_002"]["phu_luc_02"]}
    mapping = {"chi_tieu_4_suy_dinh_duong_can_nang": "ct4_can_nang",
               "chi_tieu_4_suy_dinh_duong_chieu_cao": "ct4_chieu_cao",
               "chi_tieu_4_beo_phi": "ct4_beo_phi",
               "chi_tieu_5_tiem_chung_duoi_1_tuoi": "ct5_duoi_1"}
    for seed_id, published in seed_tables["seed_002"]["evaluations_published"].items():
        _, _, _, plan, result = rows[seed_id]
        better = table.row(mapping[seed_id]).indicator.better
        assert evaluate(result, parse_target(plan), better).lower() == published


def test_target_and_evaluation_appear_in_the_consolidated_workbook(
        rights: Campaign, fill: Filler) -> None:
    fill(rights, "058", {"phu_luc_02": {("ct5_duoi_1", "ke_hoach"): "> 95"}}, received=RECEIVED)
    fill(rights, "01840", answers(phu_luc_02={("ct5_duoi_1", "tu_so"): 817,
                                              ("ct5_duoi_1", "mau_so"): 1000}),
         received=RECEIVED)
    assert ingest(rights.workspace).valid
    roll = rollup_of(current(rights))
    assert roll.value("phu_luc_02", "ct5_duoi_1", "ke_hoach") == "> 95"
    assert roll.value("phu_luc_02", "ct5_duoi_1", "danh_gia") == MISSED
    from openpyxl import load_workbook
    [result] = write_reports(current(rights))
    ws = load_workbook(result.workbook)["Phụ lục 02"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "ct5_duoi_1")
    assert "> 95" in row and MISSED in row
    assert any(isinstance(v, float) and round(v, 1) == 81.7 for v in row)


CHECKS = load_spec(FORM).checks
#: Plausible parts of every rate of Phụ lục 02, for a commune whose answers() hold every rule.
PARTS = {("ct3_so_sinh", "tu_so"): 1, ("ct3_duoi_1", "tu_so"): 2, ("ct3_duoi_5", "tu_so"): 3,
         ("ct4_can_nang", "tu_so"): 20, ("ct4_chieu_cao", "tu_so"): 25,
         ("ct4_beo_phi", "tu_so"): 2, ("ct5_duoi_1", "tu_so"): 38, ("ct5_duoi_1", "mau_so"): 40,
         ("ct5_duoi_5", "tu_so"): 180, ("ct6_hiv", "tu_so"): 0, ("ct6_hiv", "mau_so"): 1,
         ("ct7_ve_sinh", "tu_so"): 3, ("ct7_ve_sinh", "mau_so"): 3,
         ("ct14_khai_sinh", "tu_so"): 195, ("ct15_phat_trien", "tu_so"): 150,
         ("ct16_mau_giao", "tu_so"): 18, ("ct16_mau_giao", "mau_so"): 20,
         ("ct17_tieu_hoc", "tu_so"): 19, ("ct17_tieu_hoc", "mau_so"): 20,
         ("ct18_thcs", "tu_so"): 17, ("ct18_thcs", "mau_so"): 18,
         ("ct19_tam_ly", "tu_so"): 1, ("ct19_tam_ly", "mau_so"): 2,
         ("ct20_khuyet_tat", "tu_so"): 2, ("ct20_khuyet_tat", "mau_so"): 3}
BREAKS: dict[str, tuple[str, str, str, int]] = {  # check id -> (table, row, column, a slip)
    "nam_nu": ("tinh_hinh", "tre_em_nam", "so_lieu", 600),
    "dan_toc": ("tinh_hinh", "dan_toc_kinh", "so_lieu", 301),
    "tre_em_dan_so": ("tinh_hinh", "dan_so", "so_lieu", 999),
    "duoi_5_duoi_6": ("tinh_hinh", "duoi_5_tuoi", "so_lieu", 251),
    "duoi_6_tong": ("tinh_hinh", "duoi_6_tuoi", "so_lieu", 1001),
    "hcdb_thanh_phan": ("tinh_hinh", "hcdb_khac", "so_lieu", 5),
    "nguy_co_ho_ngheo": ("tinh_hinh", "nguy_co_ho_ngheo", "so_lieu", 31),
    "tu_vong_tai_nan": ("bao_luc", "tai_nan", "so_lieu", 0),
    "tu_vong_nguyen_nhan": ("bao_luc", "tu_vong_giao_thong", "so_lieu", 1),
    "khai_sinh_gioi": ("khai_sinh", "khai_sinh_nu", "so_lieu", 20),
    "khai_sinh_han": ("khai_sinh", "khai_sinh_qua_han", "so_lieu", 3),
    "tao_hon": ("khai_sinh", "tao_hon", "so_lieu", 31),
    "can_do_duoi_5": ("tinh_hinh", "can_do_duoi_5", "so_lieu", 201),
    "tu_vong_so_sinh": ("phu_luc_02", "ct3_so_sinh", "tu_so", 3),
    "tu_vong_duoi_1": ("phu_luc_02", "ct3_duoi_1", "tu_so", 4),
    "tu_vong_duoi_5": ("khai_sinh", "de_song", "so_lieu", 2),
    "suy_dd_can_nang": ("phu_luc_02", "ct4_can_nang", "tu_so", 191),
    "suy_dd_chieu_cao": ("phu_luc_02", "ct4_chieu_cao", "tu_so", 191),
    "beo_phi": ("phu_luc_02", "ct4_beo_phi", "tu_so", 191),
    "tiem_chung_duoi_1": ("phu_luc_02", "ct5_duoi_1", "tu_so", 41),
    "tiem_chung_duoi_5": ("phu_luc_02", "ct5_duoi_5", "tu_so", 201),
    "hiv": ("phu_luc_02", "ct6_hiv", "tu_so", 2),
    "ve_sinh": ("phu_luc_02", "ct7_ve_sinh", "tu_so", 4),
    "khai_sinh_duoi_5": ("phu_luc_02", "ct14_khai_sinh", "tu_so", 201),
    "phat_trien": ("phu_luc_02", "ct15_phat_trien", "tu_so", 201),
    "mau_giao": ("phu_luc_02", "ct16_mau_giao", "tu_so", 21),
    "tieu_hoc": ("phu_luc_02", "ct17_tieu_hoc", "tu_so", 21),
    "thcs": ("phu_luc_02", "ct18_thcs", "tu_so", 19),
    "tam_ly": ("phu_luc_02", "ct19_tam_ly", "tu_so", 3),
    "khuyet_tat": ("phu_luc_02", "ct20_khuyet_tat", "tu_so", 4),
}


def test_every_rule_has_a_breaking_case() -> None:
    assert {c.id for c in CHECKS} - {"xam_hai"} == set(BREAKS)


@pytest.mark.parametrize("check", [c for c in CHECKS if c.id in BREAKS], ids=lambda c: c.id)
def test_cross_field_rule_fires_on_a_slip_and_not_otherwise(
        rights: Campaign, fill: Filler, check: Any) -> None:
    fill(rights, "01834", answers(phu_luc_02=PARTS), name="dung.xlsx", received=RECEIVED)
    table, row, column, value = BREAKS[check.id]
    slip = answers(phu_luc_02=PARTS)
    slip[table] = {**slip[table], (row, column): value}
    fill(rights, "01837", slip, name="sai.xlsx", received=RECEIVED)
    report = ingest(rights.workspace)
    fired = [f for f in report.findings if f.code == "check-failed"]
    assert [f.file for f in fired] == ["sai.xlsx"], [str(f) for f in report.findings]
    [f] = fired
    assert f.unit == "01837" and check.message in f.message
    assert f.cell  # names the cells involved
    assert f.severity == check.severity
    rejected = int(check.severity == "error")
    assert report.stats["accepted"] == 2 - rejected and report.stats["rejected"] == rejected


def test_district_only_rule_runs_on_the_district_rollup(rights: Campaign, fill: Filler) -> None:
    fill(rights, "01840", answers(), received=RECEIVED)  # 1 sexual-abuse case
    fill(rights, "058", {"bao_luc": {("khoi_to_vu", "so_lieu"): 2}}, received=RECEIVED)
    assert ingest(rights.workspace).valid  # the district alone has nothing to compare
    roll = rollup_of(current(rights))
    [f] = [f for f in roll.findings if f.code == "check-failed" and f.is_error]
    assert f.unit == "058" and "khởi tố" in f.message and "2" in f.message


def test_list_rows_are_concatenated_with_their_unit(rights: Campaign, fill: Filler) -> None:
    fill(rights, "058", {"phu_luc_01": {
        ("r1", "co_quan"): "UBND thành phố", ("r1", "loai"): "Kế hoạch",
        ("r1", "ten"): "Số 82/KH-UBND triển khai Tháng hành động vì trẻ em năm 2024",
        ("r1", "ngay"): "08/4/2024"}}, received=RECEIVED)
    fill(rights, "01840", answers(phu_luc_01={
        ("r1", "co_quan"): "UBND phường", ("r1", "loai"): "Công văn",
        ("r1", "ten"): "Số 12/UBND", ("r1", "ngay"): dt.datetime(2024, 5, 3),
        ("r2", "co_quan"): "UBND phường", ("r2", "loai"): "Kế hoạch",
        ("r2", "ten"): "Số 15/KH-UBND", ("r2", "ngay"): "25/01/2024"}), received=RECEIVED)
    assert ingest(rights.workspace).valid
    listing = rollup_of(current(rights)).lists["phu_luc_01"]
    assert listing["unit_name"].tolist() == ["Thành phố Bắc Kạn", "Phường Đức Xuân",
                                             "Phường Đức Xuân"]
    assert listing["ngay"].tolist() == ["2024-04-08", "2024-05-03", "2024-01-25"]
    assert listing["ten"].iloc[0].startswith("Số 82/KH-UBND")


def test_unreadable_date_in_a_list_is_rejected(rights: Campaign, fill: Filler) -> None:
    fill(rights, "01840",
         answers(phu_luc_01={("r1", "ten"): "Số 1", ("r1", "ngay"): "3 tháng 5"}),
         received=RECEIVED)
    [err] = ingest(rights.workspace).errors
    assert err.code == "value-not-number" and err.sheet == "Phụ lục 01" and err.found == "3 tháng 5"
    assert "ngày/tháng/năm" in err.message


def test_previous_year_comes_from_last_years_campaign(tmp_path: Path, fill: Filler) -> None:
    ws = tmp_path / "ws"
    last = make_campaign(ws, unit="058", form=FORM, period="2023")
    fill(last, "01840", answers(tinh_hinh=situation(children=300, boys=150),
                                khai_sinh={("de_song", "so_lieu"): 200},
                                phu_luc_02={("ct3_so_sinh", "tu_so"): 2}),
         name="2023.xlsx", received=dt.datetime(2023, 10, 1))
    this = make_campaign(ws, unit="058", form=FORM, period="2024")
    fill(this, "01840", answers(khai_sinh={("de_song", "so_lieu"): 250},
                                phu_luc_02={("ct3_so_sinh", "tu_so"): 1,
                                            ("ct3_so_sinh", "nam_truoc"): "99"}),
         name="2024.xlsx", received=RECEIVED)
    report = ingest(Workspace(ws))
    assert report.stats["accepted"] == 2  # each file goes to its own period's campaign
    roll = rollup_of(current(this))
    assert roll.value("phu_luc_02", "ct3_so_sinh", "nam_truoc") == pytest.approx(10.0)
    assert roll.value("phu_luc_02", "ct3_so_sinh", "ket_qua") == pytest.approx(4.0)
    [change] = [f for f in roll.findings if f.code == "value-changed"
                and "Tổng số trẻ em" in f.message]
    assert change.found == "1.000" and change.expected == "300"


def test_previous_year_falls_back_to_what_the_unit_typed(rights: Campaign, fill: Filler) -> None:
    fill(rights, "058", {"phu_luc_02": {("ct3_so_sinh", "nam_truoc"): "11,8"}},
         received=RECEIVED)
    assert ingest(rights.workspace).valid
    roll = rollup_of(current(rights))
    assert roll.value("phu_luc_02", "ct3_so_sinh", "nam_truoc") == pytest.approx(11.8)
    assert roll.findings == []


def test_rights_workbook_relays_to_the_province(tmp_path: Path, fill: Filler) -> None:
    district = make_campaign(tmp_path / "huyen", unit="058", form=FORM)
    fill(district, "01840",
         answers(phu_luc_01={("r1", "ten"): "Số 1", ("r1", "ngay"): "02/01/2024"}),
         received=RECEIVED)
    fill(district, "01843", answers(tinh_hinh=situation(children=800, boys=400)),
         received=RECEIVED)
    assert ingest(district.workspace).valid
    [result] = write_reports(current(district))
    province = make_campaign(tmp_path / "tinh", unit="06", form=FORM)
    relay = ingest(province.workspace, [result.workbook])
    assert relay.valid, [str(f) for f in relay.findings]
    roll = rollup_of(current(province))
    assert roll.value("tinh_hinh", "tre_em", "so_lieu") == 1800
    assert roll.lists["phu_luc_01"]["unit_name"].tolist() == ["Phường Đức Xuân"]
    assert roll.mismatches == []


@pytest.mark.parametrize(("typed", "shown"), [
    ("100", "100"), ("0", "0"), ("0,7", "0,7"), ("<12", "< 12"), ("≤15", "≤ 15"),
    ("> 95", "> 95"), ("12,50", "12,5"), (1000, "1.000"), (">= 95", "≥ 95"),
])
def test_targets_are_shown_as_officers_write_them(typed: object, shown: str) -> None:
    assert str(parse_target(typed)) == shown


def test_unreadable_target_is_rejected_with_an_example() -> None:
    from consolidate.core.numbers import ParseError
    with pytest.raises(ParseError) as err:
        parse_target("khoảng 90%")
    assert "< 12" in err.value.expected


def test_word_report_of_the_rights_form_reads_like_seed_002(
        rights: Campaign, fill: Filler) -> None:
    from docx import Document

    figures = situation(children=9367, boys=4814)
    figures[("dan_so", "so_lieu")] = 47634
    fill(rights, "01840", answers(tinh_hinh=figures, bao_luc={
        ("bao_luc_vu", "so_lieu"): 2, ("bao_luc_tre_em", "so_lieu"): 2}), received=RECEIVED)
    fill(rights, "058", {"phu_luc_02": {("ct5_duoi_1", "ke_hoach"): "> 95"}}, received=RECEIVED)
    assert ingest(rights.workspace).valid
    [result] = write_reports(current(rights))
    text = "\n".join(p.text for p in Document(result.document).paragraphs)
    # one commune of eight has reported: the figure says whose reports it covers
    assert ("Tổng số trẻ em trên địa bàn các đơn vị đã báo cáo: 9.367 em, chiếm 19,66% dân số "
            "(9.367 em/47.634 người); trong đó: nam 4.814 em, nữ 4.553 em") in text
    assert "- Bạo lực trẻ em: 02 vụ (02 trẻ em)." in text
    roll = rollup_of(current(rights))
    rate = roll.value("phu_luc_02", "ct11_tai_nan", "ket_qua")
    assert f"Tỷ suất trẻ em bị tai nạn thương tích: {rate:.2f}".replace(".", ",") in text

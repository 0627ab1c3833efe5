"""Creating and changing a campaign as an officer does: periods, init, settings, rosters."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from consolidate import api
from consolidate.cli import main
from consolidate.core.errors import ConsolidateError
from consolidate.core.period import parse_period, period_label
from consolidate.core.roster import RosterError, load_roster_file
from consolidate.core.workspace import Workspace
from consolidate.forms.layout import GUIDE_SHEET

from .helpers import ANSWERS, fill_workbook, form_path
from .test_cli_texts import assert_no_english


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def init(ws: Path, period: str = "2024", deadline: str = "2024-07-03") -> tuple[int, str]:
    return run("init", "-w", str(ws), "--form", "thang-hanh-dong", "--period", period,
               "--unit", "058", "--deadline", deadline)


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(("typed", "period_id", "label"), [
    ("2025", "2025", "năm 2025"),
    ("năm 2025", "2025", "năm 2025"),
    ("6 tháng đầu năm 2025", "2025-6T", "6 tháng đầu năm 2025"),
    ("6 tháng 2025", "2025-6T", "6 tháng đầu năm 2025"),
    ("quý I/2025", "2025-Q1", "quý I năm 2025"),
    ("quý 1 năm 2025", "2025-Q1", "quý I năm 2025"),
    ("Q1-2025", "2025-Q1", "quý I năm 2025"),
    ("Quý IV/2024", "2024-Q4", "quý IV năm 2024"),
    ("tháng 3/2025", "2025-T03", "tháng 3 năm 2025"),
    ("3/2025", "2025-T03", "tháng 3 năm 2025"),
    ("2025-T03", "2025-T03", "tháng 3 năm 2025"),
])
def test_periods_typed_the_usual_ways_read_as_one_id_and_label(typed, period_id, label):
    period = parse_period(typed)
    assert (period.id, period.label, period_label(period.id)) == (period_id, label, label)


@pytest.mark.parametrize("typed", ["abc", "quý 5/2025", "13/2025", "12025", "2025-Q7"])
def test_anything_else_is_refused_naming_what_was_typed(typed):
    with pytest.raises(ConsolidateError) as caught:
        parse_period(typed)
    assert caught.value.code == "period-invalid"
    assert f"'{typed}'" in caught.value.finding.message
    assert "6 tháng đầu năm 2025" in caught.value.finding.message


# --------------------------------------------------------------------------- init


def test_init_refuses_an_unreadable_period_and_creates_no_folder(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    code, out = init(ws, "abc")
    assert code == 1
    assert "Không hiểu kỳ báo cáo 'abc'" in out and "quý I/2025" in out
    assert not ws.exists()


def test_init_with_an_unknown_form_leaves_nothing_behind(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    code, out = run("init", "-w", str(ws), "--form", "abc", "--period", "2024", "--unit", "058")
    assert code == 1 and "Không tìm thấy biểu mẫu 'abc'" in out
    assert not ws.exists()
    code, _ = run("init", "-w", str(ws), "--form", "thang-hanh-dong", "--period", "2024",
                  "--unit", "99999")
    assert code == 1 and not ws.exists()


def test_init_again_is_refused_and_the_campaign_is_unchanged(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert init(ws)[0] == 0
    code, out = run("init", "-w", str(ws), "--form", "thang-hanh-dong", "--period", "2024",
                    "--unit", "058", "--deadline", "2024-08-01")
    assert code == 1
    assert "đã có" in out and "Đã tạo" not in out
    assert "consolidate settings" in out
    assert Workspace(ws).campaign().deadline == dt.date(2024, 7, 3)


# --------------------------------------------------------------------------- settings


def test_settings_change_the_deadline_and_say_the_forms_already_made_carry_the_old_one(
        tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert init(ws)[0] == 0
    code, out = run("forms", "-w", str(ws))
    assert code == 0, out
    code, out = run("settings", "-w", str(ws), "deadline=10/07/2024",
                    "recipients=UBND tỉnh;Sở Y tế", "signer=Nguyễn Văn A")
    assert code == 0, out
    assert "Đã đổi Hạn nộp: 03/7/2024 → 10/7/2024" in out
    assert "Đã đổi Nơi nhận: chưa đặt → UBND tỉnh; Sở Y tế" in out
    assert "9 biểu mẫu đã tạo" in out and "tạo lại bằng 'consolidate forms'" in out
    campaign = Workspace(ws).campaign()
    assert campaign.deadline == dt.date(2024, 7, 10)
    assert campaign.settings["recipients"] == ["UBND tỉnh", "Sở Y tế"]
    assert campaign.settings["signer"] == "Nguyễn Văn A"
    # regenerated forms carry the new deadline
    assert run("forms", "-w", str(ws))[0] == 0
    sheet = load_workbook(form_path(campaign, "01840"))["Biểu 1"]
    assert "Hạn nộp: trước ngày 10/7/2024" in sheet["B4"].value


def test_settings_list_in_vietnamese_and_as_json(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert init(ws)[0] == 0
    code, out = run("settings", "-w", str(ws))
    assert code == 0 and "Hạn nộp (deadline): 03/7/2024" in out
    assert "Nơi nhận (recipients): chưa đặt" in out
    code, out = run("settings", "-w", str(ws), "--json", "cutoff=2024-06-30")
    data = json.loads(out)
    assert code == 0 and data["changes"][0]["key"] == "cutoff"
    assert {row["key"] for row in data["settings"]} >= {"deadline", "signer", "archive", "basis"}
    assert data["cutoff_effective"] == "2024-06-30"


def test_settings_help_is_vietnamese_and_names_every_key() -> None:
    code, out = run("settings", "--help")
    assert code == 0
    assert_no_english(out)
    for key in api.SETTINGS:
        assert key in out


def test_a_new_deadline_recounts_the_files_already_received(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert init(ws)[0] == 0
    api.forms(ws)
    campaign = Workspace(ws).campaign()
    fill_workbook(form_path(campaign, "01840"), ws / "inbox" / "01840.xlsx", ANSWERS)
    assert api.ingest(ws).report.stats["accepted"] == 1
    result = api.settings(ws, changes={"deadline": "2024-07-10"})
    codes = [f.code for f in result.findings]
    assert codes == ["setting-not-on-forms", "setting-deadline-received"]
    assert "Đã nhận 1 tệp" in result.findings[1].message
    assert api.status(ws).deadline == "trước ngày 10/7/2024"
    code, out = run("settings", "-w", str(ws), "deadline=2024-07-10")
    assert code == 0 and "Không có thiết lập nào thay đổi" in out


def test_settings_refuse_unknown_keys_and_the_campaigns_identity(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert init(ws)[0] == 0
    code, out = run("settings", "-w", str(ws), "han_nop=2024-08-01")
    assert code == 1 and "Không có thiết lập 'han_nop'" in out and "deadline" in out
    code, out = run("settings", "-w", str(ws), "period=2025")
    assert code == 1 and "cần tạo đợt báo cáo mới" not in out and "tạo đợt báo cáo mới" in out
    code, out = run("settings", "-w", str(ws), "deadline=mai")
    assert code == 1 and "Hạn nộp: giá trị 'mai' không hợp lệ" in out
    assert Workspace(ws).campaign().deadline == dt.date(2024, 7, 3)


# --------------------------------------------------------------------------- other periods


def test_half_year_forms_show_the_period_the_cutoff_and_the_deadline(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    code, out = init(ws, "6 tháng đầu năm 2025", "2024-07-03")
    assert code == 1 and "Hạn nộp 03/7/2024 ở trước kỳ báo cáo 6 tháng đầu năm 2025" in out
    assert not ws.exists()
    code, out = init(ws, "6 tháng đầu năm 2025", "2025-07-03")
    assert code == 0, out
    assert "6 tháng đầu năm 2025" in out
    assert run("forms", "-w", str(ws))[0] == 0
    campaign = Workspace(ws).campaign()
    assert campaign.id == "thang-hanh-dong-2025-6T-058"
    wb = load_workbook(form_path(campaign, "01840"))
    header = wb["Biểu 1"]["B4"].value
    assert header.startswith("Kỳ báo cáo: 6 tháng đầu năm 2025")
    assert "Thời gian chốt số liệu: đến hết ngày 14/6/2025" in header
    assert "Hạn nộp: trước ngày 03/7/2025" in header
    guide = [c.value for c in wb[GUIDE_SHEET]["A"] if c.value]
    assert "Kỳ báo cáo: 6 tháng đầu năm 2025." in guide
    assert "Thời gian chốt số liệu: đến hết ngày 14/6/2025." in guide
    assert "Hạn nộp: trước ngày 03/7/2025." in guide


@pytest.mark.parametrize(("typed", "label", "cutoff"), [
    ("quý I/2025", "quý I năm 2025", "14/3/2025"),
    ("tháng 3/2025", "tháng 3 năm 2025", "14/3/2025"),
])
def test_quarter_and_month_campaigns_go_from_forms_to_report(tmp_path, typed, label, cutoff):
    ws = tmp_path / "ws"
    made = api.init(ws, "thang-hanh-dong", typed, "058", dt.date(2025, 4, 5))
    campaign = made.campaign
    api.forms(ws)
    header = load_workbook(form_path(campaign, "01840"))["Biểu 1"]["B4"].value
    assert header == (f"Kỳ báo cáo: {label} – Thời gian chốt số liệu: đến hết ngày {cutoff} "
                      "– Hạn nộp: trước ngày 05/4/2025")
    fill_workbook(form_path(campaign, "01840"), ws / "inbox" / "01840.xlsx", ANSWERS)
    result = api.ingest(ws)
    assert result.report.stats["accepted"] == 1, [f.message for f in result.findings]
    roll = api.rollup(ws, "01840")
    assert roll.campaign.period_label == label


def test_previous_campaign_is_the_same_half_year_a_year_earlier(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    for period in ("2024", "6 tháng đầu năm 2024", "quý I/2025", "6 tháng 2025"):
        api.init(ws, "thang-hanh-dong", period, "058")
    workspace = Workspace(ws)
    current = workspace.campaign("thang-hanh-dong-2025-6T-058")
    earlier = workspace.previous_campaign(current)
    assert earlier is not None and earlier.id == "thang-hanh-dong-2024-6T-058"
    assert earlier.period_label == "6 tháng đầu năm 2024"
    assert workspace.previous_campaign(workspace.campaign("thang-hanh-dong-2025-Q1-058")) is None


# --------------------------------------------------------------------------- rosters


def test_a_unit_merged_in_2025_names_where_it_went(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    code, out = run("init", "-w", str(ws), "--form", "thang-hanh-dong", "--period", "2025",
                    "--unit", "06", "--roster", "2025")
    assert code == 1
    assert "Tỉnh Bắc Kạn (06) đã sáp nhập vào Tỉnh Thái Nguyên (19) từ năm 2025" in out
    assert "--unit 19 với --roster 2025" in out
    assert not ws.exists()


def test_a_pre_reform_commune_with_the_2025_roster_names_its_new_commune(tmp_path):
    code, out = run("init", "-w", str(tmp_path / "ws"), "--form", "thang-hanh-dong",
                    "--period", "2025", "--unit", "01834", "--roster", "2025")
    assert code == 1
    assert "Phường Nguyễn Thị Minh Khai (01834)" in out
    assert "Phường Đức Xuân (01840), Tỉnh Thái Nguyên" in out


def test_a_post_reform_code_with_the_2024_roster_says_it_is_a_2025_unit(tmp_path: Path) -> None:
    code, out = run("init", "-w", str(tmp_path / "ws"), "--form", "thang-hanh-dong",
                    "--period", "2025", "--unit", "11948")
    assert code == 1
    assert "11948 là Đặc khu Bạch Long Vĩ, Thành phố Hải Phòng trong danh mục 2025" in out
    assert "--roster 2025" in out


def test_an_unknown_roster_names_the_built_in_choices(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    code, out = run("init", "-w", str(ws), "--form", "thang-hanh-dong", "--period", "2023",
                    "--unit", "06", "--roster", "2023")
    assert code == 1
    assert "Không có danh mục đơn vị '2023'" in out
    assert "2024" in out and "2025" in out and ".csv/.xlsx" in out
    assert not ws.exists()


HAI_PHONG = """code,name,level,parent,email
31,Thành phố Hải Phòng,Thành phố,,
303,Quận Hồng Bàng,Quận,31,
11737,Phường Hoàng Văn Thụ,Phường,303,
11740,Phường Minh Khai,phuong,303,
11950,Đặc khu Bạch Long Vĩ,Đặc khu,31,
"""


def test_a_custom_roster_in_the_words_people_write_works_end_to_end(tmp_path: Path) -> None:
    source = tmp_path / "hai-phong.csv"
    source.write_text(HAI_PHONG, encoding="utf-8")
    ws = tmp_path / "ws"
    code, out = run("init", "-w", str(ws), "--form", "thang-hanh-dong", "--period",
                    "quý I/2025", "--unit", "31", "--roster", str(source))
    assert code == 0, out
    campaign = Workspace(ws).campaign()
    assert [(u.code, u.level) for u in campaign.roster] == [
        ("31", "province"), ("303", "district"), ("11737", "commune"), ("11740", "commune"),
        ("11950", "commune")]
    assert run("forms", "-w", str(ws))[0] == 0
    fill_workbook(form_path(campaign, "11950"), ws / "inbox" / "bach-long-vi.xlsx", ANSWERS)
    code, out = run("ingest", "-w", str(ws))
    assert code == 0 and "tiếp nhận 1" in out, out
    code, out = run("report", "-w", str(ws))
    assert code == 0, out
    roll = api.rollup(ws)
    assert roll.unit.name == "Thành phố Hải Phòng"
    assert 700 in set(roll.values.values())


def test_a_second_custom_roster_does_not_replace_the_first_campaigns(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(HAI_PHONG, encoding="utf-8")
    second.write_text(HAI_PHONG.replace("Phường Minh Khai", "Phường Minh Khai mới"),
                      encoding="utf-8")
    ws = tmp_path / "ws"
    api.init(ws, "thang-hanh-dong", "2025", "31", roster=first)
    api.init(ws, "thang-hanh-dong", "quý I/2025", "31", roster=second)
    workspace = Workspace(ws)
    names = {c.id: c.roster["11740"].name for c in workspace.campaigns()}
    assert names == {"thang-hanh-dong-2025-31": "Phường Minh Khai",
                     "thang-hanh-dong-2025-Q1-31": "Phường Minh Khai mới"}


def test_a_city_under_a_province_is_district_level(tmp_path: Path) -> None:
    path = tmp_path / "bac-kan.csv"
    path.write_text("code,name,level,parent\n06,Tỉnh Bắc Kạn,Tỉnh,\n"
                    "058,Thành phố Bắc Kạn,Thành phố,06\n01840,Phường Đức Xuân,Phường,058\n"
                    "063,Thị xã X,thi xa,06\n", encoding="utf-8")
    roster = load_roster_file(path)
    assert [u.level for u in roster.units()] == ["province", "district", "commune", "district"]


def test_an_unsupported_level_word_lists_the_accepted_ones(tmp_path: Path) -> None:
    # a level above the provinces is accepted since issue 13 (tests/test_national.py);
    # a village is still below every level a report is consolidated at
    path = tmp_path / "thon.csv"
    path.write_text("code,name,level,parent\n06,Tỉnh Bắc Kạn,Tỉnh,\nT1,Thôn Nà Pài,thôn,06\n",
                    encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        load_roster_file(path)
    message = caught.value.finding.message
    assert "thon.csv, dòng 3" in message and "'thôn'" in message
    for word in ("toàn quốc", "tỉnh", "thành phố", "quận", "thị xã", "phường", "thị trấn",
                 "đặc khu"):
        assert word in message

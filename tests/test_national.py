"""A national root: the ministry consolidates the provinces as a province its districts.

The roster has a level above the provinces ("Toàn quốc"); the provinces consolidate their
communes and send their workbooks up; the ministry ingests them beside commune forms of
its own, and its workbook and Word report follow the rules of a province's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import Workbook, load_workbook

from consolidate.cli import main
from consolidate.core.roster import load_roster_file, official_roster
from consolidate.core.specfile import load_spec
from consolidate.core.workspace import Campaign, Workspace
from consolidate.forms import layout
from consolidate.forms.layout import KEY_ROW, TABLE_MARK
from consolidate.intake.ingest import ingest

from .conftest import Filler, make_campaign
from .helpers import rollup_of, write_reports

#: A root above two provinces; Tỉnh Một has a district, Tỉnh Hai too.
ROSTER = """mã,tên,cấp,mã cấp trên
QG,Toàn quốc,Toàn quốc,
T1,Tỉnh Một,Tỉnh,QG
H1,Huyện Một,Huyện,T1
X1,Xã Một,Xã,H1
X2,Xã Hai,Xã,H1
T2,Tỉnh Hai,Tỉnh,QG
H2,Huyện Hai,Huyện,T2
X3,Xã Ba,Xã,H2
X4,Xã Bốn,Xã,H2
"""
#: Each unit's own figures in Biểu 1 (children who took part), on its own level's row.
CHILDREN = {"T1": 40, "H1": 30, "X1": 7, "X2": 11, "T2": 50, "H2": 20, "X3": 5, "X4": 13}
ROW = {"province": "tinh", "district": "huyen", "commune": "xa"}
COLUMN = "so_tre_em_tham_du"


def roster_file(tmp_path: Path) -> Path:
    path = tmp_path / "danh-muc.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def current(campaign: Campaign) -> Campaign:
    return Workspace(campaign.workspace.path).campaign(campaign.id)


def fill_own(campaign: Campaign, fill: Filler, code: str) -> Path:
    level = campaign.roster[code].level
    return fill(campaign, code, {"bieu_1": {(ROW[level], COLUMN): CHILDREN[code]}})


def province_workbook(tmp_path: Path, fill: Filler, roster: Path, code: str,
                      senders: list[str]) -> Path:
    """A province's campaign on the national roster: its units' forms ingested, its
    consolidated workbook written, ready to send to the ministry."""
    province = make_campaign(tmp_path / code, unit=code, roster=roster)
    for sender in senders:
        fill_own(province, fill, sender)
    assert ingest(province.workspace).valid
    [result] = write_reports(current(province))
    return Path(result.workbook)


def sheet_rows(path: Path, sheet: str) -> dict[str, list]:
    """The level rows of a table sheet as a clerk sees them: label -> values of the row."""
    ws = load_workbook(path)[sheet]
    return {row[1]: list(row[2:]) for row in ws.iter_rows(values_only=True)
            if row[0] in ("tw", "tinh", "huyen", "xa", "tong")}


def test_a_custom_roster_may_have_a_national_level_above_the_provinces(tmp_path: Path) -> None:
    roster = load_roster_file(roster_file(tmp_path))
    assert roster.levels() == ["national", "province", "district", "commune"]
    assert [u.code for u in roster.children("QG")] == ["T1", "T2"]
    for word in ("Quốc gia", "cấp trung ương", "TOAN QUOC"):
        path = tmp_path / "khac.csv"
        path.write_text(f"code,name,level,parent\nVN,Việt Nam,{word},\n06,Tỉnh A,tỉnh,VN\n",
                        encoding="utf-8")
        assert load_roster_file(path)["VN"].level == "national"


def test_national_campaign_relays_province_workbooks_and_commune_forms(
        tmp_path: Path, fill: Filler) -> None:
    roster = roster_file(tmp_path)
    first = province_workbook(tmp_path, fill, roster, "T1", ["T1", "H1", "X1", "X2"])
    second = province_workbook(tmp_path, fill, roster, "T2", ["T2", "H2", "X3"])
    # a province's workbook is a submission for the level above: it carries its relay data
    assert "_data" in load_workbook(first).sheetnames

    nation = make_campaign(tmp_path / "bo", unit="QG", roster=roster)
    fill_own(nation, fill, "X4")  # a commune Tỉnh Hai had not heard from reports directly
    fill_own(nation, fill, "X3")  # and one it had: the same figure reaches the ministry twice
    report = ingest(nation.workspace, [first, second, nation.workspace.inbox])
    assert report.valid, report.findings

    roll = rollup_of(current(nation))
    # Tỉnh Hai stated 5 children at commune level; with Xã Bốn's form the detail says 18:
    # the detail counts, the difference is listed (DESIGN.md: which submission counts)
    [mismatch] = roll.mismatches
    assert (mismatch.unit, mismatch.found, mismatch.expected) == (
        "T2", str(CHILDREN["X3"]), str(CHILDREN["X3"] + CHILDREN["X4"]))
    by_level = {row: sum(v for c, v in CHILDREN.items() if ROW[nation.roster[c].level] == row)
                for row in ROW.values()}
    for row, expected in by_level.items():
        assert roll.value("bieu_1", row, COLUMN) == expected
    assert roll.value("bieu_1", "tong", COLUMN) == sum(CHILDREN.values())
    assert list(roll.tables["bieu_1"].index) == ["tinh", "huyen", "xa", "tong"]

    [result] = write_reports(current(nation))
    rows = sheet_rows(Path(result.workbook), "Biểu 1")
    # the form does not declare a national row: the three level rows and the total
    assert list(rows) == ["Cấp tỉnh", "Cấp huyện", "Cấp xã", "Tổng cộng"]
    column = [k for k in load_workbook(result.workbook)["Biểu 1"][KEY_ROW]
              if k.value == COLUMN][0].column - 3
    assert rows["Cấp tỉnh"][column] == by_level["tinh"]
    assert rows["Cấp xã"][column] == by_level["xa"]
    assert "_data" not in load_workbook(result.workbook).sheetnames  # nothing above to relay to

    doc = Document(result.document)
    header = doc.tables[0].cell(0, 0).text
    assert "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI" in header
    assert "ỦY BAN NHÂN DÂN" not in header and "TOÀN QUỐC" not in header
    text = "\n".join(p.text for p in doc.paragraphs)
    opening = next(p.text for p in doc.paragraphs if p.text.startswith("Thực hiện"))
    assert opening.startswith("Thực hiện văn bản số …/… ngày …/…/… của Chính phủ về")
    assert ", Bộ Lao động - Thương binh và Xã hội báo cáo" in opening
    assert "/BC-BLĐTBXH" in doc.tables[0].cell(1, 0).text
    assert "Ủy ban nhân dân toàn quốc" not in text
    sign = doc.tables[1]
    recipients = sign.cell(0, 0).text
    assert "- Chính phủ;" in recipients and "- UBND các tỉnh;" in recipients
    assert "- Lưu: VT, CTE." in recipients
    assert "KT. BỘ TRƯỞNG" in sign.cell(0, 1).text and "THỨ TRƯỞNG" in sign.cell(0, 1).text
    assert "Hà Nội, ngày" in doc.tables[0].cell(1, 1).text


def test_a_province_under_the_nation_answers_the_ministry(tmp_path: Path, fill: Filler) -> None:
    roster = roster_file(tmp_path)
    province = make_campaign(tmp_path / "T1", unit="T1", roster=roster)
    fill_own(province, fill, "X1")
    assert ingest(province.workspace).valid
    [result] = write_reports(current(province))
    doc = Document(result.document)
    assert "ỦY BAN NHÂN DÂN\nTỈNH MỘT" in doc.tables[0].cell(0, 0).text
    text = "\n".join(p.text for p in doc.paragraphs)
    opening = next(p.text for p in doc.paragraphs if p.text.startswith("Thực hiện"))
    assert opening.startswith("Thực hiện văn bản số …/… ngày …/…/… của Bộ Lao động - Thương "
                              "binh và Xã hội về")
    assert ", Ủy ban nhân dân tỉnh Một báo cáo" in opening
    assert "toàn quốc" not in text.lower()
    recipients = doc.tables[1].cell(0, 0).text
    assert "- Bộ Lao động - Thương binh và Xã hội;" in recipients
    assert "Toàn quốc" not in recipients and "toàn quốc" not in recipients


def test_a_form_declaring_the_national_row_gains_cap_trung_uong(tmp_path: Path) -> None:
    spec_path = tmp_path / "bo.yaml"
    spec_path.write_text("extends: thang-hanh-dong\nid: bo\ntitle: Báo cáo của Bộ\ntables:\n"
                         "  - {id: bieu_1, sheet: Biểu 1, title: Bộ, national_row: true,\n"
                         "     columns: [{id: so, label: Số trẻ em, kind: count}]}\n",
                         encoding="utf-8")
    spec = load_spec(spec_path)
    levels = load_roster_file(roster_file(tmp_path)).levels()
    ident = layout.Identity("QG", "Toàn quốc", "national", "Toàn quốc (mã QG)", "2024",
                            "năm 2024", "")
    wb = Workbook()
    layout.write_table(wb, spec.table("bieu_1"), levels, ident)
    layout.write_table(wb, load_spec("thang-hanh-dong").table("bieu_2"), levels, ident)
    labels = {ws["A1"].value: [r[1] for r in ws.iter_rows(values_only=True)
                               if r[0] in ("tw", "tinh", "huyen", "xa", "tong")]
              for ws in wb.worksheets if str(ws["A1"].value).startswith(TABLE_MARK)}
    assert labels[f"{TABLE_MARK}bieu_1"] == ["Cấp trung ương", "Cấp tỉnh", "Cấp huyện",
                                             "Cấp xã", "Tổng cộng"]
    assert labels[f"{TABLE_MARK}bieu_2"] == ["Cấp tỉnh", "Cấp huyện", "Cấp xã", "Tổng cộng"]


def test_national_row_must_be_true_or_false(tmp_path: Path) -> None:
    from consolidate.core.spec import SpecError

    spec_path = tmp_path / "sai.yaml"
    spec_path.write_text("extends: thang-hanh-dong\nid: sai\ntitle: Sai\ntables:\n"
                         "  - {id: bieu_1, sheet: Biểu 1, title: Sai, national_row: có,\n"
                         "     columns: [{id: so, label: Số, kind: count}]}\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(spec_path)
    assert "national_row" in str(caught.value.finding.message)


@pytest.mark.parametrize(("structure", "provinces"), [("2024", 63), ("2025", 34)])
def test_both_official_trees_have_the_whole_country_as_root(structure: str,
                                                            provinces: int) -> None:
    tree = official_roster(structure)
    [root] = tree.roots()
    assert (root.code, root.name, root.level) == ("VN", "Toàn quốc", "national")
    assert len(tree.children("VN")) == provinces
    assert tree.subtree("06" if structure == "2024" else "19").levels()[0] == "province"


def test_init_unit_vn_campaigns_the_whole_country(tmp_path: Path) -> None:
    ws = tmp_path / "bo"
    result = CliRunner().invoke(main, ["init", "-w", str(ws), "--form", "thang-hanh-dong",
                                       "--period", "2025", "--unit", "VN", "--roster", "2025",
                                       "--json"])
    assert result.exit_code == 0, result.output
    campaign = Workspace(ws).campaign()
    assert campaign.root_unit.name == "Toàn quốc"
    assert len(campaign.roster.children("VN")) == 34
    assert len(campaign.roster) == 1 + 34 + len([u for u in campaign.roster
                                                 if u.level == "commune"])


def test_the_ministrys_request_letter_is_addressed_to_the_provinces(tmp_path: Path) -> None:
    from consolidate import api

    nation = make_campaign(tmp_path / "bo", unit="QG", roster=roster_file(tmp_path),
                           period="2025")
    doc = Document(api.letter(nation.workspace.path, nation.id).document)
    header = doc.tables[0].cell(0, 0).text
    assert "BỘ Y TẾ" in header and "ỦY BAN NHÂN DÂN" not in header
    assert "/BYT-BMTE" in doc.tables[0].cell(1, 0).text
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Kính gửi: Ủy ban nhân dân các tỉnh." in text
    assert "toàn quốc" not in text.lower()
    sign = next(t for t in doc.tables if t.cell(0, 0).text.startswith("Nơi nhận"))
    assert "- Lãnh đạo Bộ;" in sign.cell(0, 0).text and "VT, BMTE" in sign.cell(0, 0).text
    assert "KT. BỘ TRƯỞNG" in sign.cell(0, 1).text


def test_a_province_workbook_on_the_2025_tree_relays_to_the_whole_country(
        tmp_path: Path, fill: Filler) -> None:
    from consolidate.core.workspace import init_campaign

    province = make_campaign(tmp_path / "lai-chau", unit="12", period="2025", roster="2025")
    communes = [u.code for u in province.roster.children("12")[:2]]
    for code, children in zip(communes, (9, 16), strict=True):
        fill(province, code, {"bieu_1": {("xa", COLUMN): children}})
    assert ingest(province.workspace).valid
    [result] = write_reports(current(province))
    # a 2025 province's tables keep their two level rows: no national row, no district row
    assert list(sheet_rows(Path(result.workbook), "Biểu 1")) == ["Cấp tỉnh", "Cấp xã",
                                                                  "Tổng cộng"]

    nation = init_campaign(tmp_path / "bo", "thang-hanh-dong", "2025", "VN", roster="2025")
    report = ingest(Workspace(nation.workspace.path), [Path(result.workbook)])
    assert report.valid, report.findings
    roll = rollup_of(current(nation))
    assert roll.value("bieu_1", "xa", COLUMN) == 9 + 16
    assert roll.value("bieu_1", "tong", COLUMN) == 9 + 16
    assert list(roll.tables["bieu_1"].index) == ["tinh", "xa", "tong"]

"""Form specs: loading, checking with line numbers, and variants declared in YAML alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from consolidate.core.spec import SpecError
from consolidate.core.specfile import load_spec
from consolidate.forms.layout import column_width


def write(tmp_path: Path, text: str, name: str = "f.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """\
id: mini
title: Biểu thử
tables:
  - id: b1
    sheet: Biểu 1
    title: Bảng một
    rows: levels
    columns:
      - {id: so_tre_em, label: Số trẻ em, kind: count}
"""


def test_action_month_spec_has_three_tables_with_level_rows() -> None:
    spec = load_spec("thang-hanh-dong")
    assert [t.sheet for t in spec.tables] == ["Biểu 1", "Biểu 2", "Biểu 3"]
    b1 = spec.table("bieu_1")
    rows = b1.rows(["province", "district", "commune"])
    assert [r.label for r in rows] == ["Cấp tỉnh", "Cấp huyện", "Cấp xã", "Tổng cộng"]
    assert [c.kind for c in b1.columns] == ["count"] * 4 + ["money"] * 2
    assert [f.id for f in spec.narrative] == [
        "chi_dao", "phat_dong", "noi_dung", "kinh_phi", "ho_tro", "tham_gia", "ket_qua",
        "ton_tai", "kien_nghi"]


def test_two_tier_roster_gives_two_level_rows() -> None:
    rows = load_spec("thang-hanh-dong").table("bieu_2").rows(["province", "commune"])
    assert [r.label for r in rows] == ["Cấp tỉnh", "Cấp xã", "Tổng cộng"]


def test_unknown_key_is_refused_with_its_line(tmp_path: Path) -> None:
    text = MINIMAL.replace("      - {id: so_tre_em", "      - {id: so_tre_em, unit: em")
    with pytest.raises(SpecError) as err:
        load_spec(write(tmp_path, text))
    assert "dòng 9" in str(err.value)
    assert "khóa không hợp lệ" in str(err.value) and "unit" in str(err.value)


def test_missing_label_is_refused_with_its_line(tmp_path: Path) -> None:
    text = MINIMAL.replace("label: Số trẻ em, ", "")
    with pytest.raises(SpecError, match=r"dòng 9.*thiếu 'label'"):
        load_spec(write(tmp_path, text))


def test_bad_aggregation_kind_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace("kind: count", "kind: average")
    with pytest.raises(SpecError, match=r"loại chỉ tiêu 'average'.*count, money"):
        load_spec(write(tmp_path, text))


def test_duplicate_column_ids_are_refused(tmp_path: Path) -> None:
    text = MINIMAL + "      - {id: so_tre_em, label: Lặp lại, kind: count}\n"
    with pytest.raises(SpecError, match="mã trùng nhau.*so_tre_em"):
        load_spec(write(tmp_path, text))


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="dòng 4: sai cú pháp YAML"):
        load_spec(write(tmp_path, "id: x\ntitle: y\ntables: [\n  - {id: \n"))


def test_unknown_form_lists_the_known_ones() -> None:
    with pytest.raises(SpecError, match="thang-hanh-dong"):
        load_spec("khong-co-bieu-nay")


FOUR_GROUPS = """\
# Seed 000's Biểu 3: four groups instead of two, declared by a province in YAML alone.
extends: thang-hanh-dong
id: thang-hanh-dong-4-nhom
tables:
  - id: bieu_3
    sheet: Biểu 3
    title: Các hoạt động vui chơi, giải trí và tham gia của trẻ em
    total_label: Tổng
    groups:
      - label: Hội thi, hội thảo...
        columns:
          - {id: hoi_thi_so_luong, label: Số lượng, kind: count}
          - {id: hoi_thi_so_tre_em, label: Số lượng trẻ em tham gia, kind: count}
      - label: Diễn đàn
        columns:
          - {id: dien_dan_so_luong, label: Số lượng Diễn đàn, kind: count}
          - {id: dien_dan_so_tre_em, label: Số lượng trẻ em tham gia, kind: count}
      - label: Cắm trại
        columns:
          - {id: cam_trai_so_luong, label: Số lượng hội trại, kind: count}
          - {id: cam_trai_so_tre_em, label: Số lượng trẻ em tham gia, kind: count}
      - label: Các hoạt động khác
        columns:
          - {id: khac_so_luong, label: Số lượng, kind: count}
          - {id: khac_so_tre_em, label: Số lượng trẻ em tham gia, kind: count}
"""


def test_four_group_variant_replaces_only_its_table(tmp_path: Path, seed_tables: dict) -> None:
    spec = load_spec(write(tmp_path, FOUR_GROUPS, "thang-hanh-dong-4-nhom.yaml"))
    assert spec.id == "thang-hanh-dong-4-nhom"
    assert [t.id for t in spec.tables] == ["bieu_1", "bieu_2", "bieu_3"]
    b3 = spec.table("bieu_3")
    assert [c.id for c in b3.columns] == seed_tables["seed_000"]["bieu_3"]["columns"]
    assert [g for g, _ in b3.groups()] == [
        "Hội thi, hội thảo...", "Diễn đàn", "Cắm trại", "Các hoạt động khác"]
    assert b3.rows(["province", "district", "commune"])[-1].label == "Tổng"
    assert spec.table("bieu_1") == load_spec("thang-hanh-dong").table("bieu_1")


CHART = MINIMAL.replace(
    "      - {id: so_tre_em, label: Số trẻ em, kind: count}\n",
    "      - {id: so_tre_em, label: Số trẻ em, kind: count}\n"
    "      - {id: kinh_phi, label: Kinh phí (đồng), kind: money}\n",
) + """\
chart:
  title: Trẻ em và kinh phí
  panels:
    - title: Trẻ em
      series:
        - {label: Trẻ em, sum: [b1.so_tre_em]}
    - title: Kinh phí (đồng)
      money: true
      series:
        - {label: Kinh phí, sum: [b1.kinh_phi]}
"""


def test_action_month_chart_is_declared_in_its_yaml() -> None:
    chart = load_spec("thang-hanh-dong").chart
    assert chart is not None and chart.title.startswith("Lượt trẻ em tham gia")
    kids, money = chart.panels
    assert not kids.money and money.money
    assert [s.label for s in money.series] == ["Ngân sách nhà nước", "Vận động"]
    assert kids.series[0].elements[0] == "bieu_1.so_tre_em_tham_du"
    assert len(kids.series[0].elements) == 6


def test_rights_form_declares_its_chart_and_a_wide_document_name() -> None:
    spec = load_spec("quyen-tre-em")
    assert spec.chart is not None  # declared in its YAML: no chart is derived from columns
    assert [s.elements for s in spec.chart.panels[0].series] == [
        ("kinh_phi.ngan_sach",), ("kinh_phi.van_dong",), ("kinh_phi.quy_btte",)]
    assert [c.width for c in spec.table("phu_luc_01").columns] == [None, None, 54, None]


def test_chart_is_read_into_typed_objects(tmp_path: Path) -> None:
    chart = load_spec(write(tmp_path, CHART)).chart
    assert chart is not None and chart.title == "Trẻ em và kinh phí"
    assert [(p.title, p.money) for p in chart.panels] == [
        ("Trẻ em", False), ("Kinh phí (đồng)", True)]
    assert chart.panels[1].series[0].elements == ("b1.kinh_phi",)


def test_chart_series_of_a_missing_element_is_refused_with_its_line(tmp_path: Path) -> None:
    text = CHART.replace("sum: [b1.so_tre_em]", "sum: [b1.so_tre_em, b1.tre_em_nu]")
    with pytest.raises(SpecError) as err:
        load_spec(write(tmp_path, text))
    assert (err.value.finding.file, err.value.finding.line) == ("f.yaml", "16")
    assert "chuỗi 'Trẻ em' của biểu đồ" in str(err.value) and "'b1.tre_em_nu'" in str(err.value)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("sum: [b1.kinh_phi]", "sum: [b1.so_tre_em]", r"dòng 20.*phải là cột kinh phí \(money\)"),
    ("      money: true\n", "", r"dòng 19.*phải là cột số lượng \(count\)"),
    ("      money: true", "      money: có", r"dòng 17.*'money'.*true hoặc false"),
    ("        - {label: Trẻ em, sum", "        - {label: Trẻ em, color: red, sum",
     r"dòng 16.*khóa không hợp lệ.*color"),
    ("{label: Kinh phí, sum", "{label: Trẻ em, sum", "dòng 12.*bị trùng: Trẻ em"),
    ("  title: Trẻ em và kinh phí\n", "", "biểu đồ thiếu 'title'"),
])
def test_bad_charts_are_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        load_spec(write(tmp_path, CHART.replace(old, new)))


def test_chart_of_a_table_without_levels_is_refused(tmp_path: Path) -> None:
    text = CHART.replace("rows: levels", "kind: fields\n    rows: [{id: r1, label: Dòng}]")
    with pytest.raises(SpecError, match="bảng theo cấp"):
        load_spec(write(tmp_path, text))


def test_list_widths_come_from_the_spec_or_the_kind() -> None:
    """One rule for the blank form and the consolidated list sheet."""
    columns = load_spec("quyen-tre-em").table("phu_luc_01").columns
    assert [column_width(c) for c in columns] == [34, 34, 54, 14]


def test_column_width_is_read_and_checked(tmp_path: Path) -> None:
    text = MINIMAL.replace("kind: count}", "kind: count, width: 20}")
    assert load_spec(write(tmp_path, text)).table("b1").columns[0].width == 20
    for bad in ("0", "rộng", "true", "12.5", "500"):
        text = MINIMAL.replace("kind: count}", f"kind: count, width: {bad}}}")
        with pytest.raises(SpecError, match=r"dòng 9: 'width' của cột 'so_tre_em' phải là số"):
            load_spec(write(tmp_path, text))


def test_variant_does_not_inherit_the_chart(tmp_path: Path) -> None:
    """Its tables may no longer have the columns the base's chart sums."""
    assert load_spec(write(tmp_path, FOUR_GROUPS, "thang-hanh-dong-4-nhom.yaml")).chart is None

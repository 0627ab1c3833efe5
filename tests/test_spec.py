"""Form specs: loading, checking with line numbers, and variants declared in YAML alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from consolidate.core.spec import SpecError, load_spec


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
        "chi_dao", "phat_dong", "noi_dung", "ket_qua", "ton_tai", "kien_nghi"]


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

"""The API's verbs, as the CLI, the mail commands and the web page call them."""

from __future__ import annotations

from pathlib import Path

from consolidate import api

from .helpers import ANSWERS, fill_workbook


def test_long_verbs_say_how_far_they_are(tmp_path: Path) -> None:
    api.init(tmp_path / "ws", "thang-hanh-dong", "2024", "058")
    seen: list[tuple[int, int]] = []
    made = api.forms(tmp_path / "ws", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(n, 9) for n in range(1, 10)] and len(made.paths) == 9
    ward = next(p for p in made.paths if p.name.startswith("01840_"))
    fill_workbook(ward, tmp_path / "ws" / "inbox" / "a.xlsx", ANSWERS)
    seen.clear()
    got = api.ingest(tmp_path / "ws", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 1)] and got.report.stats["accepted"] == 1


def test_an_empty_folder_given_is_read_as_empty_not_as_the_inbox(tmp_path: Path) -> None:
    api.init(tmp_path / "ws", "thang-hanh-dong", "2024", "058")
    made = api.forms(tmp_path / "ws")
    ward = next(p for p in made.paths if p.name.startswith("01840_"))
    fill_workbook(ward, tmp_path / "ws" / "inbox" / "a.xlsx", ANSWERS)
    (tmp_path / "empty").mkdir()
    assert api.ingest(tmp_path / "ws", [tmp_path / "empty"]).report.stats["files"] == 0
    assert api.ingest(tmp_path / "ws").report.stats["files"] == 1


def test_a_report_reads_the_roll_up_it_returns(tmp_path: Path) -> None:
    api.init(tmp_path / "ws", "thang-hanh-dong", "2024", "058")
    made = api.forms(tmp_path / "ws")
    ward = next(p for p in made.paths if p.name.startswith("01840_"))
    fill_workbook(ward, tmp_path / "ws" / "inbox" / "a.xlsx", ANSWERS)
    api.ingest(tmp_path / "ws")
    result = api.report(tmp_path / "ws", all_units=True)
    [district] = result.reports
    assert district.rollup.value("bieu_1", "xa", "so_tre_em_tham_du") == 700
    assert api.rollup(tmp_path / "ws").values == district.rollup.values
    assert result.to_dict()["reports"][0]["workbook"] == str(district.workbook)

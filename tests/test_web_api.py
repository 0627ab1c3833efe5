"""The small API additions the web page needs: the campaign list, each file's outcome,
a unit's feedback workbook, and the reminders' text before anything is sent."""

from __future__ import annotations

from pathlib import Path

from consolidate import api

from .helpers import ANSWERS, fill_workbook, form_path


def _ward(tmp_path: Path, answers: dict, name: str = "a.xlsx") -> Path:
    camp = api.campaigns(tmp_path / "ws")[0]
    return fill_workbook(form_path(camp, "01840"), tmp_path / name, answers)


def test_campaigns_are_listed_and_an_empty_folder_has_none(tmp_path: Path) -> None:
    assert api.campaigns(tmp_path / "ws") == []
    api.init(tmp_path / "ws", "thang-hanh-dong", "2024", "058")
    assert [c.id for c in api.campaigns(tmp_path / "ws")] == ["thang-hanh-dong-2024-058"]


def test_ingest_says_what_became_of_each_file_in_order(tmp_path: Path) -> None:
    api.init(tmp_path / "ws", "thang-hanh-dong", "2024", "058")
    api.forms(tmp_path / "ws")
    good = _ward(tmp_path, ANSWERS)
    bad = tmp_path / "ghi-chu.xlsx"
    bad.write_text("không phải bảng tính", encoding="utf-8")
    got = api.ingest(tmp_path / "ws", [good, bad, good])
    assert got.files == [{"file": "a.xlsx", "status": "accepted", "unit": "01840"},
                         {"file": "ghi-chu.xlsx", "status": "rejected", "unit": ""},
                         {"file": "a.xlsx", "status": "duplicate", "unit": "01840"}]
    assert got.to_dict()["files"] == got.files


def test_history_names_the_unit_s_feedback_workbook(tmp_path: Path) -> None:
    api.init(tmp_path / "ws", "thang-hanh-dong", "2024", "058")
    api.forms(tmp_path / "ws")
    assert api.history(tmp_path / "ws", "01840").feedback is None
    wrong = {"bieu_1": {**ANSWERS["bieu_1"], ("xa", "so_tre_em_tham_du"): "nhiều"}}
    api.ingest(tmp_path / "ws", [_ward(tmp_path, wrong)])
    feedback = api.history(tmp_path / "ws", "01840").feedback
    assert feedback is not None and feedback.is_file()
    assert feedback.name.startswith("01840_") and "gop-y" in feedback.name


def test_preview_shows_each_reminder_without_sending(tmp_path: Path) -> None:
    api.init(tmp_path / "ws", "thang-hanh-dong", "2024", "058")
    api.forms(tmp_path / "ws")
    api.ingest(tmp_path / "ws", [_ward(tmp_path, ANSWERS)])
    got = api.preview(tmp_path / "ws")
    units = [m["unit"] for m in got.messages]
    assert len(units) == 7 and "01840" not in units and "058" not in units
    first = got.messages[0]
    assert "Nhắc gửi" in first["subject"] and first["name"] in first["body"]
    assert not (tmp_path / "ws" / "outbox").exists()

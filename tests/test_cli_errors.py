"""What a clerk sees when something is wrong: Vietnamese only, the right exit code, no traceback;
and ``--json`` on every command, errors included, with the error's code and fields."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from consolidate import api
from consolidate.cli import main

ENGLISH = re.compile(r"\b(Usage|Error|Options|Commands|Try|Missing|Invalid|No such|does not "
                     r"exist|is a file|Traceback|Show this message|default:)\b")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def assert_vietnamese(out: str) -> None:
    assert out.strip(), "nothing was said"
    assert not ENGLISH.search(out), out
    assert "Traceback" not in out


@pytest.mark.parametrize("args", [
    ("khong-co-lenh",),
    ("init", "-w", "x"),
    ("init", "--khong-co", "1"),
    ("status", "-w"),
    ("ingest", "-w", ".", "/khong/co/tep.xlsx"),
])
def test_wrong_usage_is_said_in_vietnamese_with_exit_code_2(args: tuple[str, ...]) -> None:
    code, out = run(*args)
    assert code == 2, out
    assert_vietnamese(out)


def test_help_of_every_command_is_vietnamese() -> None:
    for command in ("", "init", "forms", "ingest", "status", "report", "history", "pin",
                    "close", "reopen", "demo"):
        code, out = run(*([command] if command else []), "--help")
        assert code == 0, out
        assert_vietnamese(out)
        assert "Cách dùng" in out


@pytest.mark.parametrize("command", ["forms", "ingest", "status", "report", "close", "reopen"])
def test_a_folder_without_campaigns_is_refused_in_vietnamese(tmp_path: Path, command: str) -> None:
    code, out = run(command, "-w", str(tmp_path))
    assert code == 1, out
    assert_vietnamese(out)
    assert "chưa có đợt báo cáo nào" in out


def test_a_file_where_a_folder_is_expected_is_refused(tmp_path: Path) -> None:
    a_file = tmp_path / "ghi-chu.txt"
    a_file.write_text("x", encoding="utf-8")
    code, out = run("status", "-w", str(a_file))
    assert code == 2, out
    assert_vietnamese(out)
    assert "là một tệp" in out


def test_a_damaged_store_is_one_vietnamese_line_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "consolidate.sqlite").write_bytes(b"this is not a database at all" * 100)
    for command in ("status", "report", "ingest"):
        code, out = run(command, "-w", str(tmp_path))
        assert code == 1, out
        assert_vietnamese(out)
        assert "bị hỏng" in out
    code, out = run("status", "-w", str(tmp_path), "--json")
    payload = json.loads(out)
    assert code == 1 and payload["valid"] is False
    assert payload["error"]["code"] == "store-damaged"


def test_a_damaged_store_shows_a_traceback_only_with_debug(tmp_path: Path) -> None:
    (tmp_path / "consolidate.sqlite").write_bytes(b"not a database" * 100)
    result = CliRunner().invoke(main, ["--debug", "status", "-w", str(tmp_path)])
    assert result.exit_code == 1
    assert result.exception is not None  # raised, for the developer to see


def test_a_system_error_while_writing_is_one_vietnamese_line(tmp_path: Path) -> None:
    api.init(tmp_path / "ws", "thang-hanh-dong", "2024", "058")
    (tmp_path / "ws" / "forms").write_text("a file where the forms folder should be")
    code, out = run("forms", "-w", str(tmp_path / "ws"))
    assert code == 1, out
    assert_vietnamese(out)
    assert "Lỗi hệ thống" in out and "không phải thư mục" in out


def test_every_command_speaks_json_with_errors_carrying_their_code(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    code, out = run("init", "-w", ws, "--form", "thang-hanh-dong", "--period", "2024",
                    "--unit", "058", "--json")
    made = json.loads(out)
    assert code == 0 and made["campaign"] == "thang-hanh-dong-2024-058" and made["units"] == 9
    outputs = {}
    for args in (("forms",), ("ingest",), ("status",), ("report",), ("history", "--unit",
                 "01840"), ("close",), ("reopen",), ("pin", "--unit", "01840", "--clear")):
        code, out = run(*args, "-w", ws, "--json")
        outputs[args[0]] = json.loads(out)
        assert code == 0, out
        assert outputs[args[0]]["valid"] is True and "findings" in outputs[args[0]]
    assert len(outputs["forms"]["files"]) == 9
    assert outputs["status"]["counts"] == {"Chưa nộp": 9}
    assert outputs["report"]["reports"][0]["unit"] == "058"
    code, out = run("status", "-w", ws, "--campaign", "khong-co", "--json")
    error = json.loads(out)["error"]
    assert code == 1
    assert error["code"] == "campaign-unknown" and error["found"] == "khong-co"
    assert error["expected"] == "thang-hanh-dong-2024-058"
    assert "Không có đợt báo cáo 'khong-co'" in error["message"]


def test_the_api_returns_results_and_raises_refusals_with_codes(tmp_path: Path) -> None:
    made = api.init(tmp_path / "ws", "thang-hanh-dong", "2024", "058")
    assert made.valid and made.to_dict()["unit_name"] == "Thành phố Bắc Kạn"
    with pytest.raises(api.ConsolidateError) as caught:
        api.history(tmp_path / "ws", "99999")
    assert caught.value.code == "unit-not-in-campaign"
    assert caught.value.finding.fields["found"] == "99999"

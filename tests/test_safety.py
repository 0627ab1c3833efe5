"""Checks before parsing, tokens, file names, locks and deterministic outputs."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from consolidate.core import files
from consolidate.core.files import atomic_write, safe_component
from consolidate.core.workspace import Campaign, Workspace
from consolidate.forms.generate import generate_forms, token_meta
from consolidate.forms.token import check_token, unit_token
from consolidate.intake.container import MAX_UNPACKED_BYTES, check_container

from .conftest import form_path
from .corpus import MB, Ctx, sheet_50mb


@pytest.mark.parametrize(("name", "safe"), [
    ("Báo cáo phường Đức Xuân (bản cuối).xlsx", "Bao_cao_phuong_Duc_Xuan_ban_cuoi.xlsx"),
    ("..\\..\\Windows\\system32\\x.xlsx", "Windows_system32_x.xlsx"),
    ("../../etc/passwd", "etc_passwd"),
    ("..", "tep"),
    ("CON.xlsx", "_CON.xlsx"),
    ("bao\x00cao\n.xls", "bao_cao.xls"),
])
def test_received_names_become_one_safe_path_component(name: str, safe: str) -> None:
    assert safe_component(name) == safe
    assert "/" not in safe and "\\" not in safe and ".." not in safe


def test_a_token_binds_form_version_period_and_unit_to_the_workspace() -> None:
    secret = b"k" * 32
    token = unit_token(secret, "thang-hanh-dong", 1, "2024", "01840")
    assert token == unit_token(secret, "thang-hanh-dong", "1", "2024", "01840")
    others = [unit_token(secret, "thang-hanh-dong", 1, "2024", "01843"),
              unit_token(secret, "thang-hanh-dong", 1, "2023", "01840"),
              unit_token(secret, "thang-hanh-dong", 2, "2024", "01840"),
              unit_token(b"x" * 32, "thang-hanh-dong", 1, "2024", "01840")]
    assert token not in others
    meta = {"form_id": "thang-hanh-dong", "form_version": "1", "period": "2024",
            "unit_code": "01840", "kind": "form", "issuer": "abc", "token": token}
    assert check_token(secret, "abc", meta, "f.xlsx") is None
    assert check_token(secret, "abc", {**meta, "unit_code": "01843"}, "f.xlsx").code == \
        "token-mismatch"
    # issued elsewhere: a relayed roll-up passes, a form is flagged, never silently trusted
    assert check_token(secret, "mine", {**meta, "kind": "rollup"}, "f.xlsx") is None
    assert check_token(secret, "mine", meta, "f.xlsx").code == "token-foreign"
    assert check_token(secret, "abc", {**meta, "issuer": "", "token": ""}, "f.xlsx").code == \
        "token-missing"


def test_secret_is_created_once_per_workspace_and_forms_carry_the_token(
        district: Campaign) -> None:
    ws = district.workspace
    secret = (ws.path / ".secret").read_text()
    assert len(bytes.fromhex(secret.strip())) == 32
    assert Workspace(ws.path).secret == ws.secret  # read back, never regenerated
    meta_ws = load_workbook(form_path(district, "01843"))["_meta"]
    meta = {r[0].value: r[1].value for r in meta_ws.iter_rows()}
    assert {"issuer": meta["issuer"], "token": meta["token"]} == token_meta(district, "01843")
    assert "@@" not in meta["token"]


def test_a_bomb_is_refused_from_the_zip_directory_without_inflating_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * MB))
    data = out.getvalue()
    assert len(data) < MB

    def no_inflating(*args: object, **kwargs: object) -> None:
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    [f] = check_container("bom.xlsx", data).findings
    assert f.code == "zip-bomb" and "sheet1.xml" in f.message


def test_a_50_mb_sheet_is_refused_quickly_and_never_parsed(tmp_path: Path,
                                                           district: Campaign) -> None:
    ctx = Ctx(district.folder("forms"), tmp_path, tmp_path)
    [path] = sheet_50mb(ctx)
    data = path.read_bytes()
    start = time.perf_counter()
    [f] = check_container(path.name, data).findings
    assert time.perf_counter() - start < 0.5
    assert f.code == "file-too-large" and "MB" in f.found
    assert MAX_UNPACKED_BYTES < 50 * MB


def test_outputs_have_fixed_timestamps(district: Campaign) -> None:
    data = form_path(district, "01840").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2024, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml")
    assert b"2024-01-01T00:00:00Z</dcterms:modified>" in core
    again = generate_forms(district, district.workspace.path / "again", units=["01840"])[0]
    assert again.read_bytes() == data  # generated again later: the same bytes


def test_the_lock_is_reentrant_and_sweeps_what_a_killed_run_left(district: Campaign) -> None:
    ws = Workspace(district.workspace.path)
    left = ws.path / "reports" / "x" / ".tmp-abc.xlsx"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"half")
    with ws.lock(), ws.lock():  # a command that calls a locking library function
        assert not left.exists()
        atomic_write(ws.path / "reports" / "x" / "ok.xlsx", b"whole")
    assert [p.name for p in left.parent.iterdir()] == ["ok.xlsx"]
    assert files.issue_time("2024").year == 2024 and files.issue_time("KH").year == 2000

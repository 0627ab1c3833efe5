"""Fast ingest keeps every guarantee: the same store and outputs with or without the pool
of worker processes, and a run killed inside a batched store transaction resumes to the
same store and files as a run never interrupted."""

from __future__ import annotations

import gc
import io
import os
import shutil
import signal
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest

from consolidate.core.workspace import Workspace
from consolidate.demo import SEED_000_DISTRICT, seed_000_commune_answers
from consolidate.intake import feedback, scan
from consolidate.intake import ingest as ingest_module
from consolidate.intake.container import check_container
from consolidate.intake.ingest import BATCH_FILES, ingest
from consolidate.intake.parallel import FORK_MIN_FILES

from .conftest import make_campaign
from .corpus import Ctx, with_answers, xlsm
from .test_kill import output_files, run, store_rows


@pytest.fixture(scope="module")
def inbox_ready(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """TP Bắc Kạn's workspace with an inbox as a clerk's week brings it: good forms of every
    ward, the district's own, one refused, a macro workbook, the same bytes twice under two
    names, and a PDF named .xlsx."""
    root = tmp_path_factory.mktemp("speed")
    campaign = make_campaign(root / "base")
    ctx = Ctx(forms=campaign.folder("forms"), inbox=campaign.workspace.inbox,
              scratch=root / "scratch")
    communes = [u.code for u in campaign.roster.units() if u.level == "commune"]
    for code in communes[:-1]:
        ctx.filled(name=f"{code}.xlsx", answers=seed_000_commune_answers(code), code=code)
    ctx.filled(name="058.xlsx", answers=SEED_000_DISTRICT, code="058")
    xlsm(ctx)
    ctx.filled(name="loi.xlsx", answers=with_answers(so_tre_em_tham_du="khoảng 700"),
               code=communes[-1])
    shutil.copy2(ctx.inbox / f"{communes[0]}.xlsx", ctx.inbox / "gui lai.xlsx")
    (ctx.inbox / "scan.xlsx").write_bytes(b"%PDF-1.4\n% not a workbook\n")
    stamp = time.time() - 86_400
    for path in ctx.inbox.iterdir():
        os.utime(path, (stamp, stamp))
    return root / "base"


def _ingest_copy(base: Path, target: Path, workers: int) -> list[object]:
    shutil.copytree(base, target)
    ws = Workspace(target)
    with ws.lock():
        report = ingest(ws, workers=workers)
        feedback.write_feedback(ws)
    ws.store.close()
    return [f.to_dict() for f in report.findings]


def test_pool_gives_the_same_store_outputs_and_findings_as_one_process(
        inbox_ready: Path, tmp_path: Path) -> None:
    alone = _ingest_copy(inbox_ready, tmp_path / "alone", workers=1)
    pooled = _ingest_copy(inbox_ready, tmp_path / "pooled", workers=2)
    assert pooled == alone
    codes = {f["code"] for f in alone}  # type: ignore[index]
    assert {"file-duplicate", "file-unreadable", "macros-ignored"} <= codes
    assert store_rows(tmp_path / "pooled") == store_rows(tmp_path / "alone")
    assert output_files(tmp_path / "pooled") == output_files(tmp_path / "alone")
    folders = {p.name for p in (tmp_path / "pooled" / "archive").iterdir() if p.is_dir()}
    assert folders == set(ingest_module.ARCHIVE_FOLDERS)  # made before the workers write
    # the heap frozen for the forked workers is handed back to the collector afterwards
    assert gc.get_freeze_count() == 0


def _files_stored(ws: Path) -> int:
    db = sqlite3.connect(ws / "consolidate.sqlite")
    try:
        return int(db.execute("SELECT COUNT(*) FROM files").fetchone()[0])
    finally:
        db.close()


def test_a_run_killed_inside_a_batch_stores_none_of_it_and_resumes_the_same(
        inbox_ready: Path, tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(inbox_ready, reference)
    log = tmp_path / "ingest.log"
    run(reference, "ingest", log=log)
    points = [line.split("\t") for line in log.read_text().splitlines()]
    stored = [int(n) for n, name in points if name == "ingest:in-transaction"]
    assert 3 <= len(stored) < BATCH_FILES  # one batch: every file in one transaction
    killed = tmp_path / "killed"
    shutil.copytree(inbox_ready, killed)
    run(killed, "ingest", kill_at=stored[2])  # a third file being written, none committed
    assert _files_stored(killed) == 0
    assert any((killed / "archive").rglob("*.xlsx"))  # the bytes were kept all the same
    run(killed, "ingest")
    assert store_rows(killed) == store_rows(reference)
    assert output_files(killed) == output_files(reference)


@pytest.fixture(scope="module")
def province_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tỉnh Bắc Kạn's workspace with enough filled commune forms for a pool of workers."""
    root = tmp_path_factory.mktemp("province")
    campaign = make_campaign(root / "base", unit="06")
    ctx = Ctx(forms=campaign.folder("forms"), inbox=campaign.workspace.inbox,
              scratch=root / "scratch")
    communes = [u.code for u in campaign.roster.units() if u.level == "commune"]
    for code in communes[:FORK_MIN_FILES + 6]:
        ctx.filled(name=f"{code}.xlsx", code=code)
    stamp = time.time() - 86_400
    for path in ctx.inbox.iterdir():
        os.utime(path, (stamp, stamp))
    return root / "base"


def test_a_pooled_run_killed_midway_leaves_no_worker_and_resumes_the_same(
        province_inbox: Path, tmp_path: Path) -> None:
    """The parent dies by SIGKILL while its workers read: they leave (an orphan would hold
    the workspace's lock), and the next run gives what an uninterrupted run gives."""
    reference = tmp_path / "reference"
    shutil.copytree(province_inbox, reference)
    log = tmp_path / "ingest.log"
    run(reference, "ingest", log=log)
    points = [line.split("\t") for line in log.read_text().splitlines()]
    stored = [int(n) for n, name in points if name == "ingest:in-transaction"]
    assert len(stored) == FORK_MIN_FILES + 6
    killed = tmp_path / "killed"
    shutil.copytree(province_inbox, killed)
    assert run(killed, "ingest", kill_at=stored[len(stored) // 2]) == -signal.SIGKILL
    run(killed, "ingest")  # would wait on the lock, then refuse, were a worker still alive
    assert store_rows(killed) == store_rows(reference)
    assert output_files(killed) == output_files(reference)


SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://'
         'schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{}</sheetData>'
         '</worksheet>')
USUAL_CELLS = [
    '<row r="9"><c r="A9" t="inlineStr"><is><t>xa</t></is></c><c r="B9" s="3"/>'
    '<c r="D9" s="5"><v>700</v></c><c r="E9" s="0"><v>1</v></c></row>'
    '<row r="12"><c r="D12" s="6"><f>IF(COUNT(D9:D11)=0,"",SUM(D9:D11))</f><v>700</v></c>'
    '<c r="E12" s="6"><f t="shared" ref="E12:F12" si="0">SUM(E9:E11)</f><v>1</v></c>'
    '<c r="F12" s="6"><f t="shared" si="0"/><v>2</v></c>'
    '<c r="G12" s="7" t="str"><f>"a&amp;b"&amp;"&lt;c"</f><v>a&amp;b&lt;c</v></c></row>',
]
UNUSUAL_CELLS = [
    '<row r="9"><c r="D9" s="5" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>',  # error value
    '<row r="9"><c s="5" r="D9"><f>350*2</f><v>700</v></c></row>',  # attributes reordered
    '<row r="9"><c\n r="D9" s="5"><f>350*2</f><v>700</v></c></row>',  # a newline in a tag
    '<row r="9"><c r="D9" s="5"><v>700</v><f>350*2</f></c></row>',  # formula after value
]


@pytest.mark.parametrize("cells", USUAL_CELLS + UNUSUAL_CELLS)
def test_the_whole_sheet_scan_finds_what_the_cell_by_cell_scan_finds(cells: str) -> None:
    """Formulas, error values and styled cells are the same whichever way a sheet is
    scanned; a sheet written an unusual way goes cell by cell."""
    xml = SHEET.format(cells).encode()
    assert scan._scan_cells(xml) == scan._scan_each(xml)
    assert (scan._scan_usual(xml) is not None) == (cells in USUAL_CELLS)


def test_a_prefixed_sheet_is_scanned_cell_by_cell() -> None:
    xml = (SHEET.format('<row r="9"><x:c r="D9" s="5"><x:f>350*2</x:f><x:v>700</x:v></x:c>'
                        '</row>')).encode()
    assert scan._scan_usual(xml) is None
    formulas, errors, styled = scan._scan_cells(xml)
    assert formulas == {"D9": "=350*2"} and styled == {"D9"} and not errors


WORKBOOK = ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="'
            'http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/>'
        '</Relationships>')
SHEET1 = "xl/worksheets/sheet1.xml"


def _package(method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", RELS)
        zf.writestr(SHEET1, SHEET.format(USUAL_CELLS[0]))
    return out.getvalue()


def _codes(data: bytes) -> list[str]:
    return [f.code for f in check_container("t.xlsx", data).findings]


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_members_inflated_in_memory_are_read_whole(method: int) -> None:
    container = check_container("t.xlsx", _package(method))
    assert container.readable and container.kind == "xlsx"
    assert container.formulas["S"]["D12"].startswith("=IF(COUNT(")
    assert "D9" in container.styled["S"] and "E9" not in container.styled["S"]


def test_what_zipfile_refuses_the_in_memory_inflate_refuses() -> None:
    """A flipped byte (CRC), a local header naming another member, a member declared empty
    that is not, and an encrypted member: each refused before any parser sees the file."""
    stored = _package(zipfile.ZIP_STORED)
    at = stored.index(b"<sheetData>")
    flipped = stored[:at] + b"<sheetDatA>" + stored[at + 11:]
    assert _codes(flipped) == ["file-damaged"]
    renamed = stored.replace(SHEET1.encode(), b"xl/worksheets/sheetX.xml", 1)  # local header
    assert _codes(renamed) == ["file-damaged"]
    for package in (stored, _package()):
        assert not check_container("t.xlsx", _declared_empty(package)).readable
    infos = zipfile.ZipFile(io.BytesIO(stored)).infolist()
    sheet = next(i for i in infos if i.filename == SHEET1)
    central = stored.rindex(SHEET1.encode()) - 46  # the member's central directory record
    encrypted = bytearray(stored)
    for offset in (central + 8, sheet.header_offset + 6):  # flag bit 0: encrypted
        encrypted[offset] |= 1
    assert _codes(bytes(encrypted)) == ["file-damaged"]


def _declared_empty(package: bytes) -> bytes:
    """The sheet member declared 0 bytes long (local header and directory) though it is not."""
    sheet = next(i for i in zipfile.ZipFile(io.BytesIO(package)).infolist()
                 if i.filename == SHEET1)
    central = package.rindex(SHEET1.encode()) - 46
    out = bytearray(package)
    for offset in (central + 24, sheet.header_offset + 22):
        out[offset:offset + 4] = bytes(4)
    return bytes(out)


def _never(*args: object) -> object:
    raise AssertionError("a file stored before was read again")


@pytest.mark.parametrize("workers", [1, 2])
def test_files_stored_before_are_not_read_again(inbox_ready: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                workers: int) -> None:
    """Run again over the same inbox (as after a killed run, or a clerk's second click):
    every file is a duplicate, found by its hash before any parser or archive write."""
    _ingest_copy(inbox_ready, tmp_path / "ws", workers=workers)
    before = output_files(tmp_path / "ws")
    monkeypatch.setattr(ingest_module, "parse_bytes", _never)
    monkeypatch.setattr(ingest_module, "archive", _never)
    ws = Workspace(tmp_path / "ws")
    with ws.lock():
        report = ingest(ws, workers=workers)
    ws.store.close()
    assert report.stats["duplicate"] == report.stats["files"] > FORK_MIN_FILES // 4
    assert output_files(tmp_path / "ws") == before


def test_files_whose_worker_died_are_taken_in_by_the_parent(
        inbox_ready: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every worker dies at its first workbook (as if killed for memory): the run still
    gives what one process gives, the parent taking in what the workers could not."""
    alone = _ingest_copy(inbox_ready, tmp_path / "alone", workers=1)
    parent, real = os.getpid(), ingest_module.parse_bytes

    def dying(*args: object) -> object:
        if os.getpid() != parent:
            os._exit(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_module, "parse_bytes", dying)
    assert _ingest_copy(inbox_ready, tmp_path / "pooled", workers=2) == alone
    assert store_rows(tmp_path / "pooled") == store_rows(tmp_path / "alone")
    assert output_files(tmp_path / "pooled") == output_files(tmp_path / "alone")

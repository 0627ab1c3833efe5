"""Every case of the bad-input corpus gets exactly its expected outcome; nothing is lost."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from consolidate import api
from consolidate.core.errors import ERROR, WARNING, Report
from consolidate.core.workspace import Workspace

from .conftest import make_campaign
from .corpus import (
    ACCEPTED,
    CASES,
    DUPLICATE,
    REJECTED,
    SOFFICE,
    UNIT,
    WARNINGS,
    Case,
    Ctx,
    markdown,
)
from .helpers import write_reports

DOC = Path(__file__).resolve().parents[1] / "docs" / "corpus.md"


@pytest.fixture(scope="session")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A district workspace with its blank forms, and another workspace's forms."""
    root = tmp_path_factory.mktemp("corpus")
    campaign = make_campaign(root / "ws")
    other = make_campaign(root / "other")
    return campaign.workspace.path, other.folder("forms")


def ingest(ws: Workspace) -> Report:
    """Ingest through the API, which writes the feedback each case checks."""
    return api.ingest(ws.path).report


def skip_unless_available(case: Case) -> None:
    if case.needs == "soffice" and SOFFICE is None and not os.environ.get("CI"):
        pytest.skip("LibreOffice is not installed (CI installs it)")
    if case.needs == "msoffcrypto" and importlib.util.find_spec("msoffcrypto") is None \
            and not os.environ.get("CI"):
        pytest.skip("msoffcrypto-tool is not installed (pip install -e '.[test]')")


def new_workspace(base: tuple[Path, Path], tmp_path: Path) -> tuple[Workspace, Ctx]:
    ws_path = tmp_path / "ws"
    shutil.copytree(base[0], ws_path)
    ws = Workspace(ws_path)
    campaign = ws.campaign()
    ctx = Ctx(forms=campaign.folder("forms"), inbox=ws.inbox, scratch=tmp_path / "scratch",
              other_forms=base[1])
    return ws, ctx


def outcome_of(report, name: str) -> tuple[str, tuple[str, ...], list]:
    mine = [f for f in report.findings if f.file == name]
    codes = tuple(sorted({f.code for f in mine if f.severity in (ERROR, WARNING)}))
    if any(f.code == "file-duplicate" for f in mine):
        return DUPLICATE, codes, mine
    if any(f.severity == ERROR for f in mine):
        return REJECTED, codes, mine
    if any(f.severity == WARNING for f in mine):
        return WARNINGS, codes, mine
    return ACCEPTED, codes, mine


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_case(case: Case, base: tuple[Path, Path], tmp_path: Path) -> None:
    skip_unless_available(case)
    ws, ctx = new_workspace(base, tmp_path)
    files = case.build(ctx)
    sent = {p: p.read_bytes() for p in files}
    report = ingest(ws)  # the whole inbox: the run never stops at a bad file

    outcome, codes, mine = outcome_of(report, files[-1].name)
    assert (outcome, codes) == (case.outcome, case.codes), [str(f) for f in mine]
    assert report.valid == (case.outcome != REJECTED)
    if case.sheet or case.cell:
        main = next(f for f in mine if f.code == case.codes[0])
        assert (main.sheet, main.cell) == (case.sheet, case.cell), str(main)
    for f in mine:
        assert f.file == files[-1].name and f.message  # names the file, says it in Vietnamese

    store = Workspace(ws.path).store
    for data in sent.values():  # nothing lost: original bytes archived, row kept
        sha = hashlib.sha256(data).hexdigest()
        [archived] = (ws.archive / sha[:2]).glob(f"{sha}.*")
        assert archived.read_bytes() == data
        assert store.file(sha) is not None
    for path in ws.path.rglob("*"):  # whatever names came in, nothing written outside
        assert path.resolve().is_relative_to(ws.path.resolve())
    _check_feedback(ws, case, mine)
    _check_also(ws, case, files)


def _check_feedback(ws: Workspace, case: Case, mine: list) -> None:
    made = sorted((ws.path / "feedback").rglob("*.xlsx"))
    if case.outcome in (ACCEPTED, DUPLICATE):
        assert made == []
        return
    assert len(made) == 1, made
    with zipfile.ZipFile(made[0]) as zf:
        assert not any("vbaProject" in n for n in zf.namelist())  # macros never copied
    wb = load_workbook(made[0])
    assert wb.sheetnames[0] == "Góp ý"
    listed = {wb["Góp ý"].cell(row=r, column=5).value for r in range(1, 80)}
    assert {f.message for f in mine if f.severity in (ERROR, WARNING)} <= listed


def _check_also(ws: Workspace, case: Case, files: list[Path]) -> None:
    store = Workspace(ws.path).store
    campaign = Workspace(ws.path).campaign()
    current = store.current_submissions(campaign.id)
    if "unit" in case.also:
        assert current["unit"].tolist() == [case.also["unit"]]
    if "counts" in case.also:
        [sid] = current.loc[current["unit"] == UNIT, "id"]
        cells = store.cells_of([sid])
        children = cells[(cells["tbl"] == "bieu_1") & (cells["col"] == "so_tre_em_tham_du")]
        assert children["num"].tolist() == [case.also["counts"]]
        assert len(store.all_submissions(campaign.id)) == 2  # the older version is kept
    if case.also.get("texts"):
        cells = store.cells_of(current["id"].tolist())
        texts = set(cells.loc[cells["tbl"] == "narrative", "text"])
        assert "=1+1" in texts and any(t.startswith("+84") for t in texts)
        [result] = write_reports(campaign)
        wb = load_workbook(result.workbook)
        written = [c for ws_ in wb.worksheets for row in ws_.iter_rows() for c in row
                   if isinstance(c.value, str) and c.value.startswith(("=1+1", "=cmd", "=HYP"))]
        assert written and all(c.data_type == "s" for c in written)  # text, never a formula
        assert {ws_.title for ws_ in wb.worksheets if any(c in ws_._cells.values()
                                                        for c in written)} >= {"Nguồn số liệu"}
    if case.outcome == ACCEPTED and case.id in ("xls", "ods", "inserted-row", "inserted-column",
                                                "renamed-sheet", "hidden-sheet",
                                                "reordered-sheets", "ok"):
        [sid] = current["id"].tolist()
        cells = store.cells_of([sid]).set_index(["tbl", "row", "col"])["num"]
        assert cells[("bieu_1", "xa", "so_tre_em_tham_du")] == 700
        assert cells[("bieu_1", "xa", "nsnn")] == 4_930_000


def test_one_run_over_the_whole_corpus_gives_each_file_its_outcome(
        base: tuple[Path, Path], tmp_path: Path) -> None:
    """All bad files in one inbox, one run: it goes on, and each file gets its own outcome."""
    ws, ctx = new_workspace(base, tmp_path)
    chosen = [c for c in CASES if c.outcome in (REJECTED, WARNINGS) and not c.needs]
    last = {}
    for case in chosen:
        sub = Ctx(ctx.forms, ctx.inbox / case.id, ctx.scratch / case.id, ctx.other_forms)
        sub.inbox.mkdir(parents=True)
        built = case.build(sub)[-1]
        last[case.id] = built.rename(built.with_name(f"{case.id}{built.suffix}"))
    report = ingest(ws)
    assert report.stats["files"] == len(chosen)
    assert report.stats["rejected"] == sum(c.outcome == REJECTED for c in chosen)
    for case in chosen:
        outcome, codes, mine = outcome_of(report, last[case.id].name)
        assert outcome == case.outcome, (case.id, [str(f) for f in mine])


def test_corpus_has_at_least_forty_kinds_and_the_doc_is_current() -> None:
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)
    assert DOC.read_text(encoding="utf-8") == markdown(), \
        "docs/corpus.md is out of date: python -m tests.corpus > docs/corpus.md"

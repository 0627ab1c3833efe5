"""A run killed at any point can simply be run again: same store, same files, byte for byte.

``consolidate ingest`` and ``consolidate report`` run as real subprocesses and die by a
real SIGKILL: either at the N-th checkpoint (``CONSOLIDATE_KILL_AT=N`` makes the
process SIGKILL itself there: after archiving a file, inside the store transaction,
after the commit, between writing an output's temporary file and renaming it, ...)
or after a delay, killed from outside. Then the command is run again, without
the hook, and everything is compared with one uninterrupted run (an interrupted
ingest with the uninterrupted ingest; an interrupted report, started from the same
ingested store, with the uninterrupted report):

* the store: every row of every table, except the wall-clock columns
  ``files.ingested_at``, ``file_names.seen_at``, ``campaigns.created_at``,
  ``pins.pinned_at`` and ``closings.at`` (when a command ran, not what it stored);
* every file under the workspace (archive, feedback, reports), byte for byte,
  except the Word report (.docx), whose zip entries carry the time of saving:
  compared member by member;
* no temporary file is left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from consolidate.core.files import CHECKPOINT_LOG_ENV, KILL_AT_ENV
from consolidate.demo import SEED_000_DISTRICT, seed_000_commune_answers

from .conftest import make_campaign
from .corpus import Ctx, with_answers, xlsm

WALL_CLOCK = {"files": {"ingested_at"}, "file_names": {"seen_at"},
              "campaigns": {"created_at"}, "pins": {"pinned_at"}, "closings": {"at"}}
SKIP_FILES = {"consolidate.sqlite", "consolidate.sqlite-wal", "consolidate.sqlite-shm",
              ".consolidate.lock"}


def run(ws: Path, command: str, kill_at: int | None = None, log: Path | None = None,
        kill_after: float | None = None) -> int:
    env = {k: v for k, v in os.environ.items() if k not in (KILL_AT_ENV, CHECKPOINT_LOG_ENV)}
    if kill_at is not None:
        env[KILL_AT_ENV] = str(kill_at)
    if log is not None:
        env[CHECKPOINT_LOG_ENV] = str(log)
    proc = subprocess.Popen([sys.executable, "-m", "consolidate.cli", command, "-w", str(ws)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is not None:
        try:
            proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    if kill_at is None and kill_after is None:
        assert proc.returncode in (0, 1), err.decode()
    return proc.returncode


def store_rows(ws: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(ws / "consolidate.sqlite")
    try:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        out = {}
        for table in tables:
            cols = [r[1] for r in db.execute(f"PRAGMA table_info({table})")
                    if r[1] not in WALL_CLOCK.get(table, set())]
            out[table] = sorted(db.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(),
                                key=repr)
        return out
    finally:
        db.close()


def output_files(ws: Path) -> dict[str, object]:
    out: dict[str, object] = {}
    for path in sorted(ws.rglob("*")):
        if not path.is_file() or path.name in SKIP_FILES:
            continue
        rel = path.relative_to(ws).as_posix()
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as zf:
                out[rel] = {n: zf.read(n) for n in sorted(zf.namelist())}
        else:
            out[rel] = path.read_bytes()
    return out


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A workspace ready to ingest, its uninterrupted result, and the checkpoint counts."""
    root = tmp_path_factory.mktemp("kill")
    campaign = make_campaign(root / "w0")
    ctx = Ctx(forms=campaign.folder("forms"), inbox=campaign.workspace.inbox,
              scratch=root / "scratch")
    for code in ("01834", "01837", "01843"):
        ctx.filled(name=f"{code}.xlsx", answers=seed_000_commune_answers(code), code=code)
    ctx.filled(name="058.xlsx", answers=SEED_000_DISTRICT, code="058")
    xlsm(ctx)  # accepted with a warning: a feedback workbook
    ctx.filled(name="loi.xlsx", answers=with_answers(so_tre_em_tham_du="khoảng 700"),
               code="01846")  # rejected: another feedback workbook
    stamp = time.time() - 86_400
    for path in ctx.inbox.iterdir():
        os.utime(path, (stamp, stamp))
    base = root / "w0"

    reference = root / "reference"
    shutil.copytree(base, reference)
    run(reference, "ingest", log=root / "ingest.log")
    ingested = root / "ingested"  # the state a report run starts from
    shutil.copytree(reference, ingested)
    run(reference, "report", log=root / "report.log")
    points = {name: len((root / f"{name}.log").read_text().splitlines())
              for name in ("ingest", "report")}
    return {"root": root, "base": base, "ingested": ingested, "points": points,
            "expected": {"base": (store_rows(ingested), output_files(ingested)),
                         "ingested": (store_rows(reference), output_files(reference))}}


def _chain(prepared: dict[str, object], label: str, start: str,
           kill: dict[str, object]) -> tuple[str, int, bool, bool]:
    """Copy a start state, kill one command, run the rest again; compare with the reference."""
    root = prepared["root"]
    ws = root / label  # type: ignore[operator]
    shutil.copytree(prepared[start], ws)  # type: ignore[arg-type]
    command = "ingest" if start == "base" else "report"
    code = run(ws, command, **kill)  # type: ignore[arg-type]
    run(ws, command)  # simply run it again
    rows, expected = prepared["expected"][start]  # type: ignore[index]
    same_store = store_rows(ws) == rows
    files = output_files(ws)
    same_files = files == expected
    if not same_files:
        diff = sorted(k for k in set(files) | set(expected) if files.get(k) != expected.get(k))
        label = f"{label}: {diff}"
    return label, code, same_store, same_files


def test_killed_runs_resume_to_the_same_store_and_files(prepared: dict[str, object]) -> None:
    points = prepared["points"]
    assert points["ingest"] >= 28 and points["report"] >= 3  # type: ignore[index]
    n = points["ingest"]  # type: ignore[index]
    ingest_points = sorted({1, 2, 4, n // 2, n // 2 + 1, n - 2, n})
    chains = [(f"ingest-at-{k}", "base", {"kill_at": k}) for k in ingest_points]
    chains += [(f"report-at-{k}", "ingested", {"kill_at": k})
               for k in range(1, points["report"] + 1)]  # type: ignore[index]
    hooked = len(chains)
    # and from outside, at whatever point the process has reached (may finish first)
    chains += [(f"ingest-after-{t}s", "base", {"kill_after": t}) for t in (0.6, 0.75)]
    chains += [(f"report-after-{t}s", "ingested", {"kill_after": t}) for t in (1.1, 1.5)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda c: _chain(prepared, *c), chains))
    killed = [label for label, code, _, _ in results if code == -signal.SIGKILL]
    assert len(killed) >= hooked, results  # hook kills always happen
    bad = [(label, store, files) for label, _, store, files in results if not (store and files)]
    assert not bad, bad
    print(f"kill points tried: {len(chains)} ({len(killed)} killed by SIGKILL); "
          f"runs compared: {len(results)}; checkpoints: {points}")


def test_two_runs_on_one_workspace_do_not_interleave(prepared: dict[str, object],
                                                     tmp_path: Path) -> None:
    """While one process holds the workspace, a second run waits for it, then sees its work."""
    from consolidate.core.workspace import Workspace

    ws = tmp_path / "ws"
    shutil.copytree(prepared["base"], ws)  # type: ignore[arg-type]
    holder = Workspace(ws)
    with holder.lock():
        proc = subprocess.Popen([sys.executable, "-c", (
            "import sys; from consolidate.api import ingest\n"
            "try:\n ingest(sys.argv[1])\n"
            "except Exception as exc:\n print(type(exc).__name__, exc); sys.exit(3)\n"),
            str(ws)], stdout=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert proc.poll() is None  # blocked on the lock, has written nothing
        assert not any((ws / "archive").rglob("*.xlsx"))
    assert proc.wait(timeout=60) == 0
    assert store_rows(ws)["files"]

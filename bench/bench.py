"""Throughput and memory of the consolidate pipeline on real rosters, against references.

Run as a script, not a test:

    python3 bench/bench.py [--scale bac-kan|country|both] [--workdir DIR] [--keep]
                           [--profile] [--custom-roster] [--repeat N]

Each scale is one campaign in one workspace: ``bac-kan`` is rooted at Tỉnh Bắc Kạn (06, 117
units), ``country`` at the national root VN (Toàn quốc, 10,795 units of the 2024 tree). For
each it times, on the same files and in the same run:

* generation  ``consolidate.forms.generate_forms(campaign)``, against a raw zip-copy bound
  (the blank template's zip members copied, unchanged, into one new zip per unit);
* ingestion   ``consolidate.api.ingest``, against a calamine read, a raw zipfile +
  ElementTree read and a naive openpyxl loop of the same files. The per-file cost is taken
  net of one command's fixed start-up: the inbox is ingested as two commands, a tenth of the
  files (at least a pool's worth), then the rest, and the slope between them is the per-file
  cost;
* roll-up     ``consolidate.api.rollup`` and ``consolidate.api.report`` of the root, the
  latter split into roll-up + consolidated workbook and the Word report; the workbook's size
  and the time LibreOffice takes to open it (headless conversion) when soffice is present.

Each phase also records its peak memory: the bench process's own high-water mark (reset
before the phase through /proc/self/clear_refs) and, for phases that fork workers, the
largest sum of proportional set sizes of the process and its children, sampled every 20 ms.

References are timed right after the product phase, on the same files, so both see the same
machine load; with ``--repeat`` the fastest run of each phase is kept (and the largest peak).
Filled workbooks are prepared (not timed as a product phase) from one openpyxl-filled
placeholder template per level, stamped per unit like ``generate_forms`` stamps blanks.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

# Measure the checkout this script lives in, whatever copy the editable install points to.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl
from python_calamine import CalamineWorkbook

import consolidate
from consolidate import api, demo
from consolidate.api import reports as api_reports
from consolidate.core.errors import Report
from consolidate.core.files import safe_filename
from consolidate.core.roster import Unit, official_roster
from consolidate.core.vocabulary import LEVELS, NATIONAL, NATIONAL_CODE
from consolidate.core.workspace import Campaign, Workspace, init_campaign
from consolidate.forms import generate as forms_module
from consolidate.forms import layout
from consolidate.forms.generate import Template, generate_forms
from consolidate.intake.parallel import FORK_MIN_FILES

FORM = "thang-hanh-dong"
PERIOD = "2024"
DEADLINE = dt.date(2024, 7, 3)
BAC_KAN = "06"
ON_TIME = dt.datetime(2024, 7, 2, 16, 30).timestamp()
OPENPYXL_SAMPLE = 500  # country scale: the naive openpyxl loop runs on this many files
PLACEHOLDER_MARK = b"@@UNIT_"  # every placeholder of consolidate.forms.PLACEHOLDERS
PACKAGE_DIR = Path(consolidate.__file__).resolve().parent
MB = 1024 * 1024

# Targets of issue 13 (country scale unless "both").
GEN_RATIO_MAX = 2.0  # both: generation vs zip-copy bound
INGEST_RATIO_MAX = 3.0  # both: net ingestion per file vs calamine read
OPENPYXL_SPEEDUP_MIN = 20.0  # both: naive openpyxl loop vs net ingestion per file
PEAK_MB_MAX = 2048  # both: peak memory of ingest and of the report
COUNTRY_GEN_S = 30.0
COUNTRY_INGEST_S = 15.0
NATIONAL_WORKBOOK_S = 10.0  # roll-up + consolidated workbook of the national root
NATIONAL_WORD_S = 5.0  # the Word report, on top
NATIONAL_WORKBOOK_MB = 25.0


def code_version() -> str:
    """The library version measured: git HEAD, uncommitted changes, hash of its sources."""
    sources = sorted(PACKAGE_DIR.rglob("*.py"))
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:12]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PACKAGE_DIR,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "."], cwd=PACKAGE_DIR,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"sources {digest}"
    changed = len(dirty.splitlines())
    state = f"{changed} uncommitted file(s) in consolidate/" if changed else "clean"
    return f"git {head}, {state}, sources {digest}"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def close_store(ws: Workspace) -> None:
    """Close a workspace's SQLite connection if it was opened (Workspace.store is cached)."""
    store = ws.__dict__.pop("store", None)
    if store is not None:
        store.close()


# --------------------------------------------------------------------------- memory


def _status_kb(pid: int | str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid: int | str) -> int:
    """Proportional set size: pages shared by forked workers are counted once in a sum."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


class PeakMemory:
    """Peak memory of one phase: this process's high-water mark and, sampled, its workers'."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval, self.tree_kb = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            children = _descendants(me)
            if children:
                total = _pss_kb(me) + sum(_pss_kb(c) for c in children)
                self.tree_kb = max(self.tree_kb, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        with suppress(OSError):  # reset VmHWM to the current RSS (Linux >= 4.0)
            Path("/proc/self/clear_refs").write_text("5")
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.self_kb = _status_kb("self", "VmHWM")

    @property
    def mb(self) -> float:
        return max(self.self_kb, self.tree_kb) / 1024


# --------------------------------------------------------------------------- results


@dataclass
class Result:
    """One run of one scale: seconds, counts and peak MB per phase, and what was noticed."""

    scale: str
    approach: str
    path: Path = Path()
    campaign_id: str = ""
    inbox: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)
    sizes: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @contextmanager
    def phase(self, key: str, count: int = 1, memory: bool = False) -> Iterator[None]:
        """Time a phase (added to earlier parts of it); with memory, record its peak too."""
        tracker = PeakMemory() if memory else None
        if tracker:
            tracker.__enter__()
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - start
            self.counts[key] = self.counts.get(key, 0) + count
            if tracker:
                tracker.__exit__()
                self.peak_mb[key] = max(self.peak_mb.get(key, 0.0), tracker.mb)

    def ms(self, key: str) -> float:
        n = self.counts.get(key, 0)
        return 1000 * self.seconds.get(key, 0.0) / n if n else float("nan")

    @property
    def ingest_net_ms(self) -> float:
        """Per-file ingest cost net of a command's fixed start-up: the slope of two commands."""
        small, big = self.counts["ingest-1"], self.counts["ingest-2"]
        spread = self.seconds["ingest-2"] - self.seconds["ingest-1"]
        return 1000 * spread / (big - small) if big > small else float("nan")


def best_of(runs: list[Result]) -> Result:
    """Per phase, the fastest of several identical runs (the machine may be shared)."""
    best = runs[-1]
    if len(runs) == 1:
        return best
    merged = Result(best.scale, f"{best.approach}; best of {len(runs)} runs per phase",
                    best.path, best.campaign_id, best.inbox, counts=best.counts,
                    sizes=best.sizes, notes=list(dict.fromkeys(n for r in runs for n in r.notes)))
    merged.seconds = {k: min(r.seconds[k] for r in runs) for k in best.seconds}
    # the two ingest commands come from one run (the fastest in all), so their slope is that
    # run's: minima of different runs would make a slope of noise
    fastest = min(runs, key=lambda r: r.seconds["ingest-1"] + r.seconds["ingest-2"])
    for key in ("ingest-1", "ingest-2"):
        merged.seconds[key] = fastest.seconds[key]
    merged.peak_mb = {k: max(r.peak_mb[k] for r in runs) for k in best.peak_mb}
    return merged


# --------------------------------------------------------------------------- preparing inputs


def zip_members(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def write_zip(path: Path, members: list[tuple[zipfile.ZipInfo, bytes]]) -> None:
    """The raw write bound: members copied into a new zip, deflated like Template.stamp."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for info, data in members:
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


@dataclass
class Templates:
    """One workspace's templates per level: blank members (write bound) and filled, stampable."""

    blank: dict[str, list[tuple[zipfile.ZipInfo, bytes]]]
    filled: dict[str, Template]


def site_templates(campaign: Campaign, folder: Path) -> Templates:
    """Per level: the placeholder template, filled with openpyxl, read back as a Template.

    Built per workspace: a form carries workspace-specific metadata (issuer, token). The
    national root consolidates and files to nobody, so its level gets a blank but no filling.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2024)
    narrative = {k: v.format(period=campaign.period) for k, v in demo.NARRATIVE_SAMPLES.items()}
    out = Templates({}, {})
    for level in {u.level for u in campaign.roster.units()}:
        out.blank[level] = [(info, data) for info, data, _ in
                            Template.for_level(campaign, level).members]
        blank_path = folder / f"blank-{level}.xlsx"
        write_zip(blank_path, out.blank[level])
        if level == NATIONAL:
            continue
        answers = demo.plausible_answers(Unit("x", "x", level, None), rng)
        # one value typed as text the way people type it, so strict parsing is exercised
        answers["bieu_1"][(LEVELS[level].row_id, "van_dong")] = "1.500.000đ"
        filled_path = demo.fill_workbook(blank_path, folder / f"filled-{level}.xlsx", answers,
                                         narrative)
        members = zip_members(filled_path)
        out.filled[level] = Template([(info, data, PLACEHOLDER_MARK in data)
                                      for info, data in members])
    return out


def stamp_values(campaign: Campaign, unit: Unit) -> dict[str, str]:
    """What generate_forms stamps for a unit, for every placeholder this library version has."""
    values = {"code": unit.code, "name": unit.name, "label": campaign.unit_label(unit.code),
              "token": forms_module.token_meta(campaign, unit.code)["token"]}
    unknown = set(forms_module.PLACEHOLDERS) - set(values)
    if unknown:
        raise SystemExit(f"bench does not know how to stamp placeholders {sorted(unknown)}")
    return values


def fill_inbox(campaign: Campaign, templates: Templates, inbox: Path) -> list[Path]:
    """Every filing unit's workbook: its level's filled template stamped with its identity.

    As in the demo, commune 01891 sends nothing.
    """
    paths = []
    for unit in campaign.roster.units():
        if unit.code == demo.MISSING_UNIT or unit.level not in templates.filled:
            continue
        data = templates.filled[unit.level].stamp(stamp_values(campaign, unit))
        path = inbox / safe_filename(unit.code, f"bao cao {unit.name}")
        path.write_bytes(data)
        os.utime(path, (ON_TIME, ON_TIME))
        paths.append(path)
    return paths


def check_identity(path: Path, unit: Unit) -> None:
    """The stamped file says, in its hidden _meta sheet, that it belongs to ``unit``."""
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(layout.META_SHEET).to_python()
    meta = {str(r[0]): str(r[1]) for r in grid if len(r) >= 2 and r[0]}
    want = {"unit_code": unit.code, "unit_level": unit.level, "form_id": FORM, "period": PERIOD,
            "kind": "form"}
    got = {k: meta.get(k) for k in want}
    if got != want:
        raise SystemExit(f"stamped file {path.name}: _meta says {got}, expected {want}")
    for info, data in zip_members(path):
        if PLACEHOLDER_MARK in data:
            raise SystemExit(f"stamped file {path.name}: {info.filename} still has a placeholder")


def finding_codes(report: Report) -> dict[str, int]:
    return dict(Counter(f.code for f in report.findings).most_common(5))


# --------------------------------------------------------------------------- references


def read_raw_xml(path: Path) -> int:
    """Lower bound of reading: open the zip, parse every worksheet (and shared strings)."""
    n = 0
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if (name.startswith("xl/worksheets/") and name.endswith(".xml")) \
                    or name == "xl/sharedStrings.xml":
                n += len(ET.fromstring(zf.read(name)))
    return n


def read_calamine(path: Path) -> int:
    wb = CalamineWorkbook.from_path(str(path))
    return sum(len(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
               for name in wb.sheet_names)


def read_openpyxl(path: Path) -> int:
    """What a user's own script would do: load the workbook, read every table sheet's cells."""
    wb = openpyxl.load_workbook(path, data_only=True)
    n = 0
    for ws in wb.worksheets:
        if str(ws["A1"].value or "").startswith(layout.TABLE_MARK):
            for row in ws.iter_rows(values_only=True):
                n += sum(1 for v in row if v is not None)
    wb.close()
    return n


def sample(files: list[Path], k: int) -> list[Path]:
    if len(files) <= k:
        return files
    step = len(files) / k
    return [files[int(i * step)] for i in range(k)]


def soffice_open_s(workbook: Path, folder: Path) -> float | None:
    """Seconds LibreOffice takes to open the workbook and write it again (headless), or None."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
                    "--convert-to", "csv", "--outdir", str(folder), str(workbook)],
                   check=True, capture_output=True, timeout=600)
    took = time.perf_counter() - start
    if not (folder / f"{workbook.stem}.csv").is_file():
        raise SystemExit(f"LibreOffice did not open {workbook}")
    return took


# --------------------------------------------------------------------------- one run


def run_scale(scale: str, root: str, base: Path, approach: str,
              roster: str | Path | None = None) -> Result:
    """Build, fill, ingest and report one campaign rooted at ``root``; time every phase."""
    res = Result(scale, approach, base / f"ws-{root}")
    with res.phase("init"):
        campaign = init_campaign(res.path, FORM, PERIOD, root, deadline=DEADLINE, roster=roster)
    res.campaign_id = campaign.id
    units = campaign.roster.units()
    templates = site_templates(campaign, base / "_templates")
    with res.phase("generate", len(units), memory=True):
        generate_forms(campaign)
    bound_dir = base / "_zipcopy"
    bound_dir.mkdir(parents=True)
    with res.phase("zip-copy", len(units)):
        for unit in units:
            write_zip(bound_dir / f"{unit.code}.xlsx", templates.blank[unit.level])
    inbox_dir = Workspace(res.path).inbox
    with res.phase("prep-fill", 0):
        res.inbox = fill_inbox(campaign, templates, inbox_dir)
    res.counts["prep-fill"] = len(res.inbox)
    by_code = {u.code: u for u in units}
    for path in {res.inbox[0], res.inbox[1], res.inbox[-1]}:
        check_identity(path, by_code[path.name.split("_", 1)[0]])
    close_store(campaign.workspace)
    log(f"  {scale}: generated {len(units)} forms, filled {len(res.inbox)}")
    ingest_and_read(res)
    roll_up_and_report(res, base)
    return res


def ingest_and_read(res: Result) -> None:
    """Ingest as two commands (a tenth of the files, at least a pool's worth, then the rest),
    then the references.

    Both commands are large enough to take the same path (the worker pool), so each pays the
    same fixed start-up once and the slope between them is the per-file cost net of it; the
    first is small so the difference the slope divides is as large as it can be.
    """
    first = res.inbox[::max(1, len(res.inbox) // max(FORK_MIN_FILES, len(res.inbox) // 10))]
    chosen = set(first)
    second = [p for p in res.inbox if p not in chosen]
    accepted = 0
    for key, paths in (("ingest-1", first), ("ingest-2", second)):
        with res.phase(key, len(paths), memory=True):
            report = api.ingest(res.path, paths).report
        close_store(Workspace(res.path))
        accepted += report.stats["accepted"]
        if report.stats["accepted"] != len(paths):
            res.notes.append(f"{key}: {report.stats} (expected {len(paths)} accepted); "
                             f"findings {finding_codes(report)}")
    log(f"  {res.scale}: ingested {accepted} files ({ingest_total_s(res):.1f} s)")
    naive = sample(res.inbox, OPENPYXL_SAMPLE) if res.scale == "country" else res.inbox
    for key, reader, subset in (("raw-xml", read_raw_xml, res.inbox),
                                ("calamine", read_calamine, res.inbox),
                                ("openpyxl", read_openpyxl, naive)):
        with res.phase(key, len(subset)):
            for path in subset:
                reader(path)
    if len(naive) < len(res.inbox):
        res.notes.append(f"naive openpyxl loop timed on {len(naive)} of {len(res.inbox)} files "
                         "(evenly spaced) and extrapolated")


@contextmanager
def word_timer(res: Result) -> Iterator[None]:
    """Time the Word report inside api.report: WordRenderer.render and the document's save."""
    renderer = api_reports.WordRenderer
    original = renderer.render

    def timed(self: object, *args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            res.seconds["word"] = res.seconds.get("word", 0.0) + time.perf_counter() - start

    renderer.render = timed  # type: ignore[method-assign]
    try:
        yield
    finally:
        renderer.render = original  # type: ignore[method-assign]


def roll_up_and_report(res: Result, base: Path) -> None:
    """api.rollup, then api.report split into roll-up + workbook and Word; the workbook's size."""
    with res.phase("rollup", memory=True):
        rolled = api.rollup(res.path, None, res.campaign_id)
    if next(iter(rolled.tables.values())).isna().all().all():
        res.notes.append("the roll-up of the first table is empty")
    res.seconds["word"] = 0.0
    with word_timer(res), res.phase("report", memory=True):
        made = api.report(res.path, res.campaign_id)
    res.counts["word"] = 1
    res.seconds["rollup+workbook"] = res.seconds["report"] - res.seconds["word"]
    res.counts["rollup+workbook"] = 1
    workbook = made.reports[0].workbook
    res.sizes["workbook MB"] = workbook.stat().st_size / MB
    res.sizes["word MB"] = made.reports[0].document.stat().st_size / MB
    opened = soffice_open_s(workbook, base / "_soffice")
    if opened is not None:
        res.seconds["soffice-open"] = opened
        res.counts["soffice-open"] = 1
    log(f"  {res.scale}: roll-up and report done ({res.seconds['report']:.1f} s)")


# --------------------------------------------------------------------------- printing


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def ingest_total_s(res: Result) -> float:
    return res.seconds["ingest-1"] + res.seconds["ingest-2"]


def table_rows(res: Result) -> list[tuple[str, int, float, float, str, str]]:
    """Phase, files, seconds, ms per file, peak MB, references."""
    s, c, ms, mem = res.seconds, res.counts, res.ms, res.peak_mb
    net = res.ingest_net_ms
    n_ingest = c["ingest-1"] + c["ingest-2"]
    rows = [
        ("init", c["init"], s["init"], ms("init"), "", "init_campaign"),
        ("generate", c["generate"], s["generate"], ms("generate"), f"{mem['generate']:.0f}",
         f"zip-copy {ms('zip-copy'):.2f} ({ratio(ms('generate'), ms('zip-copy')):.2f}x)"),
        ("fill(prep)", c["prep-fill"], s["prep-fill"], 1000 * s["prep-fill"] / c["prep-fill"], "",
         "not a product phase: a filled template stamped per unit"),
        ("ingest", n_ingest, ingest_total_s(res), 1000 * ingest_total_s(res) / n_ingest,
         f"{max(mem['ingest-1'], mem['ingest-2']):.0f}",
         f"two commands ({c['ingest-1']} + {c['ingest-2']} files: {s['ingest-1']:.2f} + "
         f"{s['ingest-2']:.2f} s); net {net:.2f} ms/file"),
        ("  references", n_ingest, float("nan"), float("nan"), "",
         f"calamine {ms('calamine'):.2f} (net ingest {ratio(net, ms('calamine')):.2f}x), "
         f"raw-xml {ms('raw-xml'):.2f}, openpyxl {ms('openpyxl'):.1f} "
         f"(net ingest {ratio(ms('openpyxl'), net):.1f}x faster)"),
        ("rollup", 1, s["rollup"], float("nan"), f"{mem['rollup']:.0f}", "api.rollup of the root"),
        ("report", 1, s["report"], float("nan"), f"{mem['report']:.0f}",
         f"api.report: roll-up + workbook {s['rollup+workbook']:.2f} s, Word {s['word']:.2f} s; "
         f"workbook {res.sizes['workbook MB']:.1f} MB, Word {res.sizes['word MB']:.1f} MB"),
    ]
    if "soffice-open" in s:
        rows.append(("soffice-open", 1, s["soffice-open"], float("nan"), "",
                     "LibreOffice headless opens the workbook (and writes its first sheet as CSV)"))
    return rows


def print_table(res: Result) -> None:
    print(f"\n{'scale':<12} {'phase':<14} {'files':>6} {'total_s':>9} {'ms/file':>8} "
          f"{'peak_MB':>8}   reference")
    for phase, n, total, per, peak, ref in table_rows(res):
        total_text = "" if total != total else f"{total:.2f}"
        per_text = "" if per != per else f"{per:.2f}"
        print(f"{res.scale:<12} {phase:<14} {n:>6} {total_text:>9} {per_text:>8} {peak:>8}   {ref}")


def targets(res: Result) -> list[tuple[str, str, bool]]:
    """Every target of issue 13 that applies at this scale: what, measured, met."""
    s, ms, net = res.seconds, res.ms, res.ingest_net_ms
    gen_ratio = ratio(ms("generate"), ms("zip-copy"))
    ing_ratio = ratio(net, ms("calamine"))
    speedup = ratio(ms("openpyxl"), net)
    ingest_mb = max(res.peak_mb["ingest-1"], res.peak_mb["ingest-2"])
    report_mb = max(res.peak_mb["rollup"], res.peak_mb["report"])
    rows = [
        (f"generation within {GEN_RATIO_MAX:.0f}x of the zip-copy bound", f"{gen_ratio:.2f}x",
         gen_ratio <= GEN_RATIO_MAX),
        (f"ingestion (net) within {INGEST_RATIO_MAX:.0f}x of calamine's read",
         f"{ing_ratio:.2f}x", ing_ratio <= INGEST_RATIO_MAX),
        (f"ingestion (net) >= {OPENPYXL_SPEEDUP_MIN:.0f}x faster than naive openpyxl",
         f"{speedup:.1f}x", speedup >= OPENPYXL_SPEEDUP_MIN),
        (f"peak memory of ingest under {PEAK_MB_MAX} MB", f"{ingest_mb:.0f} MB",
         ingest_mb < PEAK_MB_MAX),
        (f"peak memory of roll-up and report under {PEAK_MB_MAX} MB", f"{report_mb:.0f} MB",
         report_mb < PEAK_MB_MAX),
    ]
    if res.scale != "country":
        return rows
    rows += [
        (f"country generation under {COUNTRY_GEN_S:.0f} s", f"{s['generate']:.1f} s",
         s["generate"] < COUNTRY_GEN_S),
        (f"country ingestion under {COUNTRY_INGEST_S:.0f} s", f"{ingest_total_s(res):.1f} s",
         ingest_total_s(res) < COUNTRY_INGEST_S),
        (f"national roll-up + workbook under {NATIONAL_WORKBOOK_S:.0f} s",
         f"{s['rollup+workbook']:.1f} s", s["rollup+workbook"] < NATIONAL_WORKBOOK_S),
        (f"national Word report under {NATIONAL_WORD_S:.0f} s more", f"{s['word']:.1f} s",
         s["word"] < NATIONAL_WORD_S),
        (f"national workbook under {NATIONAL_WORKBOOK_MB:.0f} MB",
         f"{res.sizes['workbook MB']:.1f} MB", res.sizes["workbook MB"] < NATIONAL_WORKBOOK_MB),
    ]
    if "soffice-open" in s:
        rows.append(("national workbook opens in LibreOffice (headless)",
                     f"{s['soffice-open']:.1f} s", True))
    return rows


def print_targets(res: Result) -> None:
    print(f"\n[{res.scale}] {res.approach}")
    for what, measured, met in targets(res):
        print(f"  {what:<62} {measured:>10}  {'PASS' if met else 'FAIL'}")
    for note in res.notes:
        print(f"  note: {note}")


def print_summary(results: list[Result]) -> None:
    """Every target beside every scale, as a Markdown table for notes and the README."""
    cells: dict[str, dict[str, str]] = {}
    for res in results:
        for what, measured, met in targets(res):
            cells.setdefault(what, {})[res.scale] = f"{measured} {'PASS' if met else 'FAIL'}"
    scales = [r.scale for r in results]
    print("\n| target | " + " | ".join(scales) + " |")
    print("| --- |" + " --- |" * len(scales))
    for what, by_scale in cells.items():
        print(f"| {what} | " + " | ".join(by_scale.get(s, "–") for s in scales) + " |")


# --------------------------------------------------------------------------- profiling


def profile_ingest(res: Result, base: Path, top: int = 10) -> None:
    """Ingest the run's inbox again into a fresh workspace under cProfile (serial parent)."""
    path = base / "_profile"
    path.mkdir()
    secret = res.path / ".secret"  # forms carry a token keyed by the workspace's secret
    if secret.exists():
        shutil.copy2(secret, path / secret.name)
    init_campaign(path, FORM, PERIOD, res.path.name.removeprefix("ws-"), deadline=DEADLINE)
    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.enable()
    report = api.ingest(path, [res.path / "inbox"]).report
    prof.disable()
    took = time.perf_counter() - start
    n = report.stats["files"]
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    inside, outside = [], []
    for (filename, line, func), (_cc, ncalls, tottime, cumtime, _callers) in stats.items():
        name = f"{Path(filename).name}:{line}({func})"
        if filename.startswith(str(PACKAGE_DIR)):
            inside.append((cumtime, tottime, ncalls, name))
        else:
            outside.append((tottime, cumtime, ncalls, name))
    print(f"\ncProfile of ingest ({n} files, {took:.2f} s under the profiler, parent process "
          f"only): top {top} cumulative inside consolidate/")
    for cum, tot, calls, name in sorted(inside, reverse=True)[:top]:
        print(f"  {cum:>7.3f} s {1000 * cum / n:>7.2f} ms/file {tot:>7.3f} s own "
              f"{calls:>8}  {name}")
    print(f"  top {top} by own time outside consolidate/:")
    for tot, cum, calls, name in sorted(outside, reverse=True)[:top]:
        print(f"  {tot:>7.3f} s {1000 * tot / n:>7.2f} ms/file {cum:>7.3f} s cum "
              f"{calls:>8}  {name}")


# --------------------------------------------------------------------------- main


def custom_roster_run(base: Path, repeat: int) -> Result:
    """Bắc Kạn again, from a custom CSV roster: the roster file is what the campaign reads."""
    full = official_roster("2024").subtree(BAC_KAN)
    base.mkdir(parents=True)
    csv = base / "bac-kan.csv"
    lines = ["code,name,level,parent"]
    lines += [f"{u.code},{u.name},{u.level},{u.parent or ''}" for u in full.units()]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return best_of([run_scale("bac-kan-csv", BAC_KAN, base / f"run-{k}", "custom CSV roster",
                              roster=csv) for k in range(1, repeat + 1)])


def scale_plan(scale: str, official_units: int) -> tuple[str, str, int]:
    """Root, description and default repeat count of a scale."""
    if scale == "bac-kan":
        return BAC_KAN, ("one campaign rooted at Tỉnh Bắc Kạn (06); commune "
                         f"{demo.MISSING_UNIT} sends nothing"), 3
    return NATIONAL_CODE, (f"one campaign rooted at {NATIONAL_CODE} (Toàn quốc), "
                           f"{official_units} units of the 2024 tree; commune "
                           f"{demo.MISSING_UNIT} sends nothing"), 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("bac-kan", "country", "both"), default="both")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where to build the workspaces (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the workspaces afterwards")
    parser.add_argument("--profile", action="store_true",
                        help="also profile ingest of the first run with cProfile")
    parser.add_argument("--custom-roster", action="store_true",
                        help="also run Bắc Kạn from a custom CSV roster")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs per scale, fastest kept per phase (default: 3 for bac-kan, "
                             "1 for country)")
    args = parser.parse_args(argv)

    root = (args.workdir or Path(tempfile.mkdtemp(prefix="consolidate-bench-"))).resolve()
    root.mkdir(parents=True, exist_ok=True)
    created = [] if args.workdir else [root]
    scales = ["bac-kan", "country"] if args.scale == "both" else [args.scale]
    for scale in [*scales, "bac-kan-csv"]:
        if (root / scale).exists():
            parser.error(f"{root / scale} already exists; choose another --workdir")
        created.append(root / scale)
    official = official_roster("2024")
    print(f"consolidate bench: python {sys.version.split()[0]}, openpyxl {openpyxl.__version__}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
          f"{dt.datetime.now():%Y-%m-%d %H:%M}")
    print(f"package {PACKAGE_DIR} ({code_version()}); workdir {root}")
    results: list[Result] = []
    try:
        for scale in scales:
            code, approach, repeat = scale_plan(scale, len(official))
            log(f"{scale}: {approach}")
            load_before = os.getloadavg()[0]
            runs = [run_scale(scale, code, root / scale / f"run-{k}", approach)
                    for k in range(1, (args.repeat or repeat) + 1)]
            res = best_of(runs)
            res.notes.append(f"load average before/after: {load_before:.1f}/"
                             f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            results.append(res)
            print_table(res)
            print_targets(res)
            if args.profile:
                profile_ingest(runs[0], root / scale)
            sys.stdout.flush()
        if args.custom_roster:
            res = custom_roster_run(root / "bac-kan-csv", args.repeat or 3)
            results.append(res)
            print_table(res)
            print_targets(res)
        print_summary(results)
    finally:
        if args.keep:
            print(f"\nkept {root}")
        else:
            for path in created:
                shutil.rmtree(path, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

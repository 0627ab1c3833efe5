"""Throughput of the consolidate pipeline on real rosters, against lower bounds.

Run as a script, not a test:

    python3 bench/bench.py [--scale bac-kan|country|both] [--workdir DIR] [--keep]
                           [--profile] [--custom-roster] [--repeat N]

For each scale it times, on the same files and in the same run:

* generation  ``consolidate.forms.generate_forms(campaign)``, against a raw zip-copy
  bound (the blank template's zip members copied, unchanged, into one new zip per unit);
* ingestion   ``consolidate.api.ingest(ws)`` over the inbox, against a
  calamine read, a raw zipfile + ElementTree read, and a naive openpyxl loop;
* roll-up     ``consolidate.api.rollup`` and ``consolidate.api.report``
  (roll-up + consolidated workbook of the root).

Filled workbooks are prepared (not timed as a product phase) from one openpyxl-filled
placeholder template per level, stamped per unit like ``generate_forms`` stamps blanks.

References are timed right after the product phase of each workspace, on the same files,
so both see the same machine load; with ``--repeat`` the fastest run of each phase is kept.

Scales: ``bac-kan`` is one campaign rooted at Tỉnh Bắc Kạn (06): 1 province, 8 districts,
108 communes. ``country`` is one workspace and campaign per official province (63), because
a campaign has a single root unit and no level above province exists; totals are sums over
the provinces.
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
import time
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# Measure the checkout this script lives in, whatever copy the editable install points to.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl
from python_calamine import CalamineWorkbook

import consolidate
from consolidate import api, demo
from consolidate.core.errors import Report
from consolidate.core.files import safe_filename
from consolidate.core.roster import Unit, official_roster
from consolidate.core.vocabulary import LEVELS
from consolidate.core.workspace import Campaign, Workspace, init_campaign
from consolidate.forms import generate as forms_module
from consolidate.forms import layout
from consolidate.forms.generate import Template, generate_forms

FORM = "thang-hanh-dong"
PERIOD = "2024"
DEADLINE = dt.date(2024, 7, 3)
BAC_KAN = "06"
NATIONAL = "VN"
NATIONAL_LEVEL = "national"
ON_TIME = dt.datetime(2024, 7, 2, 16, 30).timestamp()
OPENPYXL_SAMPLE = 500  # country scale: the naive openpyxl loop runs on this many files
PLACEHOLDER_MARK = b"@@UNIT_"  # every placeholder of consolidate.forms.PLACEHOLDERS
PACKAGE_DIR = str(Path(consolidate.__file__).resolve().parent)

# Targets (country scale unless said otherwise).
GEN_RATIO_MAX = 2.0  # generation vs zip-copy bound
INGEST_RATIO_MAX = 3.0  # ingestion vs calamine read
OPENPYXL_SPEEDUP_MIN = 20.0  # ingestion vs naive openpyxl loop
COUNTRY_GEN_S = 30.0
COUNTRY_INGEST_S = 15.0
NATIONAL_REPORT_S = 10.0


def code_version() -> str:
    """The library version measured: git HEAD, uncommitted changes, hash of its sources."""
    sources = sorted(Path(PACKAGE_DIR).glob("*.py"))
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


@contextmanager
def timer(acc: dict[str, float], key: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        acc[key] = acc.get(key, 0.0) + time.perf_counter() - start


def close_store(ws: Workspace) -> None:
    """Close a workspace's SQLite connection if it was opened (Workspace.store is cached)."""
    store = ws.__dict__.pop("store", None)
    if store is not None:
        store.close()


# --------------------------------------------------------------------------- results


@dataclass
class Site:
    """One workspace holding one campaign (one province at the country scale)."""

    root: str
    path: Path
    campaign_id: str = ""
    units: list[Unit] = field(default_factory=list)
    inbox: list[Path] = field(default_factory=list)


@dataclass
class Result:
    scale: str
    approach: str
    sites: list[Site] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    max_report_s: float = 0.0
    max_report_root: str = ""
    max_rollup_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    def per_file_ms(self, key: str, count_key: str | None = None) -> float:
        n = self.counts.get(count_key or key, 0)
        return 1000 * self.seconds.get(key, 0.0) / n if n else float("nan")


def best_of(runs: list[Result]) -> Result:
    """Per phase, the fastest of several identical runs: the machine may be shared."""
    if len(runs) == 1:
        return runs[0]
    best = runs[-1]
    merged = Result(best.scale, f"{best.approach}; best of {len(runs)} runs per phase",
                    sites=best.sites, counts=best.counts,
                    notes=list(dict.fromkeys(n for r in runs for n in r.notes)))
    merged.seconds = {k: min(r.seconds[k] for r in runs) for k in best.seconds}
    fastest = min(runs, key=lambda r: r.max_report_s)
    merged.max_report_s, merged.max_report_root = fastest.max_report_s, fastest.max_report_root
    merged.max_rollup_s = min(r.max_rollup_s for r in runs)
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

    Built per workspace: a form may carry workspace-specific metadata (issuer, token).
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2024)
    narrative = {k: v.format(period=campaign.period) for k, v in demo.NARRATIVE_SAMPLES.items()}
    out = Templates({}, {})
    in_campaign = {u.level for u in campaign.roster.units()}
    for level in [lv for lv in campaign.levels if lv in in_campaign]:  # not the nation above
        out.blank[level] = [(info, data) for info, data, _ in
                            Template.for_level(campaign, level).members]
        blank_path = folder / f"blank-{level}.xlsx"
        write_zip(blank_path, out.blank[level])
        if level == NATIONAL_LEVEL:  # the ministry consolidates; it files to nobody
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
    values = {"code": unit.code, "name": unit.name, "label": campaign.unit_label(unit.code)}
    token_meta = getattr(forms_module, "token_meta", None)
    if "token" in forms_module.PLACEHOLDERS and token_meta is not None:
        values["token"] = token_meta(campaign, unit.code)["token"]
    unknown = set(forms_module.PLACEHOLDERS) - set(values)
    if unknown:
        raise SystemExit(f"bench does not know how to stamp placeholders {sorted(unknown)}")
    return values


def fill_inbox(campaign: Campaign, templates: Templates, inbox: Path,
               skip: set[str]) -> list[Path]:
    """Every unit's filled workbook: the level's filled template stamped with its identity."""
    paths = []
    for unit in campaign.roster.units():
        if unit.code in skip or unit.level not in templates.filled:
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


def time_reader(reader: Callable[[Path], int], files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        reader(path)
    return time.perf_counter() - start


def sample(files: list[Path], k: int) -> list[Path]:
    if len(files) <= k:
        return files
    step = len(files) / k
    return [files[int(i * step)] for i in range(k)]


# --------------------------------------------------------------------------- the run


def run_scale(scale: str, roots: list[str], base: Path, approach: str,
              roster: str | Path | None = None, skip: set[str] | None = None) -> Result:
    res = Result(scale, approach)
    s, c = res.seconds, res.counts
    skip = {demo.MISSING_UNIT} if skip is None else skip
    total = len(roots)
    for k, root in enumerate(roots, start=1):
        site = Site(root, base / f"ws-{root}")
        res.sites.append(site)
        with timer(s, "init"):
            campaign = init_campaign(site.path, FORM, PERIOD, root, deadline=DEADLINE,
                                     roster=roster)
        site.campaign_id = campaign.id
        site.units = campaign.roster.units()
        c["init"] = c.get("init", 0) + 1
        with timer(s, "prep-templates"):
            templates = site_templates(campaign, base / "_templates" / root)
        with timer(s, "generate"):
            forms = generate_forms(campaign)
        c["generate"] = c.get("generate", 0) + len(forms)
        # raw write bound on the same units: copy the level's blank members, no replacement
        bound_dir = base / "_zipcopy" / root
        bound_dir.mkdir(parents=True)
        with timer(s, "zip-copy"):
            for unit in site.units:
                write_zip(bound_dir / f"{unit.code}.xlsx", templates.blank[unit.level])
        c["zip-copy"] = c.get("zip-copy", 0) + len(site.units)
        with timer(s, "prep-fill"):
            site.inbox = fill_inbox(campaign, templates, Workspace(site.path).inbox, skip)
        c["prep-fill"] = c.get("prep-fill", 0) + len(site.inbox)
        by_code = {u.code: u for u in site.units}
        for path in {site.inbox[0], site.inbox[1], site.inbox[-1]}:
            check_identity(path, by_code[path.name.split("_", 1)[0]])
        close_store(campaign.workspace)
        if total > 1 and (k % 10 == 0 or k == total):
            log(f"  {scale}: generated and filled {k}/{total} workspaces "
                f"({c['generate']} forms, {s['generate']:.1f} s generating)")

    # Ingest each workspace, then read the same files with each reference right away, so a
    # product phase and its references see the same machine load (the machine may be shared).
    files = [p for site in res.sites for p in site.inbox]
    naive = set(sample(files, OPENPYXL_SAMPLE) if scale.startswith("country") else files)
    for k, site in enumerate(res.sites, start=1):
        ws = Workspace(site.path)
        with timer(s, "ingest"):
            report = api.ingest(site.path).report
        close_store(ws)
        c["ingest"] = c.get("ingest", 0) + report.stats["files"]
        if report.stats["accepted"] != len(site.inbox):
            res.notes.append(f"{site.root}: {report.stats} (expected {len(site.inbox)} accepted); "
                             f"findings {finding_codes(report)}")
        for name, reader, subset in (
            ("raw-xml", read_raw_xml, site.inbox),
            ("calamine", read_calamine, site.inbox),
            ("openpyxl", read_openpyxl, [p for p in site.inbox if p in naive]),
        ):
            s[name] = s.get(name, 0.0) + time_reader(reader, subset)
            c[name] = c.get(name, 0) + len(subset)
        if total > 1 and (k % 10 == 0 or k == total):
            log(f"  {scale}: ingested and read {k}/{total} workspaces ({s['ingest']:.1f} s)")
    if len(naive) < len(files):
        res.notes.append(f"naive openpyxl loop timed on {len(naive)} of {len(files)} files "
                         "(evenly spaced) and extrapolated")

    for site in res.sites:
        start = time.perf_counter()
        rolled = api.rollup(site.path, None, site.campaign_id)
        took = time.perf_counter() - start
        s["rollup"] = s.get("rollup", 0.0) + took
        res.max_rollup_s = max(res.max_rollup_s, took)
        first = next(iter(rolled.tables.values()))
        if first.isna().all().all():
            res.notes.append(f"{site.root}: roll-up of the first table is empty")
        start = time.perf_counter()
        api.report(site.path, site.campaign_id)
        took = time.perf_counter() - start
        s["report"] = s.get("report", 0.0) + took
        if took > res.max_report_s:
            res.max_report_s, res.max_report_root = took, site.root
    c["rollup"] = c["report"] = len(res.sites)
    log(f"  {scale}: roll-up and reports done ({s['report']:.1f} s)")

    return res


# --------------------------------------------------------------------------- printing


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def table_rows(res: Result) -> list[tuple[str, str, int, float, float, str]]:
    s, c, ms = res.seconds, res.counts, res.per_file_ms
    zip_ms, cal_ms, xml_ms, opx_ms = (ms("zip-copy"), ms("calamine"), ms("raw-xml"),
                                      ms("openpyxl"))
    gen_ms, ing_ms = ms("generate"), ms("ingest")
    opx_total = opx_ms * c["ingest"] / 1000
    rows = [
        (res.scale, "init", c["init"], s["init"], ms("init"),
         "one init_campaign per workspace"),
        (res.scale, "generate", c["generate"], s["generate"], gen_ms,
         f"zip-copy {zip_ms:.2f} (ratio {ratio(gen_ms, zip_ms):.1f}x)"),
        (res.scale, "fill(prep)", c["prep-fill"], s["prep-fill"], ms("prep-fill"),
         f"not a product phase: stamping a filled template per unit (+{s['prep-templates']:.1f}"
         " s building and filling one template per level and workspace)"),
        (res.scale, "ingest", c["ingest"], s["ingest"], ing_ms,
         f"calamine {cal_ms:.2f} (ratio {ratio(ing_ms, cal_ms):.1f}x), "
         f"raw-xml {xml_ms:.2f} ({ratio(ing_ms, xml_ms):.1f}x), "
         f"openpyxl {opx_ms:.1f} (ingest {ratio(opx_ms, ing_ms):.0f}x faster; "
         f"{opx_total:.0f} s for all)"),
        (res.scale, "rollup", c["rollup"], s["rollup"], ms("rollup"),
         f"api.rollup per root; max {1000 * res.max_rollup_s:.0f} ms"),
        (res.scale, "rollup+report", c["report"], s["report"], ms("report"),
         f"api.report per root; max {1000 * res.max_report_s:.0f} ms ({res.max_report_root})"),
    ]
    return rows


def print_table(results: list[Result]) -> None:
    print(f"{'scale':<10} {'phase':<14} {'files':>6} {'total_s':>9} {'ms/file':>9}   "
          "reference ms/file")
    for res in results:
        for scale, phase, n, total, per, ref in table_rows(res):
            print(f"{scale:<10} {phase:<14} {n:>6} {total:>9.2f} {per:>9.2f}   {ref}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_targets(res: Result) -> None:
    s, ms = res.seconds, res.per_file_ms
    gen_ratio = ratio(ms("generate"), ms("zip-copy"))
    ing_ratio = ratio(ms("ingest"), ms("calamine"))
    speedup = ratio(ms("openpyxl"), ms("ingest"))
    print(f"\n[{res.scale}] {res.approach}")
    print(f"  generation within {GEN_RATIO_MAX:.0f}x of zip-copy bound: "
          f"{gen_ratio:.2f}x  {verdict(gen_ratio <= GEN_RATIO_MAX)}")
    print(f"  ingestion within {INGEST_RATIO_MAX:.0f}x of calamine read: "
          f"{ing_ratio:.2f}x  {verdict(ing_ratio <= INGEST_RATIO_MAX)}")
    print(f"  ingestion >= {OPENPYXL_SPEEDUP_MIN:.0f}x faster than naive openpyxl: "
          f"{speedup:.1f}x  {verdict(speedup >= OPENPYXL_SPEEDUP_MIN)}")
    if res.scale.startswith("country"):
        print(f"  country generation under {COUNTRY_GEN_S:.0f} s: {s['generate']:.1f} s  "
              f"{verdict(s['generate'] < COUNTRY_GEN_S)}")
        print(f"  country ingestion under {COUNTRY_INGEST_S:.0f} s: {s['ingest']:.1f} s  "
              f"{verdict(s['ingest'] < COUNTRY_INGEST_S)}")
        print(f"  roll-up + consolidated workbook of the national root under "
              f"{NATIONAL_REPORT_S:.0f} s: no national root exists; sum over "
              f"{len(res.sites)} province roots {s['report']:.1f} s "
              f"{verdict(s['report'] < NATIONAL_REPORT_S)} (judged on the sum), "
              f"max single province {res.max_report_s:.2f} s ({res.max_report_root})")
    else:
        print(f"  roll-up + consolidated workbook of the root ({res.sites[0].root}): "
              f"{s['report']:.2f} s (api.rollup alone {s['rollup']:.2f} s)")
    for note in res.notes:
        print(f"  note: {note}")


# --------------------------------------------------------------------------- profiling


def profile_ingest(site: Site, base: Path, top: int = 10) -> None:
    """Ingest the site's inbox again into a fresh workspace under cProfile."""
    path = base / "_profile"
    path.mkdir()
    secret = site.path / ".secret"  # forms may carry a token keyed by the workspace's secret
    if secret.exists():
        shutil.copy2(secret, path / secret.name)
    init_campaign(path, FORM, PERIOD, site.root, deadline=DEADLINE)
    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.enable()
    report = api.ingest(path, [site.path / "inbox"]).report
    prof.disable()
    took = time.perf_counter() - start
    n = report.stats["files"]
    if report.stats["accepted"] != n:
        print(f"  note: profiled run accepted {report.stats['accepted']} of {n} files; "
              f"findings {finding_codes(report)}")
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    rows = []
    outside = []
    for (filename, line, func), (_cc, ncalls, tottime, cumtime, _callers) in stats.items():
        entry = (cumtime, tottime, ncalls, f"{Path(filename).name}:{line}({func})")
        if filename.startswith(PACKAGE_DIR):
            rows.append(entry)
        else:
            outside.append((tottime, cumtime, ncalls, f"{Path(filename).name}:{line}({func})"))
    print(f"\ncProfile of ingest ({site.root}, {n} files, {took:.2f} s under the profiler): "
          f"top {top} cumulative inside consolidate/")
    print(f"  {'cum_s':>7} {'ms/file':>8} {'tot_s':>7} {'calls':>8}  function")
    for cum, tot, calls, name in sorted(rows, reverse=True)[:top]:
        print(f"  {cum:>7.3f} {1000 * cum / n:>8.2f} {tot:>7.3f} {calls:>8}  {name}")
    print(f"  top {top} by own time outside consolidate/:")
    print(f"  {'tot_s':>7} {'ms/file':>8} {'cum_s':>7} {'calls':>8}  function")
    for tot, cum, calls, name in sorted(outside, reverse=True)[:top]:
        print(f"  {tot:>7.3f} {1000 * tot / n:>8.2f} {cum:>7.3f} {calls:>8}  {name}")


# --------------------------------------------------------------------------- custom roster


def custom_roster_check(base: Path, repeat: int) -> None:
    """Bắc Kạn again, from a custom CSV roster: the roster file is what the campaign reads."""
    full = official_roster("2024").subtree(BAC_KAN)
    csv = base / "bac-kan.csv"
    lines = ["code,name,level,parent"]
    lines += [f"{u.code},{u.name},{u.level},{u.parent or ''}" for u in full.units()]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = best_of([run_scale("bac-kan-csv", [BAC_KAN], base / f"run-{k}", "custom CSV roster",
                             roster=csv) for k in range(1, repeat + 1)])
    print_table([res])
    print_targets(res)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("bac-kan", "country", "both"), default="both")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where to build the workspaces (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the workspaces afterwards")
    parser.add_argument("--profile", action="store_true",
                        help="also profile ingest of the first workspace with cProfile")
    parser.add_argument("--custom-roster", action="store_true",
                        help="also run Bắc Kạn from a custom CSV roster")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs per scale, fastest kept per phase (default: 3 for bac-kan, "
                             "1 for country)")
    args = parser.parse_args(argv)

    if args.workdir is None:
        root = Path(tempfile.mkdtemp(prefix="consolidate-bench-"))
        created = [root]
    else:
        root = args.workdir.resolve()
        root.mkdir(parents=True, exist_ok=True)
        created = []
    scales = ["bac-kan", "country"] if args.scale == "both" else [args.scale]
    for scale in [*scales, "bac-kan-csv"]:
        if (root / scale).exists():
            parser.error(f"{root / scale} already exists; choose another --workdir")

    start = time.perf_counter()
    official = official_roster("2024")
    roster_s = time.perf_counter() - start
    print(f"consolidate bench: python {sys.version.split()[0]}, openpyxl {openpyxl.__version__}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"package {PACKAGE_DIR} ({code_version()}); workdir {root}")
    print(f"official 2024 roster: {len(official)} units, first load {roster_s:.2f} s "
          "(one-off, outside the timed phases)")
    results: list[Result] = []
    try:
        for scale in scales:
            base = root / scale
            base.mkdir(parents=True)
            if args.workdir is not None:
                created.append(base)
            if scale == "bac-kan":
                roots = [BAC_KAN]
                approach = ("one campaign rooted at Tỉnh Bắc Kạn (06); the demo's missing "
                            f"commune {demo.MISSING_UNIT} sends nothing")
            else:
                roots = [NATIONAL]
                approach = (f"country = one campaign rooted at {NATIONAL} (Toàn quốc) over "
                            f"{len(official.roots())} provinces")
            log(f"{scale}: {approach}")
            repeat = args.repeat or (3 if scale == "bac-kan" else 1)
            load_before = os.getloadavg()[0]
            res = best_of([run_scale(scale, roots, base / f"run-{k}", approach)
                           for k in range(1, repeat + 1)])
            res.notes.append(f"load average before/after: {load_before:.1f}/"
                             f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            results.append(res)
            print_table([res])
            print_targets(res)
            if args.profile:
                profile_ingest(res.sites[0], base)
            sys.stdout.flush()
        if args.custom_roster:
            base = root / "bac-kan-csv"
            base.mkdir(parents=True)
            if args.workdir is not None:
                created.append(base)
            custom_roster_check(base, args.repeat or 3)
        if len(results) > 1:
            print("\nsummary")
            print_table(results)
    finally:
        if args.keep:
            print(f"\nkept {root}")
        else:
            for path in created:
                shutil.rmtree(path, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

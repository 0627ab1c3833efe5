"""The ``consolidate`` command: a thin click layer over the library.

Each command parses its options, calls one library function and prints the
result in Vietnamese. Domain errors become one-line messages with exit code 1;
wrong usage exits 2 (click's own); tracebacks only with ``--debug``. Progress bars
are drawn only on a terminal, so scripts and CI logs stay quiet.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__

WorkspaceOption = click.option(
    "-w", "--workspace", "workspace", type=click.Path(file_okay=False, path_type=Path),
    default=".", show_default=True, help="Thư mục làm việc của đợt báo cáo.",
)
CampaignOption = click.option(
    "--campaign", default=None, help="Mã đợt báo cáo (mặc định: đợt tạo gần nhất).",
)


class Context:
    debug = False


def _domain_errors() -> tuple[type[Exception], ...]:
    from .errors import ConsolidateError
    from .roster import RosterError
    from .spec import SpecError

    return ConsolidateError, SpecError, RosterError


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn the library's errors into a clean message and exit code 1."""
    try:
        yield
    except _domain_errors() as exc:
        if Context.debug:
            raise
        raise click.ClickException(str(exc)) from exc


@contextmanager
def progress(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal; nothing in scripts."""
    if not sys.stderr.isatty() or length < 2:
        yield lambda n: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise click.BadParameter(f"'{value}' không phải ngày dạng 2024-07-03 hoặc 03/07/2024")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="consolidate")
@click.option("--debug", is_flag=True, help="Hiện chi tiết lỗi kỹ thuật (traceback).")
def main(debug: bool) -> None:
    """Tổng hợp báo cáo công tác trẻ em: biểu mẫu, tiếp nhận, tổng hợp, báo cáo.

    Collect and consolidate children's-affairs reports: forms, ingest, roll-up, report.
    """
    Context.debug = debug


@main.command()
@WorkspaceOption
@click.option("--form", "form", required=True, help="Mã biểu mẫu, ví dụ thang-hanh-dong.")
@click.option("--period", required=True, help="Kỳ báo cáo, ví dụ 2024.")
@click.option("--unit", required=True, help="Mã đơn vị chủ trì đợt báo cáo, ví dụ 058.")
@click.option("--deadline", default=None, help="Hạn nộp, ví dụ 2024-07-03.")
@click.option("--roster", default=None,
              help="Danh mục đơn vị: 2024 (3 cấp, mặc định), 2025 (2 cấp) hoặc tệp CSV/XLSX.")
@click.option("--signer", default=None, help="Người ký báo cáo.")
def init(workspace: Path, form: str, period: str, unit: str, deadline: str | None,
         roster: str | None, signer: str | None) -> None:
    """Tạo đợt báo cáo trong thư mục làm việc."""
    from .workspace import init_campaign

    with domain_errors():
        settings = {"signer": signer} if signer else {}
        campaign = init_campaign(workspace, form, period, unit, _date(deadline), roster, settings)
        n = len(campaign.roster)
    click.echo(f"Đã tạo đợt báo cáo {campaign.id}: {campaign.spec.title} năm {period}, "
               f"{campaign.root_unit.name} và {n - 1} đơn vị trực thuộc.")


@main.command()
@WorkspaceOption
@CampaignOption
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục ghi biểu mẫu (mặc định: WS/forms/<đợt>).")
def forms(workspace: Path, campaign: str | None, out: Path | None) -> None:
    """Tạo biểu mẫu trống cho đơn vị chủ trì và mọi đơn vị trực thuộc."""
    from .forms import generate_forms
    from .workspace import Workspace

    with domain_errors():
        camp = Workspace(workspace).campaign(campaign)
        if out:
            out.mkdir(parents=True, exist_ok=True)
        with progress(len(camp.roster), "Đang tạo biểu mẫu") as update:
            paths = generate_forms(camp, out, progress=update)
    click.echo(f"Đã tạo {len(paths)} biểu mẫu trong {paths[0].parent}.")


@main.command()
@WorkspaceOption
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
def ingest(workspace: Path, paths: tuple[Path, ...], as_json: bool) -> None:
    """Tiếp nhận các tệp báo cáo (mặc định: thư mục WS/inbox)."""
    from .ingest import collect_files
    from .ingest import ingest as run_ingest
    from .workspace import Workspace

    with domain_errors():
        ws = Workspace(workspace)
        files = collect_files(list(paths) or [ws.inbox])
        with progress(len(files), "Đang tiếp nhận") as update:
            report = run_ingest(ws, files, progress=update)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_findings(report)
        s = report.stats
        click.echo(f"Đã xử lý {s['files']} tệp: tiếp nhận {s['accepted']}, "
                   f"từ chối {s['rejected']}, trùng lặp {s['duplicate']}.")
    sys.exit(int(not report.valid))


def _print_findings(report: Any) -> None:
    by_file: dict[str, list[Any]] = {}
    for f in report.findings:
        by_file.setdefault(f.file, []).append(f)
    labels = {"error": "LỖI", "warning": "Cảnh báo", "info": "Ghi chú"}
    for name, items in by_file.items():
        click.echo(f"{name}:")
        for f in items:
            where = f"trang '{f.sheet}': " if f.sheet else ""
            click.echo(f"  - {labels[f.severity]}: {where}{f.message}")


@main.command()
@WorkspaceOption
@CampaignOption
@click.option("--unit", default=None, help="Chỉ xem đơn vị này và các đơn vị trực thuộc.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
def status(workspace: Path, campaign: str | None, unit: str | None, as_json: bool) -> None:
    """Tình hình nộp báo cáo: đã nộp, nộp muộn, chưa nộp, bị từ chối."""
    from .status import unit_status
    from .workspace import Workspace

    with domain_errors():
        camp = Workspace(workspace).campaign(campaign)
        frame = unit_status(camp, unit)
    if as_json:
        click.echo(frame.to_json(orient="records", force_ascii=False, indent=2))
        return
    counts = frame["status"].value_counts()
    click.echo(f"Đợt báo cáo {camp.id} – hạn nộp {camp.deadline_text() or 'không đặt'}")
    shown = frame.rename(columns={"code": "Mã", "name": "Đơn vị", "status": "Tình trạng",
                                  "received_at": "Thời điểm nhận", "note": "Ghi chú"})
    shown["Thời điểm nhận"] = shown["Thời điểm nhận"].str.replace("T", " ").str[:16]
    click.echo(shown[["Mã", "Đơn vị", "Tình trạng", "Thời điểm nhận", "Ghi chú"]]
               .to_string(index=False))
    click.echo("Tổng số: " + "; ".join(f"{k} {v}" for k, v in counts.items()))


@main.command()
@WorkspaceOption
@CampaignOption
@click.option("--unit", default=None, help="Đơn vị cần tổng hợp (mặc định: đơn vị chủ trì).")
@click.option("--all", "all_units", is_flag=True,
              help="Tổng hợp cho đơn vị chủ trì và mọi đơn vị có cấp dưới.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục ghi báo cáo (mặc định: WS/reports/<đợt>).")
def report(workspace: Path, campaign: str | None, unit: str | None, all_units: bool,
           out: Path | None) -> None:
    """Tạo bảng tổng hợp (.xlsx) cho một đơn vị."""
    from .report import report_units, write_reports
    from .workspace import Workspace

    with domain_errors():
        camp = Workspace(workspace).campaign(campaign)
        if unit is not None and unit not in camp.roster:
            raise click.BadParameter(f"đơn vị '{unit}' không thuộc đợt báo cáo {camp.id}",
                                     param_hint="--unit")
        if out:
            out.mkdir(parents=True, exist_ok=True)
        results = write_reports(camp, report_units(camp, unit, all_units), out)
    for r in results:
        click.echo(f"{r.rollup.unit.name}: {r.workbook}")
        for f in r.rollup.mismatches:
            click.echo(f"  - Chênh lệch: {f.message}")


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path),
                default=Path("demo"))
def demo(folder: Path) -> None:
    """Chạy thử cả quy trình trên dữ liệu mẫu tỉnh Bắc Kạn (8 huyện, 108 xã)."""
    from .demo import run_demo

    with domain_errors():
        result = run_demo(folder, say=click.echo)
    for campaign in result.campaigns:
        click.echo(f"Bảng tổng hợp – {campaign.spec.title}:")
        for code, path in result.workbooks[campaign.id].items():
            click.echo(f"  {campaign.roster[code].name}: {path}")
    click.echo(f"Xem tình hình nộp: consolidate status -w {result.workspace} "
               f"--campaign {result.campaigns[0].id}")


if __name__ == "__main__":
    main()

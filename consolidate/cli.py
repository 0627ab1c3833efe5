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

from consolidate import __version__

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
    from consolidate.core.errors import ConsolidateError
    from consolidate.core.roster import RosterError
    from consolidate.core.spec import SpecError

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
    from consolidate.core.workspace import init_campaign

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
    from consolidate.core.workspace import Workspace
    from consolidate.forms.generate import generate_forms

    with domain_errors():
        camp = Workspace(workspace).campaign(campaign)
        if out:
            out.mkdir(parents=True, exist_ok=True)
        with camp.workspace.lock(), progress(len(camp.roster), "Đang tạo biểu mẫu") as update:
            paths = generate_forms(camp, out, progress=update)
    click.echo(f"Đã tạo {len(paths)} biểu mẫu trong {paths[0].parent}.")


@main.command()
@WorkspaceOption
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
def ingest(workspace: Path, paths: tuple[Path, ...], as_json: bool) -> None:
    """Tiếp nhận các tệp báo cáo (mặc định: thư mục WS/inbox)."""
    from consolidate.core.workspace import Workspace
    from consolidate.intake.ingest import collect_files
    from consolidate.intake.ingest import ingest as run_ingest

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
        warned = len({f.file for f in report.findings if f.severity == "warning"}
                     - {f.file for f in report.errors})
        click.echo(f"Đã xử lý {s['files']} tệp: tiếp nhận {s['accepted']}"
                   + (f" ({warned} tệp có lưu ý)" if warned else "")
                   + f", từ chối {s['rejected']}, trùng lặp {s['duplicate']}.")
        if any(f.severity != "info" for f in report.findings):
            click.echo(f"Phiếu góp ý gửi lại các đơn vị: {ws.path / 'feedback'}")
    # exit code: 0 all accepted (warnings allowed), 1 some file rejected
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
    from consolidate.core.workspace import Workspace
    from consolidate.intake.status import unit_status

    with domain_errors():
        camp = Workspace(workspace).campaign(campaign)
        frame = unit_status(camp, unit)
    if as_json:
        click.echo(frame.to_json(orient="records", force_ascii=False, indent=2))
        return
    counts = frame["status"].value_counts()
    closed = " – ĐÃ CHỐT SỐ LIỆU" if camp.workspace.store.closed_at(camp.id) else ""
    click.echo(f"Đợt báo cáo {camp.id} – hạn nộp {camp.deadline_text() or 'không đặt'}{closed}")
    shown = frame.rename(columns={"code": "Mã", "name": "Đơn vị", "status": "Tình trạng",
                                  "received_at": "Thời điểm nhận", "versions": "Số tệp",
                                  "note": "Ghi chú"})
    shown["Thời điểm nhận"] = shown["Thời điểm nhận"].str.replace("T", " ").str[:16]
    click.echo(shown[["Mã", "Đơn vị", "Tình trạng", "Thời điểm nhận", "Số tệp", "Ghi chú"]]
               .to_string(index=False))
    click.echo("Xem các bản đã nhận của một đơn vị: consolidate history --unit MÃ")
    click.echo("Tổng số: " + "; ".join(f"{k} {v}" for k, v in counts.items()))


@main.command()
@WorkspaceOption
@CampaignOption
@click.option("--unit", default=None, help="Đơn vị cần tổng hợp (mặc định: đơn vị chủ trì).")
@click.option("--all", "all_units", is_flag=True,
              help="Tổng hợp cho đơn vị chủ trì và mọi đơn vị có cấp dưới.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục ghi báo cáo (mặc định: WS/reports/<đợt>).")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Mẫu báo cáo Word (.docx) thay cho mẫu có sẵn trong thư mục templates/.")
@click.option("--pdf", is_flag=True, help="Chuyển báo cáo Word sang PDF (cần LibreOffice).")
def report(workspace: Path, campaign: str | None, unit: str | None, all_units: bool,
           out: Path | None, template: Path | None, pdf: bool) -> None:
    """Tạo bảng tổng hợp (.xlsx) và báo cáo Word (.docx, tùy chọn PDF) cho một đơn vị."""
    from consolidate.core.workspace import Workspace
    from consolidate.outputs.workbook import report_units, write_reports

    with domain_errors():
        camp = Workspace(workspace).campaign(campaign)
        if unit is not None and unit not in camp.roster:
            raise click.BadParameter(f"đơn vị '{unit}' không thuộc đợt báo cáo {camp.id}",
                                     param_hint="--unit")
        if out:
            out.mkdir(parents=True, exist_ok=True)
        with camp.workspace.lock():  # one run at a time per workspace
            results = write_reports(camp, report_units(camp, unit, all_units), out,
                                    template=template, pdf=pdf)
    for r in results:
        # the workbook's "Tên: tệp" line stays last, as scripts read it
        click.echo(f"{r.rollup.unit.name} – báo cáo Word → {r.document}")
        if r.pdf:
            click.echo(f"{r.rollup.unit.name} – báo cáo PDF → {r.pdf}")
        click.echo(f"{r.rollup.unit.name}: {r.workbook}")
        for f in r.rollup.mismatches:
            click.echo(f"  - Chênh lệch: {f.message}")


@main.command()
@WorkspaceOption
@CampaignOption
@click.option("--unit", required=True, help="Mã đơn vị cần xem lịch sử, ví dụ 01840.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
def history(workspace: Path, campaign: str | None, unit: str, as_json: bool) -> None:
    """Các bản báo cáo đơn vị đã gửi: thời điểm, tệp, bản nào được tính, thay đổi giữa các bản."""
    from consolidate.core.workspace import Workspace
    from consolidate.intake.history import diff, versions

    with domain_errors():
        camp = Workspace(workspace).campaign(campaign)
        if unit not in camp.roster:
            raise click.BadParameter(f"đơn vị '{unit}' không thuộc đợt báo cáo {camp.id}",
                                     param_hint="--unit")
        items = versions(camp, unit)
        accepted = [v for v in items if v.submission is not None]
        changes = [(a, b, diff(camp, a.submission, b.submission))
                   for a, b in zip(accepted, accepted[1:], strict=False)]
        closing = camp.workspace.store.closed_at(camp.id)
    if as_json:
        click.echo(json.dumps({
            "unit": unit, "closed": bool(closing),
            "versions": [v.to_dict() for v in items],
            "changes": [{"from": a.sha256, "to": b.sha256, "changes": [c.to_dict() for c in d]}
                        for a, b, d in changes],
        }, ensure_ascii=False, indent=2))
        return
    click.echo(f"Đơn vị {camp.unit_label(unit)} – đợt {camp.id}"
               + (" – ĐÃ CHỐT SỐ LIỆU" if closing else ""))
    if not items:
        click.echo("Chưa nhận được tệp nào của đơn vị này.")
        return
    for n, v in enumerate(items, start=1):
        mark = "ĐƯỢC TÍNH" if v.counts else ("bị từ chối" if v.status == "rejected" else
                                             "nhận sau khi chốt, chưa tính" if v.held else
                                             "không tính (đã có bản khác)")
        extra = " [chọn cố định]" if v.pinned else ""
        via = f", qua báo cáo tổng hợp của {v.via}" if v.via else ""
        click.echo(f"{n}. {v.received_at.replace('T', ' ')[:16]}  {v.name}  "
                   f"(mã tệp {v.sha256[:12]}{via}) – {mark}{extra}")
        others = [x for x in v.names if x != v.name]
        if others:
            click.echo(f"   cũng nhận với tên: {', '.join(others)}")
        for f in v.findings:
            if f["severity"] != "info":
                click.echo(f"   - {f['message']}")
    for a, b, d in changes:
        click.echo(f"Thay đổi từ bản {a.sha256[:12]} sang bản {b.sha256[:12]}:")
        for c in d or []:
            where = f" ({c.sheet}!{c.cell})" if c.cell else ""
            click.echo(f"   {c.element}{where}: {c.old} → {c.new}")
        if not d:
            click.echo("   không có thay đổi số liệu")


@main.command()
@WorkspaceOption
@CampaignOption
@click.option("--unit", required=True, help="Mã đơn vị.")
@click.option("--file", "ref", default=None,
              help="Mã tệp (SHA-256, ít nhất 6 ký tự) hoặc tên tệp của bản cần dùng.")
@click.option("--clear", is_flag=True, help="Bỏ chọn cố định: dùng lại bản nhận sau cùng.")
def pin(workspace: Path, campaign: str | None, unit: str, ref: str | None, clear: bool) -> None:
    """Chọn cố định một bản báo cáo (có thể là bản cũ) để tính cho đơn vị."""
    from consolidate.core.workspace import Workspace
    from consolidate.intake.history import pin as do_pin

    if not clear and not ref:
        raise click.UsageError("cần --file MÃ_TỆP|TÊN_TỆP hoặc --clear")
    with domain_errors():
        camp = Workspace(workspace).campaign(campaign)
        sha = do_pin(camp, unit, None if clear else ref)
    if sha:
        click.echo(f"Đơn vị {unit}: dùng bản từ tệp mã {sha[:12]} cho đến khi bỏ chọn "
                   f"(consolidate pin --unit {unit} --clear).")
    else:
        click.echo(f"Đơn vị {unit}: dùng bản nhận sau cùng.")


@main.command()
@WorkspaceOption
@CampaignOption
def close(workspace: Path, campaign: str | None) -> None:
    """Chốt số liệu: tệp nhận sau đó vẫn được lưu nhưng không được tính cho đến khi mở lại."""
    from consolidate.core.workspace import Workspace
    from consolidate.intake.history import close as do_close

    with domain_errors():
        camp = Workspace(workspace).campaign(campaign)
        do_close(camp)
    click.echo(f"Đã chốt số liệu đợt báo cáo {camp.id}. Mở lại: consolidate reopen -w {workspace}")


@main.command()
@WorkspaceOption
@CampaignOption
def reopen(workspace: Path, campaign: str | None) -> None:
    """Mở lại đợt báo cáo đã chốt: các tệp nhận trong thời gian chốt được tính."""
    from consolidate.core.workspace import Workspace
    from consolidate.intake.history import reopen as do_reopen

    with domain_errors():
        camp = Workspace(workspace).campaign(campaign)
        held = do_reopen(camp)
    click.echo(f"Đã mở lại đợt báo cáo {camp.id}; {held} tệp nhận trong thời gian chốt "
               "nay được tính.")


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path),
                default=Path("demo"))
def demo(folder: Path) -> None:
    """Chạy thử cả quy trình trên dữ liệu mẫu tỉnh Bắc Kạn (8 huyện, 108 xã)."""
    from consolidate.demo import run_demo

    with domain_errors():
        result = run_demo(folder, say=click.echo)
    for campaign in result.campaigns:
        click.echo(f"Bảng tổng hợp – {campaign.spec.title}:")
        for code, path in result.workbooks[campaign.id].items():
            click.echo(f"  {campaign.roster[code].name}: {path}")
        click.echo(f"Báo cáo Word – {campaign.spec.title}:")
        for code, path in result.documents.get(campaign.id, {}).items():
            pdf = result.pdfs.get(campaign.id, {}).get(code)
            click.echo(f"  {campaign.roster[code].name}: {path}" + (f" (PDF: {pdf.name})"
                                                                     if pdf else ""))
    click.echo(f"Xem tình hình nộp: consolidate status -w {result.workspace} "
               f"--campaign {result.campaigns[0].id}")


if __name__ == "__main__":
    main()

"""The ``consolidate`` command: a thin click layer over :mod:`consolidate.api`.

Each command parses its options, calls one API verb and prints the result in
Vietnamese, or with ``--json`` the result's ``to_dict()``. Exit codes: 0 done, 1 when
something was rejected or the command was refused, 2 for wrong usage (click's own,
in Vietnamese through :mod:`consolidate.cli_texts`). Whatever breaks (a damaged store,
a full disk, a permission denied) is one Vietnamese line; tracebacks only with
``--debug``. Progress bars are drawn only on a terminal.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click

from consolidate import __version__, cli_texts
from consolidate.core.errors import ConsolidateError, Finding, Severity, finding
from consolidate.core.vocabulary import when_text

if TYPE_CHECKING:
    from consolidate import api
else:
    class _LazyApi(ModuleType):
        """The API, imported on first use: ``--help`` and usage errors stay instant
        (the engine pulls in pandas, openpyxl and the roster)."""

        def __getattr__(self, name: str) -> Any:
            from consolidate import api as engine

            return getattr(engine, name)

    api = _LazyApi("consolidate.api")

cli_texts.install()

WorkspaceOption = click.option(
    "-w", "--workspace", "workspace", type=click.Path(file_okay=False, path_type=Path),
    default=".", show_default=True, metavar="THƯ_MỤC", help="Thư mục làm việc của đợt báo cáo.",
)
CampaignOption = click.option(
    "--campaign", default=None, metavar="MÃ_ĐỢT",
    help="Mã đợt báo cáo (mặc định: đợt tạo gần nhất).",
)
JsonOption = click.option("--json", "as_json", is_flag=True,
                          help="In kết quả dạng JSON cho chương trình khác.")


class Context:
    debug = False


# --------------------------------------------------------------------------- errors and output


#: What the system says, in Vietnamese (its own words are English).
OS_ERRORS = {
    errno.ENOTDIR: "một phần của đường dẫn là tệp, không phải thư mục",
    errno.EISDIR: "là thư mục, không phải tệp",
    errno.EEXIST: "đã có tệp hoặc thư mục cùng tên",
    errno.EROFS: "ổ đĩa chỉ cho phép đọc",
    errno.EBUSY: "đang được chương trình khác sử dụng",
    errno.ENAMETOOLONG: "tên tệp quá dài",
}


def _os_finding(exc: OSError) -> Finding:
    path = exc.filename or ""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return finding("permission-denied", path=path)
    if exc.errno == errno.ENOSPC:
        return finding("disk-full", path=path)
    if exc.errno == errno.ENOENT:
        return finding("path-missing", path=path)
    detail = OS_ERRORS.get(exc.errno or 0, f"mã lỗi {errno.errorcode.get(exc.errno or 0, '?')}")
    return finding("os-error", path=path, detail=detail)


def _refusal(exc: Exception) -> Finding:
    """What went wrong, as one finding: the engine's refusal, or what the system said."""
    if isinstance(exc, ConsolidateError):
        return exc.finding
    if isinstance(exc, OSError):
        return _os_finding(exc)
    if isinstance(exc, sqlite3.DatabaseError):
        return finding("store-damaged", path="consolidate.sqlite", detail=str(exc))
    return finding("internal-error", detail=f"{type(exc).__name__}: {exc}")


def _fail(problem: Finding, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"valid": False, "error": problem.to_dict(),
                               "findings": [problem.to_dict()]}, ensure_ascii=False, indent=2))
    else:
        click.echo(f"Lỗi: {problem.message}", err=True)
    sys.exit(1)


def verb(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command: refusals and system errors become one Vietnamese line (or JSON), exit 1."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - every failure is said, never a traceback
            if Context.debug:
                raise
            _fail(_refusal(exc), kwargs.get("as_json", False))

    return run


def emit(result: api.Result, as_json: bool, show: Callable[[Any], None]) -> None:
    """Print a result as text or JSON; exit 1 when something in it was rejected."""
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        show(result)
    sys.exit(int(not result.valid))


@contextmanager
def progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on a terminal, drawn once the API says how much there is to do;
    nothing in scripts and logs."""
    bars: list[Any] = []
    shown = [0]

    def update(done: int, total: int) -> None:
        if not bars:
            if not sys.stderr.isatty() or total < 2:
                return
            bars.append(click.progressbar(length=total, label=label, file=sys.stderr))
            bars[0].__enter__()
        bars[0].update(done - shown[0])
        shown[0] = done

    try:
        yield update
    finally:
        if bars:
            bars[0].__exit__(None, None, None)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    from consolidate.core.settings import parse_date

    day = parse_date(value)
    if day is not None:
        return day
    raise click.BadParameter(f"'{value}' không phải ngày dạng 2024-07-03 hoặc 03/07/2024")


def _print_findings(findings: list[Finding]) -> None:
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    for name, items in by_file.items():
        if name:
            click.echo(f"{name}:")
        for f in items:
            where = f"trang '{f.sheet}': " if f.sheet else ""
            click.echo(f"  - {f.severity.label}: {where}{f.message}")


# --------------------------------------------------------------------------- commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="consolidate")
@click.option("--debug", is_flag=True, help="Hiện chi tiết lỗi kỹ thuật (traceback).")
def main(debug: bool) -> None:
    """Tổng hợp báo cáo công tác trẻ em: biểu mẫu, tiếp nhận, tổng hợp, báo cáo."""
    Context.debug = debug


@main.command()
@WorkspaceOption
@click.option("--form", "form", required=True, metavar="MÃ_BIỂU_MẪU",
              help="Mã biểu mẫu, ví dụ thang-hanh-dong.")
@click.option("--period", required=True, metavar="KỲ",
              help="Kỳ báo cáo: 2025, \"6 tháng đầu năm 2025\", \"quý I/2025\", \"tháng 3/2025\".")
@click.option("--unit", required=True, metavar="MÃ_ĐƠN_VỊ",
              help="Mã đơn vị chủ trì đợt báo cáo, ví dụ 058.")
@click.option("--deadline", default=None, callback=_date, metavar="NGÀY",
              help="Hạn nộp, ví dụ 2024-07-03.")
@click.option("--roster", default=None, metavar="DANH_MỤC",
              help="Danh mục đơn vị: 2024 (3 cấp, mặc định), 2025 (2 cấp) hoặc tệp CSV/XLSX.")
@click.option("--signer", default=None, metavar="HỌ_TÊN", help="Người ký báo cáo.")
@click.option("--cutoff", default=None, callback=_date, metavar="NGÀY",
              help="Thời gian chốt số liệu (mặc định: ngày 14 tháng cuối kỳ).")
@click.option("--contact", default=None, metavar="NGƯỜI_LIÊN_HỆ",
              help="Người liên hệ ghi trên biểu mẫu, ví dụ \"Chị Lan, 0209 3870 123\".")
@JsonOption
@verb
def init(workspace: Path, form: str, period: str, unit: str, deadline: dt.date | None,
         roster: str | None, signer: str | None, cutoff: dt.date | None, contact: str | None,
         as_json: bool) -> None:
    """Tạo đợt báo cáo trong thư mục làm việc."""
    result = api.init(workspace, form, period, unit, deadline, roster, signer,
                      {"cutoff": cutoff, "contact": contact})

    def show(r: api.InitResult) -> None:
        c = r.campaign
        click.echo(f"Đã tạo đợt báo cáo {c.id}: {c.spec.title} {c.period_label}, "
                   f"{c.root_unit.name} và {len(c.roster) - 1} đơn vị trực thuộc.")
        if c.cutoff_text():
            click.echo(f"Thời gian chốt số liệu: {c.cutoff_text()}; hạn nộp: "
                       f"{c.deadline_text() or 'chưa đặt'}. Thay đổi: consolidate settings "
                       f"-w {workspace} --campaign {c.id}")

    emit(result, as_json, show)


@main.command()
@WorkspaceOption
@CampaignOption
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="THƯ_MỤC", help="Thư mục ghi biểu mẫu (mặc định: WS/forms/<đợt>).")
@JsonOption
@verb
def forms(workspace: Path, campaign: str | None, out: Path | None, as_json: bool) -> None:
    """Tạo biểu mẫu trống cho đơn vị chủ trì và mọi đơn vị trực thuộc."""
    with progress("Đang tạo biểu mẫu") as update:
        result = api.forms(workspace, campaign, out, progress=update)
    emit(result, as_json, lambda r: click.echo(
        f"Đã tạo {len(r.paths)} biểu mẫu trong {r.folder}."))


@main.command()
@WorkspaceOption
@click.argument("paths", nargs=-1, metavar="[TỆP_HOẶC_THƯ_MỤC]...",
                type=click.Path(exists=True, path_type=Path))
@JsonOption
@verb
def ingest(workspace: Path, paths: tuple[Path, ...], as_json: bool) -> None:
    """Tiếp nhận các tệp báo cáo (mặc định: thư mục WS/inbox)."""
    with progress("Đang tiếp nhận") as update:
        result = api.ingest(workspace, list(paths) or None, progress=update)

    def show(r: api.IngestResult) -> None:
        _print_findings(r.findings)
        s = r.report.stats
        errors = {f.file for f in r.findings if f.is_error}
        warned = len({f.file for f in r.findings if f.severity is Severity.WARNING} - errors)
        click.echo(f"Đã xử lý {s['files']} tệp: tiếp nhận {s['accepted']}"
                   + (f" ({warned} tệp có lưu ý)" if warned else "")
                   + f", từ chối {s['rejected']}, trùng lặp {s['duplicate']}.")
        if any(f.severity is not Severity.INFO for f in r.findings):
            click.echo(f"Phiếu góp ý gửi lại các đơn vị: {r.feedback_folder}")

    emit(result, as_json, show)


STATUS_COLUMNS = {"code": "Mã", "name": "Đơn vị", "status": "Tình trạng",
                  "received_at": "Thời điểm nhận", "versions": "Số tệp", "note": "Ghi chú"}
MAIL_STATUS_COLUMNS = {"sent_at": "Gửi biểu mẫu", "reminders": "Số lần nhắc",
                       "answered_at": "Trả lời", "answered_from": "Từ địa chỉ"}
TIMES = ("received_at", "sent_at", "answered_at")


def _status_cell(unit: dict[str, Any], key: str) -> Any:
    """A status cell as the officer reads it: times as dd/mm/yyyy hh:mm, blanks empty."""
    value = unit[key]
    return when_text(value) if key in TIMES and value else value


@main.command()
@WorkspaceOption
@CampaignOption
@click.option("--unit", default=None, metavar="MÃ_ĐƠN_VỊ",
              help="Chỉ xem đơn vị này và các đơn vị trực thuộc.")
@click.option("--chase", is_flag=True,
              help="Chỉ các đơn vị chưa nộp hoặc bị từ chối, kèm địa chỉ e-mail để nhắc.")
@JsonOption
@verb
def status(workspace: Path, campaign: str | None, unit: str | None, chase: bool,
           as_json: bool) -> None:
    """Tình hình nộp báo cáo: đã nộp, nộp muộn, chưa nộp, bị từ chối."""
    result = api.status(workspace, campaign, unit, chase)

    def show(r: api.StatusResult) -> None:
        import pandas as pd  # only for the aligned text table

        closed = " – ĐÃ CHỐT SỐ LIỆU" if r.closed else ""
        click.echo(f"Đợt báo cáo {r.campaign} – hạn nộp {r.deadline or 'không đặt'}{closed}")
        columns = {**STATUS_COLUMNS}
        if any(u["sent_at"] or u["answered_at"] for u in r.units):
            columns = {**columns, **MAIL_STATUS_COLUMNS}
        if chase:
            columns = {**columns, "email": "E-mail"}
        rows = [{label: _status_cell(u, key) for key, label in columns.items()}
                for u in r.units]
        if rows:
            click.echo(pd.DataFrame(rows).to_string(index=False))
        if chase:
            click.echo(f"Còn {len(rows)} đơn vị cần nhắc. Gửi thư nhắc: "
                       f"consolidate send -w {workspace} --remind")
        else:
            click.echo("Xem các bản đã nhận của một đơn vị: consolidate history --unit MÃ")
        click.echo("Tổng số: " + "; ".join(f"{k} {v}" for k, v in r.counts.items()))

    emit(result, as_json, show)


@main.command()
@WorkspaceOption
@CampaignOption
@click.option("--unit", default=None, metavar="MÃ_ĐƠN_VỊ",
              help="Đơn vị cần tổng hợp (mặc định: đơn vị chủ trì).")
@click.option("--all", "all_units", is_flag=True,
              help="Tổng hợp cho đơn vị chủ trì và mọi đơn vị có cấp dưới.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="THƯ_MỤC", help="Thư mục ghi báo cáo (mặc định: WS/reports/<đợt>).")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="MẪU.docx",
              help="Mẫu báo cáo Word (.docx) thay cho mẫu có sẵn của biểu mẫu.")
@click.option("--pdf", is_flag=True, help="Chuyển báo cáo Word sang PDF (cần LibreOffice).")
@JsonOption
@verb
def report(workspace: Path, campaign: str | None, unit: str | None, all_units: bool,
           out: Path | None, template: Path | None, pdf: bool, as_json: bool) -> None:
    """Tạo bảng tổng hợp (.xlsx) và báo cáo Word (.docx, tùy chọn PDF) cho một đơn vị."""
    result = api.report(workspace, campaign, unit, all_units, out, template, pdf)

    def show(r: api.ReportResult) -> None:
        if r.findings:  # first: the workbook's "Tên: tệp" line stays last, as scripts read it
            click.echo("Điểm cần kiểm tra trước khi ký:")
            _print_findings(r.findings)
        for item in r.reports:
            click.echo(f"{item.name} – báo cáo Word → {item.document}")
            if item.pdf:
                click.echo(f"{item.name} – báo cáo PDF → {item.pdf}")
            click.echo(f"{item.name}: {item.workbook}")

    emit(result, as_json, show)


def _version_mark(v: Any) -> str:
    if v.counts:
        return "ĐƯỢC TÍNH"
    if v.status == "rejected":
        return "bị từ chối"
    return "nhận sau khi chốt, chưa tính" if v.held else "không tính (đã có bản khác)"


def _show_history(r: api.HistoryResult) -> None:
    click.echo(f"Đơn vị {r.label} – đợt {r.campaign}" + (" – ĐÃ CHỐT SỐ LIỆU" if r.closed else ""))
    if not r.versions:
        click.echo("Chưa nhận được tệp nào của đơn vị này.")
        return
    for n, v in enumerate(r.versions, start=1):
        extra = " [chọn cố định]" if v.pinned else ""
        via = f", qua báo cáo tổng hợp của {v.via}" if v.via else ""
        click.echo(f"{n}. {when_text(v.received_at)}  {v.name}  "
                   f"(mã tệp {v.sha256[:12]}{via}) – {_version_mark(v)}{extra}")
        others = [x for x in v.names if x != v.name]
        if others:
            click.echo(f"   cũng nhận với tên: {', '.join(others)}")
        for f in v.findings:
            item = f if isinstance(f, Finding) else Finding.from_dict(f)
            if item.severity is not Severity.INFO:
                click.echo(f"   - {item.message}")
    for a, b, d in r.changes:
        click.echo(f"Thay đổi từ bản {a.sha256[:12]} sang bản {b.sha256[:12]}:")
        for c in d:
            where = f" ({c.sheet}!{c.cell})" if c.cell else ""
            click.echo(f"   {c.element}{where}: {c.old} → {c.new}")
        if not d:
            click.echo("   không có thay đổi số liệu")


@main.command()
@WorkspaceOption
@CampaignOption
@click.option("--unit", required=True, metavar="MÃ_ĐƠN_VỊ",
              help="Mã đơn vị cần xem lịch sử, ví dụ 01840.")
@JsonOption
@verb
def history(workspace: Path, campaign: str | None, unit: str, as_json: bool) -> None:
    """Các bản báo cáo đơn vị đã gửi: thời điểm, tệp, bản nào được tính, thay đổi giữa các bản."""
    emit(api.history(workspace, unit, campaign), as_json, _show_history)


@main.command()
@WorkspaceOption
@CampaignOption
@click.option("--unit", required=True, metavar="MÃ_ĐƠN_VỊ", help="Mã đơn vị.")
@click.option("--file", "ref", default=None, metavar="MÃ_TỆP|TÊN_TỆP",
              help="Mã tệp (SHA-256, ít nhất 6 ký tự) hoặc tên tệp của bản cần dùng.")
@click.option("--clear", is_flag=True, help="Bỏ chọn cố định: dùng lại bản nhận sau cùng.")
@JsonOption
@verb
def pin(workspace: Path, campaign: str | None, unit: str, ref: str | None, clear: bool,
        as_json: bool) -> None:
    """Chọn cố định một bản báo cáo (có thể là bản cũ) để tính cho đơn vị."""
    if not clear and not ref:
        raise click.UsageError("cần --file MÃ_TỆP|TÊN_TỆP hoặc --clear")
    result = api.pin(workspace, unit, None if clear else ref, campaign)

    def show(r: api.PinResult) -> None:
        if r.sha256:
            click.echo(f"Đơn vị {r.unit}: dùng bản từ tệp mã {r.sha256[:12]} cho đến khi bỏ chọn "
                       f"(consolidate pin --unit {r.unit} --clear).")
        else:
            click.echo(f"Đơn vị {r.unit}: dùng bản nhận sau cùng.")

    emit(result, as_json, show)


@main.command()
@WorkspaceOption
@CampaignOption
@JsonOption
@verb
def close(workspace: Path, campaign: str | None, as_json: bool) -> None:
    """Chốt số liệu: tệp nhận sau đó vẫn được lưu nhưng không được tính cho đến khi mở lại."""
    emit(api.close(workspace, campaign), as_json, lambda r: click.echo(
        f"Đã chốt số liệu đợt báo cáo {r.campaign}. Mở lại: consolidate reopen -w {workspace}"))


@main.command()
@WorkspaceOption
@CampaignOption
@JsonOption
@verb
def reopen(workspace: Path, campaign: str | None, as_json: bool) -> None:
    """Mở lại đợt báo cáo đã chốt: các tệp nhận trong thời gian chốt được tính."""
    emit(api.reopen(workspace, campaign), as_json, lambda r: click.echo(
        f"Đã mở lại đợt báo cáo {r.campaign}; {r.held} tệp nhận trong thời gian chốt "
        "nay được tính."))


@main.command()
@click.argument("folder", required=False, metavar="[THƯ_MỤC]",
                type=click.Path(file_okay=False, path_type=Path), default=Path("demo"))
@JsonOption
@verb
def demo(folder: Path, as_json: bool) -> None:
    """Chạy thử cả quy trình trên dữ liệu mẫu tỉnh Bắc Kạn (8 huyện, 108 xã)."""
    result = api.demo(folder, say=(lambda _: None) if as_json else click.echo)

    def show(r: api.DemoResult) -> None:
        for campaign in r.campaigns:
            made = r.reports[campaign.id].reports
            click.echo(f"Bảng tổng hợp – {campaign.spec.title}:")
            for item in made:
                click.echo(f"  {item.name}: {item.workbook}")
            click.echo(f"Báo cáo Word – {campaign.spec.title}:")
            for item in made:
                pdf = f" (PDF: {item.pdf.name})" if item.pdf else ""
                click.echo(f"  {item.name}: {item.document}{pdf}")
        click.echo(f"Xem tình hình nộp: consolidate status -w {r.workspace} "
                   f"--campaign {r.campaigns[0].id}")

    emit(result, as_json, show)


# registers the settings, contacts, letter, send, collect, export and serve commands
from consolidate import (  # noqa: E402, F401
    cli_collect,
    cli_contacts,
    cli_export,
    cli_send,
    cli_serve,
    cli_settings,
)

if __name__ == "__main__":
    main()

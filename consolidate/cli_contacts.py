"""``consolidate contacts`` and ``consolidate letter``: who the forms go to, and the letter
that goes with them (issue 11, parts 1 and 2).

Kept apart from :mod:`consolidate.cli` (which imports it to register the commands), as
:mod:`consolidate.cli_settings` is.
"""

from __future__ import annotations

from pathlib import Path

import click

from consolidate.cli import (
    CampaignOption,
    JsonOption,
    WorkspaceOption,
    _print_findings,
    api,
    emit,
    main,
    verb,
)


def _show_contacts(r: api.ContactsResult) -> None:
    if r.findings:
        _print_findings(r.findings)
    if r.source:
        click.echo(f"Đã lưu địa chỉ thư của {r.stored} đơn vị từ tệp {r.source}.")
    if r.template:
        click.echo(f"Đã ghi danh bạ để điền: {r.template} ({len(r.units)} đơn vị; điền vào các "
                   "ô màu vàng rồi nhập lại bằng consolidate contacts -w THƯ_MỤC TỆP)")
        return
    for u in r.units:
        who = ", ".join(x for x in (u["officer"], u["phone"]) if x)
        click.echo(f"  {u['code']}  {u['name']}: {u['text']}" + (f" ({who})" if who else ""))
    missing = len(r.missing)
    click.echo(f"Đợt {r.campaign}: {len(r.units) - missing}/{len(r.units)} đơn vị có địa chỉ thư"
               + (f"; {missing} đơn vị chưa có địa chỉ (send sẽ liệt kê, không gửi được)."
                  if missing else "."))


@main.command()
@WorkspaceOption
@CampaignOption
@click.argument("path", required=False, metavar="[TỆP]",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="TỆP.xlsx", help="Ghi bảng danh bạ mọi đơn vị của đợt để điền địa chỉ.")
@JsonOption
@verb
def contacts(workspace: Path, campaign: str | None, path: Path | None, template: Path | None,
             as_json: bool) -> None:
    """Danh bạ thư điện tử của các đơn vị: nhập từ tệp, xuất bảng để điền, hoặc xem.

    \b
    TỆP (.csv hoặc .xlsx) có dòng tiêu đề với cột mã (code), thư điện tử (email) và nếu có
    họ tên (name), điện thoại (phone) của cán bộ phụ trách. Nhiều địa chỉ trong một ô cách
    nhau bằng dấu ; hoặc , : địa chỉ đầu là người nhận chính, các địa chỉ sau được gửi đồng
    thời (Cc). Không có TỆP: liệt kê địa chỉ từng đơn vị (danh sách lệnh send dùng).
    Ví dụ: consolidate contacts -w bao-cao danh-ba.xlsx
    """
    result = api.contacts(workspace, campaign, path, template)
    emit(result, as_json, _show_contacts)


def _show_letter(r: api.LetterResult) -> None:
    click.echo(f"Đã ghi công văn đề nghị báo cáo kèm đề cương: {r.document}")
    if r.pdf:
        click.echo(f"Bản PDF: {r.pdf}")


@main.command()
@WorkspaceOption
@CampaignOption
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="THƯ_MỤC", help="Thư mục ghi công văn (mặc định: WS/forms/<đợt>).")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="MẪU.docx", help="Mẫu công văn Word (.docx) thay cho mẫu có sẵn.")
@click.option("--pdf", is_flag=True, help="Chuyển công văn sang PDF (cần LibreOffice).")
@JsonOption
@verb
def letter(workspace: Path, campaign: str | None, out: Path | None, template: Path | None,
           pdf: bool, as_json: bool) -> None:
    """Công văn đề nghị báo cáo gửi các đơn vị cấp dưới, kèm đề cương báo cáo.

    \b
    Đề cương (các mục, các biểu với dòng tiêu đề) lấy từ biểu mẫu của đợt; hạn nộp, thời
    gian chốt số liệu, người liên hệ, người ký lấy từ thiết lập (consolidate settings).
    Ví dụ: consolidate letter -w bao-cao --pdf
    """
    emit(api.letter(workspace, campaign, out, template, pdf), as_json, _show_letter)

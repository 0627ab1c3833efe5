"""``consolidate settings``: a campaign's settings, listed or changed (KEY=VALUE …).

Kept apart from :mod:`consolidate.cli` (which imports it to register the command) so the
CLI module stays one screenful per job; the keys and labels come from
:data:`consolidate.core.settings.SETTINGS` through the API.
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


def _changes(pairs: tuple[str, ...]) -> dict[str, str]:
    """KEY=VALUE arguments as a dict; a list value is separated by ';'."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{pair}' không có dạng KHÓA=GIÁ_TRỊ, ví dụ "
                                     "deadline=2025-07-03", param_hint="KHÓA=GIÁ_TRỊ")
        out[key.strip()] = value
    return out


def _show_settings(r: api.SettingsResult) -> None:
    c = r.campaign
    for change in r.changes:
        d = change.to_dict()
        click.echo(f"Đã đổi {d['label']}: {d['old_text'] or 'chưa đặt'} → "
                   f"{d['new_text'] or 'bỏ trống'}")
    if r.changes and r.findings:
        _print_findings(r.findings)
    if r.changes:
        return
    click.echo(f"Đợt báo cáo {c.id}: {c.spec.title} {c.period_label}, {c.root_unit.name} "
               "(biểu mẫu, kỳ, đơn vị chủ trì và danh mục không đổi được; cần đợt mới)")
    values = r.values
    for key, item in api.SETTINGS.items():
        text = api.value_text(key, values[key])
        if key == "cutoff" and not text and c.cutoff:
            text = f"{c.cutoff_text()} (mặc định theo kỳ báo cáo)"
        click.echo(f"  {item.label} ({key}): {text or 'chưa đặt'}")
    click.echo(f"Thay đổi: consolidate settings -w THƯ_MỤC --campaign {c.id} KHÓA=GIÁ_TRỊ … "
               "(danh sách cách nhau bằng dấu ;, để trống để bỏ)")


@main.command()
@WorkspaceOption
@CampaignOption
@click.argument("pairs", nargs=-1, metavar="[KHÓA=GIÁ_TRỊ]...")
@JsonOption
@verb
def settings(workspace: Path, campaign: str | None, pairs: tuple[str, ...],
             as_json: bool) -> None:
    """Xem hoặc thay đổi thiết lập của đợt báo cáo: hạn nộp, chốt số liệu, người ký …

    \b
    Khóa: deadline (hạn nộp), cutoff (thời gian chốt số liệu), contact (người liên hệ),
    signer (người ký), signer_title (chức vụ), sign_for (TM., KT. …), parent_body (cơ quan
    chủ quản), place (địa danh), number (số văn bản), symbol (ký hiệu), report_date (ngày
    báo cáo), basis (căn cứ), recipients (nơi nhận), archive (lưu).
    Ví dụ: consolidate settings deadline=10/07/2025 "recipients=UBND tỉnh;Sở Y tế"
    """
    changes = _changes(pairs)
    result = api.settings(workspace, campaign, changes)
    if changes and not result.changes and not as_json:
        click.echo("Không có thiết lập nào thay đổi (giá trị mới giống giá trị cũ).")
    emit(result, as_json, _show_settings)

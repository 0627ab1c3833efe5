"""``consolidate export``: every accepted figure of the workspace as one tidy table.

Kept apart from :mod:`consolidate.cli` (which imports it to register the command); the
table is built and written by :func:`consolidate.api.export`.
"""

from __future__ import annotations

from pathlib import Path

import click

from consolidate.cli import JsonOption, WorkspaceOption, _print_findings, api, emit, main, verb

FORMATS = {"csv": ("csv",), "parquet": ("parquet",), "all": ("csv", "parquet")}


@main.command()
@WorkspaceOption
@click.option("--campaign", default=None, metavar="MÃ_ĐỢT",
              help="Chỉ xuất một đợt báo cáo (mặc định: mọi đợt trong thư mục).")
@click.option("--unit", default=None, metavar="MÃ_ĐƠN_VỊ",
              help="Chỉ đơn vị này và các đơn vị trực thuộc; với --rollup: đơn vị tổng hợp "
              "(mặc định: đơn vị chủ trì của đợt).")
@click.option("--rollup", is_flag=True,
              help="Xuất số liệu tổng hợp của đơn vị (cùng dạng bảng) thay vì số liệu từng "
              "đơn vị gửi.")
@click.option("--all-versions", "all_versions", is_flag=True,
              help="Gồm cả các bản đã được thay thế (cột counted là false).")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default=None,
              metavar="DẠNG", help="csv, parquet hoặc all (mặc định: CSV, và Parquet nếu "
              "đã cài pyarrow).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="THƯ_MỤC", help="Thư mục ghi tệp (mặc định: THƯ_MỤC_LÀM_VIỆC/exports).")
@JsonOption
@verb
def export(workspace: Path, campaign: str | None, unit: str | None, rollup: bool,
           all_versions: bool, fmt: str | None, out: Path | None, as_json: bool) -> None:
    """Xuất mọi số liệu đã tiếp nhận thành một bảng (CSV mở bằng Excel, Parquet).

    \b
    Mỗi dòng là một số liệu: đợt, kỳ, đơn vị và các cấp trên, biểu, dòng, cột, giá trị,
    đơn vị tính, tệp và ô nguồn, thời điểm nhận. Dùng để so sánh các năm, các đơn vị
    bằng bảng tổng hợp (PivotTable) của Excel, pandas hoặc DuckDB.
    Ví dụ: consolidate export -w bac-kan; consolidate export --rollup --unit 058
    """
    result = api.export(workspace, campaign, unit, rollup, FORMATS[fmt] if fmt else None,
                        all_versions, out)

    def show(r: api.ExportResult) -> None:
        what = "số liệu tổng hợp" if rollup else "số liệu"
        click.echo(f"Đã xuất {r.rows} dòng {what} của {len(r.campaigns)} đợt báo cáo "
                   f"({', '.join(r.campaigns)}):")
        for path in r.paths:
            click.echo(f"  {path}")
        _print_findings(r.findings)

    emit(result, as_json, show)

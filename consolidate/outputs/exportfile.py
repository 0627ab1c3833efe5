"""Writing the tidy table: CSV that Excel opens with Vietnamese intact, and Parquet.

CSV: UTF-8 with a byte-order mark (Excel reads a CSV without one in the computer's
legacy code page and breaks every Vietnamese letter), comma-separated, numbers with a
"." decimal point and no thousands separator (whole numbers without ".0"), times as
"2024-07-01 09:00:00" (Excel and LibreOffice show them as dates). A text that begins
with = + - @ (a row label such as "- Trẻ em nam") is written after one space, so Excel
does not take it for a formula (#NAME?); Parquet keeps every text exactly.

Parquet: through pyarrow, an optional extra (``pip install "consolidate[export]"``);
without it the Parquet format is refused with a message saying how to install it.
Files are written whole under a temporary name, then renamed.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from consolidate.core.errors import ConsolidateError
from consolidate.core.files import atomic_write

FORMATS = ("csv", "parquet")
FORMULA_START = ("=", "+", "-", "@")
BOM = "\ufeff".encode()
TEXT_COLUMNS = ("unit_name", "row_label", "column_label", "text", "table_title", "form_title",
                "via_name", "file_name")


def write(frame: pd.DataFrame, path_stem: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write ``frame`` as ``<stem>.csv`` and/or ``<stem>.parquet``; the paths written.
    Parquet is checked for first, so a refusal writes nothing."""
    if "parquet" in formats:
        require_pyarrow()
    written = []
    for fmt in formats:
        path = path_stem.with_suffix(f".{fmt}")
        atomic_write(path, csv_bytes(frame) if fmt == "csv" else parquet_bytes(frame))
        written.append(path)
    return written


def require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise ConsolidateError("export-parquet-missing") from exc


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as CSV for Excel and for pandas (``encoding="utf-8-sig"``)."""
    out = frame.copy()
    for name in TEXT_COLUMNS:
        if name in out:
            out[name] = _defuse(out[name])
    try:
        return BOM + _arrow_csv(out)
    except ImportError:
        return BOM + _pandas_csv(out)


def _arrow_csv(frame: pd.DataFrame) -> bytes:
    """By pyarrow's writer (a country's table in about a second): texts quoted, numbers
    and times bare; times to the second."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if "received_at" in frame:
        at = table.schema.get_field_index("received_at")
        table = table.set_column(at, "received_at",
                                 table.column(at).cast(pa.timestamp("s"), safe=False))
    buffer = io.BytesIO()
    pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(quoting_style="needed"))
    return buffer.getvalue()


def _pandas_csv(frame: pd.DataFrame) -> bytes:
    """By pandas, when pyarrow is not installed (a few times slower): the same values,
    quoted only where needed."""
    out = frame.copy()
    out["value"] = number_text(frame["value"])
    if "received_at" in out:
        out["received_at"] = frame["received_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    if "counted" in out:
        out["counted"] = np.where(frame["counted"], "true", "false")
    return out.to_csv(index=False).encode("utf-8")


def number_text(values: pd.Series) -> pd.Series:
    """Numbers as text a machine reads back exactly: 700, 4930000, 1.7123287671232876."""
    whole = values.notna() & np.isfinite(values) & (values % 1 == 0) & (values.abs() < 2**53)
    out = pd.Series("", index=values.index, dtype=object)
    out[whole] = values[whole].astype("int64").astype(str)
    rest = values.notna() & ~whole
    out[rest] = values[rest].map(repr)
    return out


def _defuse(values: pd.Series) -> pd.Series:
    """One space before a text Excel would read as a formula."""
    text = values.astype("string")
    risky = text.str.startswith(FORMULA_START).fillna(False).astype(bool)
    return values.where(~risky, " " + text)


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """The table as Parquet (pyarrow), every column typed: numbers float64, times
    timestamps, everything else text."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", index=False)
    return buffer.getvalue()

"""Findings and reports: every problem a run meets, collected rather than raised.

Each finding has a stable kebab-case ``code``, a severity, a location (file,
sheet, cell) and a Vietnamese message built from the catalogue's template, so a
commune clerk reads what to fix and a script reads the code. A ``Report`` groups
the findings of one run; the CLI exits ``int(not report.valid)``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"
INFO = "info"

#: code -> (severity, Vietnamese message template). Templates use str.format fields.
CATALOGUE: dict[str, tuple[str, str]] = {
    "file-unreadable": (ERROR, "Không mở được tệp như một bảng tính Excel: {detail}"),
    "file-empty": (ERROR, "Tệp rỗng (0 byte)"),
    "file-duplicate": (INFO, "Tệp này đã được tiếp nhận trước đó ({detail}); không có gì thay đổi"),
    "metadata-missing": (
        ERROR,
        "Không tìm thấy thông tin nhận dạng của biểu mẫu (trang ẩn _meta). "
        "Hãy nhập số liệu vào đúng tệp biểu mẫu đã được gửi, không sao chép sang tệp mới",
    ),
    "form-mismatch": (
        ERROR, "Biểu mẫu '{found}' không thuộc đợt báo cáo này; cần biểu mẫu '{expected}'"
    ),
    "form-version-mismatch": (
        ERROR, "Biểu mẫu phiên bản {found}, nhưng đợt báo cáo dùng phiên bản {expected}; "
        "hãy dùng biểu mẫu mới nhất đã được gửi"
    ),
    "period-mismatch": (ERROR, "Kỳ báo cáo là '{found}', nhưng đợt này là kỳ '{expected}'"),
    "unit-unknown": (
        ERROR, "Mã đơn vị '{found}' không thuộc địa bàn của đợt báo cáo ({expected})"
    ),
    "campaign-unknown": (
        ERROR, "Không có đợt báo cáo '{found}' trong thư mục làm việc; các đợt hiện có: {expected}"
    ),
    "sheet-missing": (
        ERROR, "Không tìm thấy trang '{expected}' của biểu mẫu (có thể đã bị xóa hoặc thay thế)"
    ),
    "row-missing": (
        ERROR, "Không tìm thấy dòng '{expected}' trong bảng (dòng có thể đã bị xóa)"
    ),
    "column-missing": (
        ERROR, "Không tìm thấy cột '{expected}' trong bảng (cột có thể đã bị xóa)"
    ),
    "value-not-number": (
        ERROR, "Ô {cell} ({label}): giá trị \"{found}\" không đọc được chắc chắn; cần {expected}"
    ),
    "value-in-computed-cell": (
        WARNING, "Ô {cell} ({label}) là dòng được tổng hợp từ cấp dưới; giá trị \"{found}\" "
        "đã nhập vào đây không được tính"
    ),
    "check-error": (ERROR, "{rule}: {detail}"),
    "check-warning": (WARNING, "{rule}: {detail}"),
    "rate-inconsistent": (
        WARNING, "{label}: kết quả đơn vị ghi là {found}, nhưng tính từ số liệu "
        "({parts} × {scale}) được {expected}"
    ),
    "value-changed": (
        WARNING, "{label}: {found}, thay đổi hơn {factor} lần so với năm trước ({expected}); "
        "đề nghị kiểm tra lại"
    ),
    "rollup-mismatch": (
        WARNING, "{label}: đơn vị báo cáo {found}, nhưng cộng từ số liệu chi tiết được {expected}"
    ),
    # ---- checks before parsing (safety.py)
    "file-too-large": (
        ERROR, "Tệp quá lớn ({found}); biểu mẫu chỉ được {expected}. Tệp không được mở để "
        "đọc; hãy gửi lại đúng tệp biểu mẫu"
    ),
    "file-damaged": (
        ERROR, "Tệp bị hỏng hoặc không đầy đủ (có thể do tải về hoặc đính kèm bị lỗi): {detail}. "
        "Hãy gửi lại tệp"
    ),
    "file-encrypted": (
        ERROR, "Tệp được đặt mật khẩu nên không đọc được; hãy gỡ mật khẩu (Tệp > Thông tin > "
        "Bảo vệ sổ làm việc) rồi gửi lại"
    ),
    "zip-bomb": (
        ERROR, "Tệp có cấu trúc nén bất thường ({detail}), có thể gây treo máy; "
        "tệp không được mở. Hãy gửi lại đúng tệp biểu mẫu"
    ),
    "xml-unsafe": (
        ERROR, "Tệp chứa nội dung XML không an toàn ({detail}); tệp không được mở. "
        "Hãy gửi lại đúng tệp biểu mẫu"
    ),
    "macros-ignored": (
        WARNING, "Tệp có chứa macro (VBA); macro không được chạy và không được sao chép, "
        "chỉ số liệu được đọc. Lần sau hãy lưu dạng .xlsx"
    ),
    "token-missing": (
        WARNING, "Biểu mẫu không có mã xác thực (có thể là biểu mẫu cũ); không kiểm tra được "
        "biểu mẫu có đúng là của đơn vị '{found}' hay không"
    ),
    "token-foreign": (
        WARNING, "Biểu mẫu do nơi khác phát hành (không phải biểu mẫu do đơn vị tổng hợp này "
        "gửi); không kiểm tra được mã xác thực của đơn vị '{found}'"
    ),
    "token-mismatch": (
        ERROR, "Biểu mẫu ghi mã đơn vị '{found}' nhưng mã xác thực không khớp: biểu mẫu đã bị "
        "sửa thông tin nhận dạng hoặc là biểu mẫu của đơn vị khác; cần dùng đúng biểu mẫu "
        "đã được gửi cho đơn vị"
    ),
    # ---- cells (safety.cell_findings)
    "formula-in-input": (
        WARNING, "Ô {cell} ({label}) chứa công thức \"{found}\"; đã lấy giá trị \"{value}\" "
        "mà Excel tính sẵn. Nên nhập trực tiếp số liệu"
    ),
    "formula-without-value": (
        ERROR, "Ô {cell} ({label}) chứa công thức \"{found}\" nhưng không có giá trị đã tính; "
        "cần nhập trực tiếp số liệu"
    ),
    "cell-error-value": (
        ERROR, "Ô {cell} ({label}) có giá trị lỗi {found}; cần nhập số liệu"
    ),
    "input-cell-moved": (
        ERROR, "Ô {cell} ({label}) không còn định dạng của biểu mẫu: các ô của dòng này có thể "
        "đã bị xóa và dịch chuyển sang trái nên số liệu không chắc còn đúng cột; cần nhập lại "
        "dòng này trên biểu mẫu gốc (không dùng lệnh xóa ô)"
    ),
    "merged-input-cells": (
        ERROR, "Các ô {cell} ({label}, …) đã bị gộp nên số liệu của các ô bị gộp bị mất; "
        "cần bỏ gộp ô và nhập riêng từng ô"
    ),
    # ---- history (history.py)
    "unit-resubmitted": (
        INFO, "Đơn vị đã gửi báo cáo trước đó ({detail}); báo cáo nhận sau cùng được tính"
    ),
    "campaign-closed": (
        WARNING, "Đợt báo cáo đã chốt số liệu; tệp được lưu nhưng không được tính vào tổng hợp "
        "cho đến khi mở lại đợt báo cáo"
    ),
    "version-pinned": (
        WARNING, "Cán bộ tổng hợp đã chọn cố định một bản báo cáo của đơn vị ({detail}); tệp "
        "mới được lưu nhưng không được tính cho đến khi bỏ chọn"
    ),
}


@dataclass(frozen=True)
class Finding:
    """One problem, where it is, and what was found versus expected."""

    code: str
    message: str
    severity: str = ERROR
    file: str = ""
    sheet: str = ""
    cell: str = ""
    unit: str = ""
    found: str = ""
    expected: str = ""

    @property
    def location(self) -> str:
        parts = [p for p in (self.file, f"trang '{self.sheet}'" if self.sheet else "",
                             f"ô {self.cell}" if self.cell else "") if p]
        return ", ".join(parts)

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


def finding(code: str, *, file: str = "", sheet: str = "", cell: str = "", unit: str = "",
            found: object = "", expected: object = "", **fields: Any) -> Finding:
    """Build a finding from the catalogue, so messages stay uniform and Vietnamese."""
    severity, template = CATALOGUE[code]
    text_found = "" if found is None else str(found)
    message = template.format(found=text_found, expected=expected, cell=cell, **fields)
    return Finding(code, message, severity, file, sheet, cell, unit, text_found, str(expected))


@dataclass
class Report:
    """The findings of one run, plus the counts a user wants to see at the end."""

    findings: list[Finding] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    def add(self, items: Finding | list[Finding]) -> None:
        self.findings.extend(items if isinstance(items, list) else [items])

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "stats": self.stats,
            "findings": [f.to_dict() for f in self.findings],
        }


class ConsolidateError(Exception):
    """A domain error the CLI turns into a one-line Vietnamese message and exit code 1."""

"""One error model for everything that can go wrong, in the frictionless manner.

Every problem, whether a finding in a received file (a cell that cannot be read, a check
that fails) or the refusal of a command (an unknown campaign, a damaged store, a bad
spec), is a :class:`Finding`: a stable kebab-case ``code``, a :class:`Severity`, and its
``fields`` kept as data (file, sheet, cell, unit, found, expected, rule, …). The
Vietnamese ``message`` is the catalogue's template filled with those fields, so a clerk
reads what to fix and a script reads the code and the fields (``--json``). Findings of a
run are collected in a :class:`Report`; a refusal is raised as a
:class:`ConsolidateError` that carries its finding. The CLI exits ``int(not valid)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from consolidate.core.numbers import format_typed


class Severity(StrEnum):
    """How much a problem matters: an error rejects, a warning is shown, info is noted."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        """As an officer reads it."""
        return {"error": "LỖI", "warning": "Cảnh báo", "info": "Ghi chú"}[self.value]


ERROR = Severity.ERROR
WARNING = Severity.WARNING
INFO = Severity.INFO

#: code -> (default severity, Vietnamese message template). Templates use str.format fields.
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
    "period-mismatch": (
        ERROR, "Biểu mẫu của kỳ báo cáo {found_label}, nhưng đợt này là kỳ {expected_label}"
    ),
    "unit-unknown": (
        ERROR, "Mã đơn vị '{found}' không thuộc địa bàn của đợt báo cáo ({expected})"
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
        ERROR, "Ô {cell} ({label}): giá trị \"{found}\" {reason}; cần {expected}"
    ),
    "value-in-computed-cell": (
        WARNING, "Ô {cell} ({label}) là ô màu xám, không phải ô nhập số liệu của đơn vị (do cấp "
        "trên tổng hợp hoặc không áp dụng cho cấp này); giá trị \"{found}\" đã nhập vào đây "
        "không được tính; cần {expected}"
    ),
    "total-mismatch": (
        WARNING, "Ô {cell} ({label}) là dòng tổng cộng, được tính tự động từ các dòng trên; "
        "giá trị \"{found}\" đã nhập vào đây khác tổng các dòng ({expected}) và không được "
        "tính: số liệu được tính là tổng các dòng. Nếu tổng đúng là {found}, hãy sửa số liệu "
        "ở các dòng trên"
    ),
    "total-without-parts": (
        ERROR, "Ô {cell} ({label}) là dòng tổng cộng, được tính tự động; giá trị \"{found}\" "
        "đã nhập vào đây trong khi các dòng trên đều để trống nên số liệu này sẽ bị mất; cần "
        "nhập số liệu vào {expected} (ô màu vàng), không nhập vào dòng tổng cộng"
    ),
    "text-outside-input": (
        WARNING, "Ô {cell} có nội dung \"{found}\", khác biểu mẫu gốc (ở đây biểu mẫu gốc là "
        "{expected}); nội dung ngoài các ô nhập số liệu không được đọc. Nếu đây là số liệu, hãy "
        "nhập vào đúng ô màu vàng"
    ),
    "form-blank": (
        ERROR, "Biểu mẫu chưa nhập số liệu: không có ô nào được nhập số liệu hoặc nội dung, "
        "nên tệp không được tính là báo cáo (tệp vẫn được lưu). Hãy nhập số liệu vào các ô "
        "màu vàng (không có thì nhập 0 hoặc \"-\") rồi gửi lại"
    ),
    "form-no-input": (
        ERROR, "Không có ô nhập số liệu (ô màu vàng) nào có số liệu: các giá trị đã nhập ở ô "
        "khác ({detail}) không được tính, nên tệp không được tính là báo cáo (tệp vẫn được "
        "lưu). Hãy nhập số liệu vào các ô màu vàng rồi gửi lại"
    ),
    "check-failed": (ERROR, "{rule_message}: {detail}"),
    "rate-inconsistent": (
        WARNING, "{label}: {found}{symbol} đơn vị tự tính; tính lại từ {parts} = "
        "{expected}{symbol}"
    ),
    "rollup-rate-inconsistent": (
        WARNING, "{label}: {found}{symbol} đơn vị tự tính; tính lại từ số liệu các đơn vị "
        "trực thuộc {parts} = {expected}{symbol}"
    ),
    "value-changed": (
        WARNING, "{label}: {found}, thay đổi hơn {factor} lần so với năm trước ({expected}); "
        "đề nghị kiểm tra lại"
    ),
    "report-no-data": (
        WARNING, "{unit}: chưa nhận được báo cáo nào ({expected} đơn vị chưa nộp, kể cả chính "
        "đơn vị); báo cáo Word và bảng tổng hợp chưa có số liệu. Hãy tiếp nhận các tệp "
        "(consolidate ingest) rồi tạo lại báo cáo"
    ),
    "report-partial": (
        WARNING, "{unit}: số liệu mới gồm báo cáo của {found}/{expected} đơn vị cấp dưới; {detail}"
    ),
    "rollup-mismatch": (
        WARNING, "{label}: đơn vị báo cáo {found}, nhưng cộng từ số liệu chi tiết được {expected}"
    ),
    # ---- checks before parsing (intake/container.py)
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
    # ---- cells (intake/cells.py)
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
    # ---- on arrival (intake/ingest.py)
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
    # ---- replies read from a mailbox (mail/collect.py)
    "mail-no-attachment": (
        WARNING, "Thư của {sender} ngày {date} (\"{subject}\") không có tệp đính kèm; hãy đề "
        "nghị đơn vị gửi lại biểu mẫu đã điền"
    ),
    "mail-attachment-left": (
        WARNING, "Tệp đính kèm {file} trong thư của {sender} ngày {date} không phải bảng tính "
        "({detail}), để lại trong thư, không tiếp nhận"
    ),
    "mail-sender-unexpected": (
        WARNING, "Báo cáo của {unit_name} được gửi từ địa chỉ {found}, không phải địa chỉ của "
        "đơn vị ({expected}); tệp vẫn được tiếp nhận, hãy xác nhận với đơn vị"
    ),
    "mail-zip-refused": (
        ERROR, "Không mở tệp nén {file} trong thư của {sender}: {detail}; hãy đề nghị đơn vị "
        "gửi riêng tệp Excel"
    ),
    "mail-message-unreadable": (
        ERROR, "Không đọc được thư {found} ({detail}); thư được để nguyên trong hộp thư"
    ),
    # ---- refusals of a command (raised as ConsolidateError, exit code 1)
    "workspace-missing": (
        ERROR, "Thư mục {path} chưa có đợt báo cáo nào; hãy chạy 'consolidate init' trước"
    ),
    "workspace-not-folder": (ERROR, "{path} là một tệp, không phải thư mục làm việc"),
    "workspace-busy": (
        ERROR, "Thư mục {path} đang được một lệnh khác sử dụng; hãy chờ lệnh đó kết thúc"
    ),
    "store-damaged": (
        ERROR, "Tệp dữ liệu {path} bị hỏng hoặc không phải tệp dữ liệu của consolidate "
        "({detail}); hãy khôi phục thư mục làm việc từ bản sao lưu"
    ),
    "secret-damaged": (ERROR, "Tệp khóa {path} bị hỏng; hãy khôi phục từ bản sao lưu"),
    "campaign-unknown": (
        ERROR, "Không có đợt báo cáo '{found}' trong thư mục làm việc; các đợt hiện có: {expected}"
    ),
    "campaign-exists": (
        ERROR, "Đợt báo cáo {campaign} đã có trong thư mục làm việc nên không tạo lại (các biểu "
        "mẫu đã gửi vẫn theo thiết lập cũ). Xem và thay đổi hạn nộp, người ký …: "
        "consolidate settings -w {path} --campaign {campaign}"
    ),
    "period-invalid": (
        ERROR, "Không hiểu kỳ báo cáo '{found}'; hãy ghi theo một trong các dạng: {expected}"
    ),
    "date-before-period": (
        ERROR, "{label} {found} ở trước {expected}; hãy kiểm tra lại năm và kỳ báo cáo"
    ),
    "setting-unknown": (
        ERROR, "Không có thiết lập '{found}'; các thiết lập của đợt báo cáo: {expected}"
    ),
    "setting-fixed": (
        ERROR, "Không thay đổi được {label} của đợt báo cáo đã tạo; hãy tạo đợt báo cáo mới "
        "bằng 'consolidate init'"
    ),
    "setting-invalid": (ERROR, "{label}: giá trị '{found}' không hợp lệ; cần {expected}"),
    "setting-not-on-forms": (
        WARNING, "{label} đã đổi ({detail}) nhưng {count} biểu mẫu đã tạo trong {path} vẫn ghi "
        "giá trị cũ: hãy tạo lại bằng 'consolidate forms' rồi gửi lại cho các đơn vị, hoặc "
        "báo cho các đơn vị biết thay đổi này"
    ),
    "setting-deadline-received": (
        INFO, "Đã nhận {count} tệp; tình trạng đúng hạn hay nộp muộn của các tệp này được tính "
        "lại theo hạn nộp mới"
    ),
    "campaign-closed-already": (ERROR, "Đợt báo cáo {campaign} đã được chốt số liệu từ trước"),
    "campaign-not-closed": (ERROR, "Đợt báo cáo {campaign} chưa chốt số liệu"),
    "unit-not-in-roster": (
        ERROR, "Không có đơn vị mã '{found}' trong danh mục đơn vị đã chọn"
    ),
    "unit-moved": (ERROR, "Không có đơn vị mã '{found}' trong {roster}: {detail}"),
    "export-parquet-missing": (
        ERROR, "Chưa cài thư viện pyarrow để ghi tệp Parquet; cài bằng lệnh: "
        "pip install \"consolidate[export]\" (hoặc pip install pyarrow), hoặc xuất CSV: "
        "--format csv"
    ),
    "export-parquet-skipped": (
        INFO, "Chỉ ghi tệp CSV: chưa cài thư viện pyarrow để ghi thêm tệp Parquet "
        "(cài bằng lệnh: pip install \"consolidate[export]\")"
    ),
    "unit-not-in-campaign": (ERROR, "Đơn vị '{found}' không thuộc đợt báo cáo {campaign}"),
    "version-unknown": (
        ERROR, "Không có bản báo cáo nào của đơn vị {unit} được tiếp nhận từ tệp '{found}'; "
        "xem danh sách: consolidate history --unit {unit}"
    ),
    "version-ambiguous": (
        ERROR, "'{found}' trùng với {count} tệp của đơn vị {unit}; hãy ghi mã tệp (SHA-256) dài hơn"
    ),
    "spec-invalid": (ERROR, "Biểu mẫu {where}: {detail}"),
    "spec-unknown": (
        ERROR, "Không tìm thấy biểu mẫu '{found}' (các biểu mẫu có sẵn: {expected})"
    ),
    "roster-invalid": (ERROR, "{where}{detail}"),
    "contacts-file-invalid": (ERROR, "Tệp danh bạ {file}: {detail}"),
    "contact-missing-code": (
        ERROR, "Dòng {row}: có địa chỉ thư '{found}' nhưng thiếu mã đơn vị ({expected})"
    ),
    "contact-unknown-unit": (
        ERROR, "Dòng {row}: mã đơn vị '{found}' không thuộc đợt báo cáo {campaign} ({expected})"
    ),
    "contact-code-ambiguous": (
        ERROR, "Dòng {row}: mã '{found}' (có thể đã mất số 0 ở đầu khi gõ trong Excel) ứng với "
        "nhiều đơn vị: {expected}; hãy ghi đủ mã dạng văn bản"
    ),
    "contact-email-invalid": (
        ERROR, "Dòng {row}: địa chỉ thư của đơn vị {unit} không hợp lệ: '{found}' "
        "({expected}); dòng này chưa được lưu"
    ),
    "contact-duplicate": (
        ERROR, "Dòng {row}: đơn vị {unit} đã có ở dòng {first}; dòng này bị bỏ qua "
        "(mỗi đơn vị một dòng)"
    ),
    "contact-code-padded": (
        INFO, "Dòng {row}: mã '{found}' được hiểu là đơn vị {expected} (Excel bỏ số 0 ở đầu)"
    ),
    "roster-unknown": (
        ERROR, "Không có danh mục đơn vị '{found}'. Chọn 2024 (danh mục chính thức trước sắp "
        "xếp, 3 cấp: tỉnh, huyện, xã), 2025 (sau sắp xếp, 2 cấp: tỉnh, xã), hoặc đường dẫn tới "
        "tệp danh mục riêng .csv/.xlsx (cột code, name, level, parent, email){detail}"
    ),
    "template-invalid": (ERROR, "Mẫu báo cáo {file}: {detail}"),
    "pdf-failed": (ERROR, "Không chuyển được báo cáo sang PDF: {detail}"),
    "mail-config-missing": (
        ERROR, "Chưa khai báo máy chủ gửi thư: hãy ghi host và sender (địa chỉ gửi) vào {file} "
        "(mục [smtp]) hoặc dùng --host và --sender; xem README"
    ),
    "mail-config-invalid": (ERROR, "Tệp cấu hình thư {file} không đúng: {detail}"),
    "mail-password-in-file": (
        ERROR, "Tệp {file} có khóa password: không được lưu mật khẩu trong thư mục làm việc. "
        "Hãy xóa dòng đó; mật khẩu lấy từ biến môi trường CONSOLIDATE_SMTP_PASSWORD (gửi thư), "
        "CONSOLIDATE_IMAP_PASSWORD (nhận thư) hoặc được hỏi khi chạy lệnh"
    ),
    "mail-insecure": (
        ERROR, "Không gửi thư không mã hóa (security = none) tới máy chủ {found}: mật khẩu và "
        "báo cáo sẽ đi qua mạng không được bảo vệ. Dùng starttls (cổng 587) hoặc ssl (cổng 465)"
    ),
    "mail-password-missing": (
        ERROR, "Chưa có mật khẩu cho tài khoản thư {found}: đặt biến môi trường "
        "CONSOLIDATE_SMTP_PASSWORD hoặc nhập khi được hỏi"
    ),
    "mail-connect-failed": (
        ERROR, "Không kết nối được máy chủ gửi thư {found}: {detail}. Hãy kiểm tra host, cổng, "
        "kiểu bảo mật (starttls/ssl) và mạng; chưa thư nào được gửi"
    ),
    "mail-auth-failed": (
        ERROR, "Máy chủ {expected} không chấp nhận tài khoản {found} ({detail}). Gmail, Outlook "
        "và nhiều dịch vụ khác cần mật khẩu ứng dụng (app password), không phải mật khẩu đăng "
        "nhập; xem README"
    ),
    "mail-template-invalid": (ERROR, "Mẫu thư {file} không dùng được: {detail}"),
    "mail-no-address": (
        WARNING, "{name} (mã {unit}) chưa có địa chỉ e-mail: chưa gửi. Thêm địa chỉ bằng "
        "consolidate contacts hoặc cột email của danh mục đơn vị"
    ),
    "mail-form-missing": (
        ERROR, "Chưa có biểu mẫu của {name} (mã {unit}) tại {file}: chưa gửi. Hãy chạy "
        "consolidate forms trước"
    ),
    "mail-letter-missing": (
        WARNING, "Chưa có công văn đề nghị báo cáo (tệp .docx có tên \"Cong_van\") trong {file}: "
        "thư được gửi chỉ kèm biểu mẫu"
    ),
    "mail-recipient-refused": (
        ERROR, "Máy chủ thư từ chối gửi tới {found} ({name}, mã {unit}): {detail}. Hãy kiểm "
        "tra địa chỉ; các đơn vị khác vẫn được gửi"
    ),
    "mail-connection-lost": (
        ERROR, "Mất kết nối với máy chủ thư {found} khi gửi cho {name} (mã {unit}): {detail}. "
        "Đã gửi {count} thư trong lần chạy này (đã ghi lại); chạy lại lệnh để gửi tiếp cho các "
        "đơn vị còn lại"
    ),
    "path-missing": (ERROR, "Không tìm thấy {path}"),
    "permission-denied": (
        ERROR, "Không có quyền đọc hoặc ghi {path}; hãy kiểm tra quyền truy cập thư mục"
    ),
    "disk-full": (
        ERROR, "Ổ đĩa đã đầy, không ghi được {path}; hãy giải phóng dung lượng rồi chạy lại"
    ),
    "os-error": (ERROR, "Lỗi hệ thống khi xử lý {path}: {detail}"),
    "mail-settings-missing": (
        ERROR, "Chưa có thiết lập hộp thư IMAP ({detail}): hãy ghi mục [imap] trong tệp {path} "
        "hoặc dùng các tùy chọn --host, --user (xem README)"
    ),
    "mail-settings-invalid": (ERROR, "Thiết lập hộp thư trong {path} không hợp lệ: {detail}"),
    "imap-password-missing": (
        ERROR, "Chưa có mật khẩu hộp thư: hãy đặt biến môi trường {found} hoặc nhập khi được hỏi"
    ),
    "imap-connect-failed": (
        ERROR, "Không kết nối được máy chủ thư {host}:{port} ({detail}); hãy kiểm tra địa chỉ "
        "máy chủ, cổng, kiểu bảo mật và mạng"
    ),
    "mail-login-failed": (
        ERROR, "Máy chủ thư {host} từ chối đăng nhập của {found} ({detail}); Gmail, Outlook "
        "và các dịch vụ tương tự cần mật khẩu ứng dụng, không phải mật khẩu thường"
    ),
    "mail-folder-unknown": (
        ERROR, "Không có thư mục '{found}' trong hộp thư {user} ({detail})"
    ),
    "internal-error": (
        ERROR, "Lỗi không mong đợi ({detail}); hãy chạy lại với --debug và gửi nội dung cho "
        "người hỗ trợ kỹ thuật"
    ),
}


#: Fields every finding has, empty when they do not apply: where it is and what was found.
LOCATION_FIELDS = ("file", "sheet", "cell", "unit", "found", "expected")



@dataclass(frozen=True)
class Finding:
    """One problem: its code, its severity and its fields; the message is derived."""

    code: str
    severity: Severity
    fields: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity(self.severity))

    def __getattr__(self, name: str) -> str:
        """``f.file``, ``f.cell``, ``f.rule`` …: any field, '' when absent."""
        if name.startswith("__"):
            raise AttributeError(name)
        return self.fields.get(name, "")

    @property
    def message(self) -> str:
        template = CATALOGUE[self.code][1]
        return template.format_map(_Blank(self.fields))

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def location(self) -> str:
        parts = [self.file, f"trang '{self.sheet}'" if self.sheet else "",
                 f"ô {self.cell}" if self.cell else ""]
        return ", ".join(p for p in parts if p)

    def to_dict(self) -> dict[str, str]:
        """Code, severity, message and every field, flat: what ``--json`` and the store keep."""
        out = {"code": self.code, "severity": self.severity.value, "message": self.message}
        out.update({k: "" for k in LOCATION_FIELDS})
        out.update(self.fields)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """A finding read back from the store (unknown codes keep their stored message)."""
        fields = {k: str(v) for k, v in data.items() if k not in ("code", "severity", "message")}
        code = str(data.get("code", "internal-error"))
        if code not in CATALOGUE:
            fields, code = {**fields, "detail": str(data.get("message", ""))}, "internal-error"
        return cls(code, Severity(data.get("severity", "error")), fields)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)
    return format_typed(value)


#: What a template field reads when a finding lacks it (findings stored before it existed).
FIELD_DEFAULTS = {"reason": "không đọc được chắc chắn"}


class _Blank(dict):
    """Template fields that a finding lacks read as their default or empty, never failing."""

    def __missing__(self, key: str) -> str:
        return FIELD_DEFAULTS.get(key, "")


def finding(code: str, *, severity: Severity | str | None = None, **fields: Any) -> Finding:
    """A finding from the catalogue; fields are kept as text (None reads as empty).

    A value is kept as the clerk sees it in Excel (:func:`format_typed`): calamine reads a
    typed -1 as -1.0 and 2,5 as 2.5, and a message quoting "-1.0" is not what was typed.
    """
    default, _ = CATALOGUE[code]
    kept = {k: _as_text(v) for k, v in fields.items()}
    return Finding(code, Severity(severity or default), kept)



@dataclass
class Report:
    """The findings of one run, plus the counts a user wants to see at the end."""

    findings: list[Finding] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not any(f.is_error for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    def add(self, items: Finding | Iterable[Finding]) -> None:
        self.findings.extend([items] if isinstance(items, Finding) else items)

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "stats": self.stats,
            "findings": [f.to_dict() for f in self.findings],
        }


class ConsolidateError(Exception):
    """A command refused: carries one finding; the CLI prints its message and exits 1."""

    def __init__(self, code: str, **fields: Any):
        self.finding = finding(code, **fields)
        super().__init__(self.finding.message)

    @property
    def code(self) -> str:
        return self.finding.code

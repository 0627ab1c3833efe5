"""The Flask application: its safety rules, its error pages and its Vietnamese formatting.

Safety is decided here once, for every page:

* only loopback clients (``127.0.0.1``, ``::1``) are served, and only under a loopback host
  name (a web page elsewhere cannot rebind its name to this server), unless the officer
  started the server with ``--allow-remote``;
* every POST carries the CSRF token of this server's session (a per-server random secret
  signs the session), else 403;
* a request body is at most ``MAX_CONTENT_LENGTH`` bytes and ``MAX_FILES`` files, else 413
  with a Vietnamese message;
* any exception becomes a Vietnamese error page; the server goes on serving.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, abort, render_template, request, session
from werkzeug.exceptions import HTTPException

from consolidate.core.errors import ConsolidateError
from consolidate.core.numbers import format_number
from consolidate.core.vocabulary import when_text

#: One upload request: a province's forms are a few MB; the ingest refuses files over 20 MB.
MAX_CONTENT_LENGTH = 100 * 1024 * 1024
MAX_FILES = 300
LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

#: What an HTTP refusal means, as the officer reads it.
HTTP_TEXTS = {
    400: "Yêu cầu không hợp lệ.",
    403: "Yêu cầu bị từ chối: trang đã cũ hoặc không gửi từ trang của chương trình. "
         "Hãy tải lại trang rồi làm lại.",
    404: "Không tìm thấy trang hoặc tệp này.",
    405: "Thao tác này không dùng được theo cách đó.",
    413: "Tải lên quá lớn: tối đa {max_mb} MB và {max_files} tệp mỗi lần. "
         "Hãy chia thành nhiều lần.",
}
#: Refusals that mean "no such thing here" rather than "you asked wrongly".
NOT_FOUND_CODES = frozenset({"campaign-unknown", "unit-not-in-campaign", "workspace-missing"})

log = logging.getLogger(__name__)


def create_app(workspace: str | Path, allow_remote: bool = False,
               **config: Any) -> Flask:
    """The page for one workspace folder; ``config`` overrides Flask settings (tests)."""
    app = Flask(__name__)
    app.config.update(
        WORKSPACE=Path(workspace).resolve(), ALLOW_REMOTE=allow_remote,
        SECRET_KEY=secrets.token_bytes(32), MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        MAX_FILES=MAX_FILES, MAX_FORM_PARTS=MAX_FILES + 50,
        SESSION_COOKIE_NAME=f"consolidate-{secrets.token_hex(4)}",
        SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_HTTPONLY=True,
        TRUSTED_HOSTS=None if allow_remote else LOOPBACK_HOSTS,
    )
    app.config.update(config)
    app.jinja_env.filters.update(when=when_text, num=_num)
    app.jinja_env.globals.update(csrf_token=csrf_token)
    app.before_request(_refuse_unsafe)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ConsolidateError, _refusal)
    app.register_error_handler(Exception, _crash)
    _register_pages(app)
    return app


def _register_pages(app: Flask) -> None:
    from consolidate.web import pages_campaigns, pages_intake, pages_mail, pages_reports

    for module in (pages_campaigns, pages_intake, pages_reports, pages_mail):
        app.register_blueprint(module.pages)


# --------------------------------------------------------------------------- safety


def csrf_token() -> str:
    """This session's token, made on first use; every form of the page carries it."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return str(session[CSRF_FIELD])


def _refuse_unsafe() -> None:
    from flask import current_app

    if not current_app.config["ALLOW_REMOTE"] and request.remote_addr not in LOOPBACK_ADDRESSES:
        abort(403)
    if request.method == "POST":
        expected = session.get(CSRF_FIELD, "")
        given = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
        if not expected or not hmac.compare_digest(str(expected), str(given)):
            abort(403)
        if len(request.files.getlist("files")) > current_app.config["MAX_FILES"]:
            abort(413)


# --------------------------------------------------------------------------- errors


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _error_page(message: str, status: int, title: str = "Không thực hiện được") -> Any:
    if _wants_json():
        return {"error": message}, status
    try:
        return render_template("error.html", title=title, message=message), status
    except Exception:  # noqa: BLE001 - e.g. a host name refused: no page to link from
        return f"{title}: {message}", status, {"Content-Type": "text/plain; charset=utf-8"}


def _http_error(exc: HTTPException) -> Any:
    from flask import current_app

    status = exc.code or 500
    text = HTTP_TEXTS.get(status, exc.description or "Lỗi.")
    text = text.format(max_mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
                       max_files=current_app.config["MAX_FILES"])
    return _error_page(text, status)


def _refusal(exc: ConsolidateError) -> Any:
    """The engine's refusal, in its own Vietnamese words (as the CLI prints it)."""
    return _error_page(exc.finding.message, 404 if exc.code in NOT_FOUND_CODES else 400)


def _crash(exc: Exception) -> Any:
    """Anything else: said in Vietnamese, logged for the developer, the server goes on."""
    from consolidate.cli import _refusal as cli_refusal

    log.exception("request failed: %s %s", request.method, request.path)
    return _error_page(cli_refusal(exc).message, 500, "Đã xảy ra lỗi")


# --------------------------------------------------------------------------- formatting


def _num(value: Any, decimals: int = 0) -> str:
    """Numbers as the reports write them: 9.367, 121.450.000, 19,66."""
    if value is None or value == "":
        return ""
    return format_number(value, decimals)

"""The HTTP server: werkzeug's threaded server on loopback, on a free port by default.

A plain ``make_server`` (not ``app.run``) so a test starts it in a thread and reads the
port it got; threads, so a long ingest does not block the status board in another tab.
"""

from __future__ import annotations

from pathlib import Path

from werkzeug.serving import BaseWSGIServer, make_server

from consolidate.web.app import create_app

LOOPBACK = "127.0.0.1"
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - only with --allow-remote, said when started


def make_web_server(workspace: str | Path, port: int = 0,
                    allow_remote: bool = False) -> BaseWSGIServer:
    """A server for the workspace's page; port 0 asks the system for a free one
    (``server.server_port`` says which)."""
    app = create_app(workspace, allow_remote=allow_remote)
    host = ALL_INTERFACES if allow_remote else LOOPBACK
    return make_server(host, port, app, threaded=True)


def page_url(server: BaseWSGIServer) -> str:
    """Where the officer's browser finds the page (always through loopback)."""
    return f"http://{LOOPBACK}:{server.server_port}/"

"""``consolidate serve``: the local web page, a third thin door onto :mod:`consolidate.api`.

Officers who never open a terminal do from their browser what the CLI does: create a
campaign, generate and download the forms, drop the returned files, watch the status board,
build the report, send and collect mail. Every handler calls one API verb and renders its
result with the CLI's Vietnamese texts; no business logic lives here.

Safe by default: served on 127.0.0.1 only (requests from elsewhere refused), a CSRF token
on every POST, uploads limited in size and count and ingested through the API's checks,
downloads only from the workspace's output folders, and one failing request never stops
the server (:mod:`consolidate.web.app`).
"""

from consolidate.web.app import create_app
from consolidate.web.server import make_web_server

__all__ = ["create_app", "make_web_server"]

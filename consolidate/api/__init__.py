"""The engine's verbs: the one door that the CLI, the mail commands and the web page all use.

Each verb opens the workspace, takes its lock where it writes (one run at a time per
workspace), loads what it needs, calls the pure steps (spec, forms, intake, roll-up,
outputs) and returns a result object. A result says what happened in plain data
(``to_dict()`` is what ``--json`` prints) and whether anything was rejected
(``valid``). A refusal (unknown campaign, damaged store, bad spec …) is raised as a
:class:`~consolidate.core.errors.ConsolidateError` carrying its finding. Nothing here
prints or knows about click.

The verbs live in one module per step of the flow (campaigns, intake, mail, reports,
demo); callers import this package only: ``from consolidate import api; api.report(…)``.
"""

from consolidate.api._base import PathLike, Progress, Result, Say
from consolidate.api.campaigns import (
    ContactsResult,
    FormsResult,
    InitResult,
    LetterResult,
    SettingsResult,
    campaigns,
    contacts,
    forms,
    init,
    letter,
    settings,
)
from consolidate.api.demo import DemoResult, demo
from consolidate.api.intake import (
    CloseResult,
    HistoryResult,
    IngestResult,
    PinResult,
    StatusResult,
    close,
    history,
    ingest,
    pin,
    reopen,
    status,
)
from consolidate.api.mail import (
    CollectResult,
    PreviewResult,
    SendResult,
    collect,
    preview,
    send,
)
from consolidate.api.reports import (
    ExportResult,
    ReportResult,
    Rollups,
    UnitReport,
    export,
    report,
    rollup,
)
from consolidate.core.errors import ConsolidateError, Finding, Severity
from consolidate.core.settings import SETTINGS, value_text

__all__ = [
    "SETTINGS", "CloseResult", "CollectResult", "ConsolidateError", "ContactsResult", "DemoResult",
    "ExportResult", "Finding", "FormsResult", "HistoryResult", "IngestResult", "InitResult",
    "LetterResult", "PathLike", "PinResult", "PreviewResult", "Progress", "ReportResult",
    "Result", "Rollups", "Say", "SendResult", "SettingsResult", "Severity", "StatusResult",
    "UnitReport", "campaigns", "close", "collect", "contacts", "demo", "export", "forms",
    "history", "ingest", "init", "letter", "pin", "preview", "reopen", "report", "rollup", "send",
    "settings", "status", "value_text",
]

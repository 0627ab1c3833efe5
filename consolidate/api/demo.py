"""The demo verb: a whole province's campaigns made, filled, ingested and reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consolidate.api._base import PathLike, Result, Say
from consolidate.api.campaigns import forms, init
from consolidate.api.intake import IngestResult, ingest
from consolidate.api.reports import ReportResult, report
from consolidate.core.workspace import Campaign
from consolidate.demo import CAMPAIGNS, DEMO_PERIOD, DEMO_ROOT, DEMO_SIGNER, fill_campaign
from consolidate.outputs.word import soffice_path

# --------------------------------------------------------------------------- demo


@dataclass
class DemoResult(Result):
    workspace: Path = Path(".")
    campaigns: list[Campaign] = field(default_factory=list)
    forms: int = 0
    submitted: int = 0
    ingest: IngestResult | None = None
    reports: dict[str, ReportResult] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        return {"workspace": str(self.workspace), "forms": self.forms,
                "submitted": self.submitted,
                "stats": self.ingest.report.stats if self.ingest else {},
                "reports": {k: v.data()["reports"] for k, v in self.reports.items()}}


def demo(folder: PathLike, say: Say = lambda _: None) -> DemoResult:
    """The whole cycle on built-in data (Bắc Kạn), through the same verbs an office uses."""
    ws_path = Path(folder) / "bac-kan-2024"
    (ws_path / "consolidate.sqlite").unlink(missing_ok=True)
    result = DemoResult(workspace=ws_path)
    for form, deadline in CAMPAIGNS:
        made = init(ws_path, form, DEMO_PERIOD, DEMO_ROOT, deadline, signer=DEMO_SIGNER)
        camp = made.campaign
        assert camp is not None
        say(f"Đã tạo đợt báo cáo {camp.id} tại {ws_path}")
        blank = forms(ws_path, camp.id)
        say(f"Đã tạo {len(blank.paths)} biểu mẫu trống trong {blank.folder}")
        count = fill_campaign(camp, blank.paths, camp.workspace.inbox, deadline)
        say(f"Đã điền {count} biểu mẫu mẫu vào {camp.workspace.inbox}")
        result.forms += len(blank.paths)
        result.submitted += count
        result.campaigns.append(camp)
    result.ingest = ingest(ws_path)
    stats = result.ingest.report.stats
    say(f"Đã tiếp nhận {stats['accepted']} tệp, từ chối {stats['rejected']} tệp")
    for camp in result.campaigns:
        result.reports[camp.id] = report(ws_path, camp.id, all_units=True,
                                         pdf=soffice_path() is not None)
    result.findings = [*result.ingest.findings,
                       *(f for r in result.reports.values() for f in r.findings)]
    return result



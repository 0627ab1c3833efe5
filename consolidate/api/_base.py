"""What every verb shares: the result object, opening a campaign, progress steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consolidate.core.errors import ConsolidateError, Finding
from consolidate.core.workspace import Campaign, Workspace

#: Told (done, total) as a long verb advances: a terminal draws a bar, the web page a gauge.
Progress = Callable[[int, int], None]
Say = Callable[[str], None]
PathLike = str | Path


def progress_steps(progress: Progress | None, total: int) -> Callable[[int], None] | None:
    """The steps count what they finish one by one; the caller is told done out of total."""
    if progress is None:
        return None
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress(done, total)

    return step


def open_campaign(workspace: PathLike, campaign: str | None = None) -> Campaign:
    return Workspace(workspace).campaign(campaign)


def check_in_campaign(camp: Campaign, unit: str) -> None:
    if unit not in camp.roster:
        raise ConsolidateError("unit-not-in-campaign", found=unit, campaign=camp.id)


@dataclass
class Result:
    """What a verb did; ``findings`` are the problems it met, none of which stopped it."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not any(f.is_error for f in self.findings)

    def data(self) -> dict[str, Any]:
        return {}

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, **self.data(),
                "findings": [f.to_dict() for f in self.findings]}



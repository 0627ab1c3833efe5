"""Reading and checking workbooks on every core, results in the order the files came.

Checking and reading a workbook (:func:`consolidate.intake.ingest.parse_bytes`) is
pure: bytes in, the campaign, the unit and what the workbook says (with every
finding) out. It is what costs most in an ingest, so a large run hands it to a
pool of worker processes while the parent archives and stores the files that are
ready, one after the other, in the order they were given: the store and every
output are the same whichever worker finishes first, and the same as without a
pool. A small run stays in one process: starting workers costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from consolidate.core.roster import Unit
from consolidate.core.workspace import Campaign, Workspace
from consolidate.intake.read import Parsed

#: Fewest workbooks to read for which a pool pays: a forked worker starts in
#: milliseconds, a spawned one (Windows, macOS) imports the library first.
FORK_MIN_FILES = 24
SPAWN_MIN_FILES = 300
MAX_WORKERS = 4
#: Workbooks handed out ahead per worker, and their bytes at most: enough to keep the
#: workers busy while the parent stores a batch, few enough to bound memory.
AHEAD_PER_WORKER = 8
AHEAD_BYTES = 256 * 1024 * 1024
#: How often a worker checks that the run it works for is still alive, in seconds.
PARENT_POLL_S = 0.2

T = TypeVar("T")
Job = tuple[str, bytes]  # (file name, bytes)
Parse = Callable[[dict[tuple[str, str], Campaign], str, bytes],
                 tuple[Campaign | None, Unit | None, Parsed]]
Sent = tuple[str | None, str | None, Parsed]  # (campaign id, unit code, parsed)

#: In a worker: the parse function and the workspace's campaigns, set once.
_worker: dict[str, Any] = {}


def _start_worker(path: str, parse: Parse, parent: int) -> None:
    """Initialiser of a worker: its own view of the workspace's campaigns (a forked worker
    inherits the parent's, already loaded), and a watch on the parent."""
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if _worker.get("path") != path:
        ws = Workspace(Path(path))
        _set_worker(path, parse, {(c.form_id, c.period): c for c in ws.campaigns()})


def _watch(parent: int) -> None:
    """Leave as soon as the parent is gone (killed): an orphan would wait for work forever,
    holding what it inherited, the workspace's lock among it."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


def _set_worker(path: str, parse: Parse, campaigns: dict[tuple[str, str], Campaign]) -> None:
    _worker.update(path=path, parse=parse, campaigns=campaigns)


def _work(job: Job) -> Sent:
    campaign, unit, parsed = _worker["parse"](_worker["campaigns"], *job)
    return (campaign.id if campaign else None, unit.code if unit else None, parsed)


def pool_workers(files: int, requested: int | None = None) -> int:
    """How many worker processes to use for ``files`` workbooks: 0 means none (in-process)."""
    if requested is not None:
        return max(requested, 0) if requested != 1 else 0
    cores = os.cpu_count() or 1
    method = _start_method()
    least = FORK_MIN_FILES if method == "fork" else SPAWN_MIN_FILES
    return min(cores, MAX_WORKERS) if cores > 1 and files >= least else 0


def _start_method() -> str:
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


class ParsePool:
    """``parse`` over the jobs of many items, in workers or in-process, results in order."""

    def __init__(self, workspace: Workspace, campaigns: dict[tuple[str, str], Campaign],
                 parse: Parse, workers: int):
        self.campaigns = campaigns
        self.by_id = {c.id: c for c in campaigns.values()}
        self.parse = parse
        self.executor: ProcessPoolExecutor | None = None
        self.ahead = max(workers, 1) * AHEAD_PER_WORKER
        if workers:
            path = str(workspace.path)
            _set_worker(path, parse, campaigns)  # a forked worker starts with it
            context = multiprocessing.get_context(_start_method())
            self.executor = ProcessPoolExecutor(workers, mp_context=context,
                                                initializer=_start_worker,
                                                initargs=(path, parse, os.getpid()))
            # forked now, while this process has no other thread (the archive's writers
            # start later): a child forked beside a running thread may inherit a held lock
            self.executor.submit(int).result()

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)

    def ordered(self, items: Iterable[T], job: Callable[[T], Job | None]
                ) -> Iterator[tuple[T, tuple[Campaign | None, Unit | None, Parsed] | None]]:
        """Each item with the result of its job (None for an item without one), in the
        items' order; ``job`` runs in this process as the items are reached."""
        if self.executor is None:
            for item in items:
                args = job(item)
                yield item, None if args is None else self.parse(self.campaigns, *args)
            return
        pending: deque[tuple[T, Job | None, Future[Sent] | None]] = deque()
        held = 0  # bytes handed out and not yet returned
        for item in items:
            args = job(item)
            future = None if args is None else self.executor.submit(_work, args)
            pending.append((item, args, future))
            held += len(args[1]) if args else 0
            while len(pending) > self.ahead or held > AHEAD_BYTES:
                done = pending.popleft()
                held -= len(done[1][1]) if done[1] else 0
                yield self._resolve(*done)
        while pending:
            yield self._resolve(*pending.popleft())

    def _resolve(self, item: T, args: Job | None, future: Future[Sent] | None
                 ) -> tuple[T, tuple[Campaign | None, Unit | None, Parsed] | None]:
        if args is None or future is None:
            return item, None
        try:
            campaign_id, code, parsed = future.result()
        except BrokenExecutor:  # a worker died (out of memory, killed): read it here
            return item, self.parse(self.campaigns, *args)
        campaign = self.by_id.get(campaign_id) if campaign_id else None
        unit = campaign.roster[code] if campaign is not None and code else None
        return item, (campaign, unit, parsed)

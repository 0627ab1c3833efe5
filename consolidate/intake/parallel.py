"""Taking in workbooks on every core, results in the order the files came.

Taking in a file (:func:`consolidate.intake.ingest.take`: read its bytes, hash them,
archive them, check and read the workbook) touches nothing shared but the archive,
whose files are named by their content and written atomically: a large run hands it
to a pool of worker processes, a chunk of files per task, while the parent stores the
files that are ready, one after the other, in the order they were given. The store
and every output are the same whichever worker finishes first, and the same as
without a pool. A small run stays in one process: starting workers costs more than it
saves. Kill points (:func:`consolidate.core.files.checkpoint`) are the parent's: a
worker leaves with its parent and never kills itself.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from consolidate.core.files import CHECKPOINT_LOG_ENV, KILL_AT_ENV

#: Fewest workbooks to read for which a pool pays: a forked worker starts in
#: milliseconds, a spawned one (Windows, macOS) imports the library first.
FORK_MIN_FILES = 24
SPAWN_MIN_FILES = 300
MAX_WORKERS = 4
#: Files per task: a task's round trip costs the parent about 0.1 ms, as much as storing
#: a file, so files travel by the dozen; small runs use smaller chunks, so every worker
#: gets some.
CHUNK_FILES = 16
#: Tasks handed out ahead per worker: enough to keep the workers busy while the parent
#: stores a batch, few enough to bound what waits in memory (results, never bytes).
AHEAD_PER_WORKER = 3
#: How often a worker checks that the run it works for is still alive, in seconds.
PARENT_POLL_S = 0.2

Take = Callable[[Path], tuple[Any, Any]]  # path -> (what was received, what it says)

#: In a worker: how to take in a file, set once.
_worker: dict[str, Any] = {}


def _start_worker(parent: int, rebuild: Callable[[], Take] | None) -> None:
    """Initialiser of a worker: a watch on the parent, no kill points of its own, and how
    to take in a file (a forked worker inherits it; a spawned one builds it again)."""
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    os.environ.pop(KILL_AT_ENV, None)
    os.environ.pop(CHECKPOINT_LOG_ENV, None)
    if "take" not in _worker and rebuild is not None:
        _worker["take"] = rebuild()


def _watch(parent: int) -> None:
    """Leave as soon as the parent is gone (killed): an orphan would wait for work forever,
    holding what it inherited, the workspace's lock among it."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


def _work(paths: list[Path]) -> list[tuple[Any, Any]]:
    take = _worker["take"]
    return [take(path) for path in paths]


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


def chunk_size(files: int, workers: int) -> int:
    """Files per task: ``CHUNK_FILES``, fewer when the run is too small to give each worker
    several chunks."""
    return max(1, min(CHUNK_FILES, files // max(workers * AHEAD_PER_WORKER, 1)))


class TakePool:
    """``take`` over many files, in workers or in-process, results in the files' order."""

    def __init__(self, take: Take, workers: int, chunk: int = CHUNK_FILES,
                 rebuild: Callable[[], Take] | None = None):
        self.take = take
        self.chunk = chunk
        self.executor: ProcessPoolExecutor | None = None
        self.ahead = max(workers, 1) * AHEAD_PER_WORKER
        self.frozen = False
        if workers:
            _worker["take"] = take  # a forked worker starts with it
            method = _start_method()
            if method == "fork":
                # What this process holds (the roster, the campaign, the blank forms) is
                # shared with the forked workers page by page. Frozen, the cyclic collector
                # never walks it again: in a worker that would write to every shared page
                # (copy on write) and cost each collection the whole inherited heap.
                gc.freeze()
                self.frozen = True
            context = multiprocessing.get_context(method)
            self.executor = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_start_worker,
                initargs=(os.getpid(), rebuild if method == "spawn" else None))
            # forked now, while this process has no other thread: a child forked beside a
            # running thread may inherit a held lock
            self.executor.submit(int).result()

    def __enter__(self) -> TakePool:
        return self

    def __exit__(self, *exc: object) -> None:
        _worker.pop("take", None)
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
        if self.frozen:
            gc.unfreeze()  # collectable again once the workers are gone

    def ordered(self, paths: Iterable[Path]) -> Iterator[tuple[Any, Any]]:
        """What ``take`` gives for each path, in the paths' order."""
        if self.executor is None:
            yield from map(self.take, paths)
            return
        pending: deque[tuple[list[Path], Future[list[tuple[Any, Any]]] | None]] = deque()
        for chunk in _chunks(paths, self.chunk):
            pending.append((chunk, self._submit(chunk)))
            while len(pending) > self.ahead:
                yield from self._resolve(*pending.popleft())
        while pending:
            yield from self._resolve(*pending.popleft())

    def _submit(self, chunk: list[Path]) -> Future[list[tuple[Any, Any]]] | None:
        assert self.executor is not None
        try:
            return self.executor.submit(_work, chunk)
        except BrokenExecutor:  # a worker died earlier: the rest is taken here
            return None

    def _resolve(self, chunk: list[Path], future: Future[list[tuple[Any, Any]]] | None
                 ) -> list[tuple[Any, Any]]:
        try:
            if future is not None:
                return future.result()
        except BrokenExecutor:  # a worker died (out of memory, killed): take them here
            pass
        return [self.take(path) for path in chunk]


def _chunks(paths: Iterable[Path], size: int) -> Iterator[list[Path]]:
    it = iter(paths)
    while chunk := list(islice(it, size)):
        yield chunk

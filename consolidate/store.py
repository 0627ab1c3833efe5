"""The workspace's SQLite store: campaigns, files received, submissions and their values.

State that can be derived is not stored: which submission of a unit counts is
computed from the submissions themselves (the newest direct one, else the newest
relayed one), so superseding never rewrites history. Every write happens inside
one transaction per file, so a run killed half-way leaves the store as it was
before that file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

SCHEMA = """
CREATE TABLE IF NOT EXISTS campaigns (
    id TEXT PRIMARY KEY,
    form_id TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    period TEXT NOT NULL,
    root TEXT NOT NULL,
    deadline TEXT,
    roster TEXT NOT NULL,
    created_at TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    campaign TEXT,
    unit TEXT,
    status TEXT NOT NULL,          -- accepted | rejected
    findings TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS file_names (
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (sha256, name)
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    campaign TEXT NOT NULL,
    unit TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,          -- form | rollup | relay | stated (a roll-up's own totals)
    via TEXT,                      -- for relay: the unit whose roll-up carried it
    received_at TEXT NOT NULL,
    UNIQUE (campaign, unit, sha256, source)
);
CREATE TABLE IF NOT EXISTS cells (
    submission INTEGER NOT NULL REFERENCES submissions(id),
    tbl TEXT NOT NULL,
    row TEXT NOT NULL,
    col TEXT NOT NULL,
    num,
    text TEXT,
    sheet TEXT,
    cell TEXT
);
CREATE INDEX IF NOT EXISTS cells_submission ON cells(submission);
CREATE INDEX IF NOT EXISTS submissions_unit ON submissions(campaign, unit);
"""

DIRECT_SOURCES = ("form", "rollup")


class Store:
    """A thin, explicit layer over sqlite3; one instance per workspace."""

    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ------------------------------------------------------------------ campaigns
    def add_campaign(self, row: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO campaigns (id, form_id, form_version, period, root, "
                "deadline, roster, created_at, settings) VALUES (:id, :form_id, :form_version, "
                ":period, :root, :deadline, :roster, :created_at, :settings)",
                {**row, "settings": json.dumps(row.get("settings") or {}, ensure_ascii=False)},
            )

    def campaigns(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM campaigns ORDER BY created_at, id").fetchall()
        return [{**dict(r), "settings": json.loads(r["settings"])} for r in rows]

    # ------------------------------------------------------------------ files
    def file(self, sha256: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        return dict(row) if row else None

    def record_file(self, db: sqlite3.Connection, info: dict[str, Any]) -> None:
        db.execute(
            "INSERT INTO files (sha256, name, size, received_at, ingested_at, campaign, unit, "
            "status, findings) VALUES (:sha256, :name, :size, :received_at, :ingested_at, "
            ":campaign, :unit, :status, :findings)", info,
        )
        self.record_name(db, info["sha256"], info["name"], info["ingested_at"])

    def record_name(self, db: sqlite3.Connection, sha256: str, name: str, when: str) -> None:
        db.execute("INSERT OR IGNORE INTO file_names VALUES (?, ?, ?)", (sha256, name, when))

    def add_submission(self, db: sqlite3.Connection, sub: dict[str, Any],
                       cells: Iterable[tuple[Any, ...]]) -> int:
        """Insert one submission and its cells: (tbl, row, col, num, text, sheet, cell)."""
        cur = db.execute(
            "INSERT INTO submissions (campaign, unit, sha256, source, via, received_at) "
            "VALUES (:campaign, :unit, :sha256, :source, :via, :received_at)", sub,
        )
        sid = cur.lastrowid
        db.executemany(
            "INSERT INTO cells (submission, tbl, row, col, num, text, sheet, cell) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ((sid, *c) for c in cells),
        )
        return sid

    # ------------------------------------------------------------------ queries
    def current_submissions(self, campaign: str) -> pd.DataFrame:
        """The submission that counts for each unit: newest direct, else newest relayed."""
        return pd.read_sql_query(
            """
            SELECT s.*, f.name AS file_name FROM submissions s
            JOIN files f ON f.sha256 = s.sha256
            WHERE s.campaign = :c AND s.id = (
                SELECT s2.id FROM submissions s2
                WHERE s2.campaign = s.campaign AND s2.unit = s.unit AND s2.source != 'stated'
                ORDER BY (s2.source = 'relay'), s2.received_at DESC, s2.id DESC LIMIT 1)
            """, self.db, params={"c": campaign},
        )

    def cells_of(self, submission_ids: list[int]) -> pd.DataFrame:
        """All cells of the given submissions, in one query through a temporary table."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (id INTEGER PRIMARY KEY)")
        self.db.execute("DELETE FROM wanted")
        self.db.executemany("INSERT INTO wanted VALUES (?)", ((int(i),) for i in submission_ids))
        return pd.read_sql_query(
            "SELECT c.* FROM cells c JOIN wanted w ON w.id = c.submission", self.db
        )

    def rollup_submissions(self, campaign: str) -> pd.DataFrame:
        """The newest roll-up each unit sent, for comparing its stated figures."""
        return pd.read_sql_query(
            """
            SELECT s.* FROM submissions s WHERE s.campaign = :c AND s.source = 'stated'
            AND s.id = (SELECT MAX(s2.id) FROM submissions s2 WHERE s2.campaign = s.campaign
                        AND s2.unit = s.unit AND s2.source = 'stated')
            """, self.db, params={"c": campaign},
        )

    def files_for(self, campaign: str) -> pd.DataFrame:
        return pd.read_sql_query(
            "SELECT * FROM files WHERE campaign = :c ORDER BY received_at",
            self.db, params={"c": campaign},
        )

"""The workspace's SQLite store: campaigns, files received, submissions and their values.

State that can be derived is not stored: which submission of a unit counts is
computed from the submissions themselves (the newest direct one, else the newest
relayed one), so superseding never rewrites history. Every write happens inside
a transaction (an ingest stores a batch of files per transaction), so a run killed
half-way leaves the store as it was before that batch.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from consolidate.core.errors import ConsolidateError

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
CREATE TABLE IF NOT EXISTS pins (
    campaign TEXT NOT NULL,
    unit TEXT NOT NULL,
    sha256 TEXT NOT NULL,          -- the file whose submission counts for the unit
    pinned_at TEXT NOT NULL,
    PRIMARY KEY (campaign, unit)
);
CREATE TABLE IF NOT EXISTS closings (
    id INTEGER PRIMARY KEY,
    campaign TEXT NOT NULL,
    action TEXT NOT NULL,          -- close | reopen
    last_submission INTEGER NOT NULL DEFAULT 0,  -- for close: newest submission counted
    at TEXT NOT NULL
);
-- Mail (issue 11). Contacts: a unit's address for a campaign, merged from a contacts file
-- (a custom roster's e-mail column is read from the roster itself, not copied here).
CREATE TABLE IF NOT EXISTS contacts (
    campaign TEXT NOT NULL,
    unit TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',     -- the unit's officer
    phone TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',   -- the file it came from
    updated_at TEXT NOT NULL,
    PRIMARY KEY (campaign, unit)
);
-- One row per message handed to the SMTP server (or written as .eml by a dry run):
-- what a resumed send skips, and what status shows as "sent on …".
CREATE TABLE IF NOT EXISTS mail_sent (
    id INTEGER PRIMARY KEY,
    campaign TEXT NOT NULL,
    unit TEXT NOT NULL,
    kind TEXT NOT NULL,                -- form | remind | feedback
    to_addr TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    dry_run INTEGER NOT NULL DEFAULT 0,
    path TEXT NOT NULL DEFAULT ''      -- the .eml written by a dry run
);
CREATE INDEX IF NOT EXISTS mail_sent_unit ON mail_sent(campaign, unit, kind);
-- One row per message read by collect (IMAP or a folder of .eml): what a second run skips,
-- and what status shows as "answered on … from …". ``attachments`` is a JSON list of
-- {name, saved_as, sha256, outcome, detail} for every attachment met, kept or not.
CREATE TABLE IF NOT EXISTS mail_received (
    id INTEGER PRIMARY KEY,
    campaign TEXT NOT NULL,
    source TEXT NOT NULL,              -- "imap:user@host/INBOX" or "folder:/path"
    message_key TEXT NOT NULL,         -- Message-ID, else a hash of the message
    from_addr TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',     -- the message's own date, ISO
    read_at TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',     -- the unit whose form came back, when known
    outcome TEXT NOT NULL,             -- e.g. attachments | no-attachment | not-spreadsheet
    attachments TEXT NOT NULL DEFAULT '[]',
    UNIQUE (campaign, source, message_key)
);
CREATE INDEX IF NOT EXISTS cells_submission ON cells(submission);
CREATE INDEX IF NOT EXISTS submissions_unit ON submissions(campaign, unit);
"""

DIRECT_SOURCES = ("form", "rollup")


class Store:
    """A thin, explicit layer over sqlite3; one instance per workspace."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:  # not a database, or a damaged one
            raise ConsolidateError("store-damaged", path=path, detail=str(exc)) from exc

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

    def update_campaign(self, campaign: str, deadline: str | None,
                        settings: dict[str, Any]) -> None:
        """Change a campaign's deadline and settings (never its identity: form, period, unit)."""
        with self.transaction() as db:
            db.execute("UPDATE campaigns SET deadline = ?, settings = ? WHERE id = ?",
                       (deadline, json.dumps(settings, ensure_ascii=False), campaign))

    def received_count(self, campaign: str) -> int:
        """How many files were received for the campaign (accepted or rejected)."""
        return int(self.db.execute("SELECT COUNT(*) FROM files WHERE campaign = ?",
                                   (campaign,)).fetchone()[0])

    def campaigns(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM campaigns ORDER BY created_at, id").fetchall()
        return [{**dict(r), "settings": json.loads(r["settings"])} for r in rows]

    # ------------------------------------------------------------------ files
    def file(self, sha256: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        return dict(row) if row else None

    def shas(self) -> set[str]:
        """The hash of every file stored: bytes an ingest need not read again."""
        return {r[0] for r in self.db.execute("SELECT sha256 FROM files")}

    def record_file(self, db: sqlite3.Connection, info: dict[str, Any]) -> None:
        db.execute(
            "INSERT INTO files (sha256, name, size, received_at, ingested_at, campaign, unit, "
            "status, findings) VALUES (:sha256, :name, :size, :received_at, :ingested_at, "
            ":campaign, :unit, :status, :findings)", info,
        )
        self.record_name(db, info["sha256"], info["name"], info["ingested_at"])

    def record_name(self, db: sqlite3.Connection, sha256: str, name: str, when: str) -> None:
        db.execute("INSERT OR IGNORE INTO file_names VALUES (?, ?, ?)", (sha256, name, when))

    def files_in_order(self) -> list[dict[str, Any]]:
        """Every file received, in the order it was stored (``seq``), for the feedback."""
        rows = self.db.execute("SELECT rowid AS seq, * FROM files ORDER BY rowid").fetchall()
        return [dict(r) for r in rows]

    def file_names(self, sha256: str) -> list[str]:
        """Every name the same bytes arrived under, first seen first."""
        rows = self.db.execute(
            "SELECT name FROM file_names WHERE sha256 = ? ORDER BY seen_at, name", (sha256,))
        return [r["name"] for r in rows]

    def latest_direct_file(self, campaign: str, unit: str) -> dict[str, Any] | None:
        """Name and receipt time of the file of the unit's newest direct submission."""
        row = self.db.execute(
            "SELECT f.name, f.received_at FROM submissions s JOIN files f USING (sha256) "
            "WHERE s.campaign = ? AND s.unit = ? AND s.source IN ('form', 'rollup') "
            "ORDER BY s.received_at DESC, s.id DESC LIMIT 1", (campaign, unit)).fetchone()
        return dict(row) if row else None

    def unaccepted_files(self, campaign: str, unit: str) -> list[dict[str, Any]]:
        """The unit's files that were not accepted (rejected), with their findings."""
        rows = self.db.execute(
            "SELECT * FROM files WHERE campaign = ? AND unit = ? AND status != 'accepted'",
            (campaign, unit)).fetchall()
        return [dict(r) for r in rows]

    def submitted_files(self, campaign: str, unit: str, sha_prefix: str | None,
                        name: str) -> list[str]:
        """The sha256 of the unit's accepted files whose hash starts with ``sha_prefix`` or
        that arrived under ``name`` (stated figures excluded)."""
        rows = self.db.execute(
            "SELECT DISTINCT s.sha256 FROM submissions s LEFT JOIN file_names n USING (sha256) "
            "WHERE s.campaign = ? AND s.unit = ? AND s.source != 'stated' "
            "AND (s.sha256 LIKE ? OR n.name = ?)",
            (campaign, unit, f"{sha_prefix}%" if sha_prefix else "\x00", name)).fetchall()
        return [r["sha256"] for r in rows]

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

    # ------------------------------------------------------------------ pins and closing
    def pins(self, campaign: str) -> dict[str, str]:
        """unit -> sha256 of the file an officer chose to count for it."""
        rows = self.db.execute("SELECT unit, sha256 FROM pins WHERE campaign = ?", (campaign,))
        return {r["unit"]: r["sha256"] for r in rows}

    def set_pin(self, db: sqlite3.Connection, campaign: str, unit: str, sha256: str | None,
                when: str) -> None:
        db.execute("DELETE FROM pins WHERE campaign = ? AND unit = ?", (campaign, unit))
        if sha256:
            db.execute("INSERT INTO pins VALUES (?, ?, ?, ?)", (campaign, unit, sha256, when))

    def closed_at(self, campaign: str) -> dict[str, Any] | None:
        """The closing in force (chốt số liệu), or None when the campaign is open."""
        row = self.db.execute("SELECT * FROM closings WHERE campaign = ? ORDER BY id DESC LIMIT 1",
                              (campaign,)).fetchone()
        return dict(row) if row and row["action"] == "close" else None

    def files_after(self, campaign: str, last_submission: int) -> int:
        """How many files were stored after submission ``last_submission`` (held by a close)."""
        return int(self.db.execute(
            "SELECT COUNT(DISTINCT sha256) FROM submissions WHERE campaign = ? AND id > ?",
            (campaign, last_submission)).fetchone()[0])

    def record_closing(self, db: sqlite3.Connection, campaign: str, action: str,
                       when: str) -> None:
        last = db.execute("SELECT COALESCE(MAX(id), 0) FROM submissions").fetchone()[0]
        db.execute("INSERT INTO closings (campaign, action, last_submission, at) "
                   "VALUES (?, ?, ?, ?)", (campaign, action, last, when))

    # ------------------------------------------------------------------ queries
    def all_submissions(self, campaign: str) -> pd.DataFrame:
        """Every submission of the campaign with its file name, and whether it may count.

        ``countable`` is false for a submission stored after the campaign was closed;
        ``pinned`` is true for those of the file an officer pinned for the unit.
        """
        subs = pd.read_sql_query(
            "SELECT s.*, f.name AS file_name FROM submissions s "
            "JOIN files f ON f.sha256 = s.sha256 WHERE s.campaign = :c ORDER BY s.id",
            self.db, params={"c": campaign},
        )
        closing = self.closed_at(campaign)
        pins = self.pins(campaign)
        subs["pinned"] = pd.Series(
            [pins.get(u) == sha for u, sha in zip(subs["unit"].tolist(), subs["sha256"].tolist(),
                                                  strict=True)],
            index=subs.index, dtype=bool)
        before = (subs["id"] <= closing["last_submission"]) if closing else True
        subs["countable"] = pd.Series(subs["pinned"] | before, index=subs.index, dtype=bool)
        return subs

    def current_submissions(self, campaign: str) -> pd.DataFrame:
        """The submission that counts for each unit.

        The pinned version first; else, among those stored before the campaign was
        closed (all while it is open), the newest direct one, else the newest relayed.
        """
        subs = self.all_submissions(campaign)
        subs = subs[subs["countable"] & (subs["source"] != "stated")]
        ranked = subs.assign(relay=subs["source"] == "relay").sort_values(
            ["pinned", "relay", "received_at", "id"], ascending=[False, True, False, False])
        current = ranked.drop_duplicates("unit").sort_values("id")
        return current.drop(columns=["relay", "pinned", "countable"]).reset_index(drop=True)

    def cells_of(self, submission_ids: list[int]) -> pd.DataFrame:
        """All cells of the given submissions, in one query through a temporary table."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (id INTEGER PRIMARY KEY)")
        self.db.execute("DELETE FROM wanted")
        self.db.executemany("INSERT INTO wanted VALUES (?)", ((int(i),) for i in submission_ids))
        return pd.read_sql_query(
            "SELECT c.* FROM cells c JOIN wanted w ON w.id = c.submission", self.db
        )

    def campaign_cells(self, campaign: str) -> pd.DataFrame:
        """Every stored cell of every submission of the campaign, in one query (the
        export of all versions)."""
        return pd.read_sql_query(
            "SELECT c.* FROM cells c JOIN submissions s ON s.id = c.submission "
            "WHERE s.campaign = :c", self.db, params={"c": campaign})

    def rollup_submissions(self, campaign: str) -> pd.DataFrame:
        """The roll-up each unit sent that counts (pinned, else newest before closing),
        for comparing its stated figures."""
        subs = self.all_submissions(campaign)
        subs = subs[subs["countable"] & (subs["source"] == "stated")]
        ranked = subs.sort_values(["pinned", "id"], ascending=[False, False])
        current = ranked.drop_duplicates("unit").sort_values("id")
        return current.drop(columns=["pinned", "countable", "file_name"]).reset_index(drop=True)

    def rollup_inputs(self, campaign: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """What a roll-up reads: the submissions that count, their cells, and the cells of
        the roll-ups units stated themselves (with their unit; a stated roll-up without any
        cell still has one row, so its unit is still reconciled)."""
        subs = self.current_submissions(campaign)
        stated = self.rollup_submissions(campaign)
        said = self.cells_of(stated["id"].tolist()).merge(
            stated[["id", "unit"]], left_on="submission", right_on="id", how="right")
        return subs, self.cells_of(subs["id"].tolist()), said

    def files_for(self, campaign: str) -> pd.DataFrame:
        return pd.read_sql_query(
            "SELECT * FROM files WHERE campaign = :c ORDER BY received_at",
            self.db, params={"c": campaign},
        )

    # ------------------------------------------------------------------ mail (issue 11)
    def set_contacts(self, campaign: str, rows: Iterable[dict[str, Any]]) -> int:
        """Insert or replace contacts (keys: unit, email, name, phone, source, updated_at)."""
        rows = list(rows)
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO contacts (campaign, unit, email, name, phone, source, "
                "updated_at) VALUES (:campaign, :unit, :email, :name, :phone, :source, "
                ":updated_at)",
                [{"name": "", "phone": "", "source": "", **r, "campaign": campaign}
                 for r in rows])
        return len(rows)

    def contacts(self, campaign: str) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM contacts WHERE campaign = ? ORDER BY unit",
                               (campaign,)).fetchall()
        return [dict(r) for r in rows]

    def record_sent(self, row: dict[str, Any]) -> None:
        """One message handed over (keys as the mail_sent columns), committed at once so a
        send that fails half-way is resumed after the last message that went out."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO mail_sent (campaign, unit, kind, to_addr, message_id, sent_at, "
                "dry_run, path) VALUES (:campaign, :unit, :kind, :to_addr, :message_id, "
                ":sent_at, :dry_run, :path)", {"dry_run": 0, "path": "", **row})

    def sent(self, campaign: str) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM mail_sent WHERE campaign = ? ORDER BY id",
                               (campaign,)).fetchall()
        return [dict(r) for r in rows]

    def record_received(self, row: dict[str, Any]) -> bool:
        """One message read; False when it was read before (same campaign, source, key)."""
        with self.transaction() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO mail_received (campaign, source, message_key, from_addr, "
                "subject, date, read_at, unit, outcome, attachments) VALUES (:campaign, "
                ":source, :message_key, :from_addr, :subject, :date, :read_at, :unit, "
                ":outcome, :attachments)",
                {"from_addr": "", "subject": "", "date": "", "unit": "", **row,
                 "attachments": json.dumps(row.get("attachments") or [], ensure_ascii=False)})
        return cur.rowcount == 1

    def received_messages(self, campaign: str, source: str | None = None
                          ) -> list[dict[str, Any]]:
        query = "SELECT * FROM mail_received WHERE campaign = ?"
        args: tuple[Any, ...] = (campaign,)
        if source is not None:
            query += " AND source = ?"
            args += (source,)
        rows = self.db.execute(query + " ORDER BY id", args).fetchall()
        return [{**dict(r), "attachments": json.loads(r["attachments"])} for r in rows]

    def received_keys(self, source: str) -> set[str]:
        """Keys of the messages of ``source`` read before, in any campaign: what a collect
        run skips (a reply is recorded under the campaign of the form it carried)."""
        rows = self.db.execute("SELECT message_key FROM mail_received WHERE source = ?",
                               (source,)).fetchall()
        return {r[0] for r in rows}

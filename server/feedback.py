"""The reader's corrections, kept on this machine for the next `unspin train`.

A correction says of one span of one paragraph either "spun" (with the original, when the reader
confirmed a suggestion or typed one) or "not spun" (the reader dismissed the mark). The browser
extension sends them only after the reader agreed, on its first-run page, to what is kept:

    paragraph  the paragraph's text            label     "spun" or "not_spun"
    start/end  the span, code points            original  the original wording, or null
    span       the span's text                  url       the page address, only if allowed
    time       when (UTC, ISO 8601)

They live in one SQLite file, DATA_DIR/feedback.sqlite3 (DATA_DIR: `--data-dir`, else
$UNSPIN_DATA_DIR, else $XDG_DATA_HOME/unspin, else ~/.local/share/unspin), and are never sent
anywhere. Only the reader's own account can read them: a DATA_DIR Unspin creates is 0700 and the
file (with SQLite's -wal and -shm files, which take its mode) 0600. The store is bounded: at
most MAX_BYTES on disk and MAX_ROWS corrections, never filling the disk past MIN_FREE_BYTES
(`Full`, HTTP 507).
Every write is one transaction on its own connection, so concurrent requests (and a
`unspin feedback` run beside the server) are safe; SQLite serialises them.

Reading a feedback file (the store's own, or one given to `unspin train --feedback`) opens it
read-only, with SQLite's `trusted_schema` off and its `feedback` table checked to be a plain
table with the expected columns: a file from elsewhere cannot run a view's query or a trigger.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from .text import INVISIBLE_RE, escape_hidden, hidden_characters

LABELS = ("spun", "not_spun")
FILE_NAME = "feedback.sqlite3"
BUSY_TIMEOUT = 10.0  # seconds a write waits for another one
SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    paragraph TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    span TEXT NOT NULL,
    label TEXT NOT NULL CHECK (label IN ('spun', 'not_spun')),
    original TEXT,
    url TEXT
)"""
FIELDS = ("id", "time", "paragraph", "start", "end", "span", "label", "original", "url")
COLUMNS = ", ".join(f'"{name}"' for name in FIELDS)
MAX_BYTES = 64 * 1024 * 1024  # the store's file at most (a correction is 1-10 kB: thousands fit) ...
MAX_ROWS = 100_000  # ... and corrections at most
MIN_FREE_BYTES = 512 * 1024 * 1024  # a write never leaves less free space on the disk than this


class Full(Exception):
    """The store reached MAX_BYTES or MAX_ROWS, or the disk is nearly full: nothing was written."""


HOLD_OUT_EVERY = 5  # one correction in five (by id) is kept out of training, to evaluate on
MIN_TO_HOLD_OUT = 10  # ... once there are this many; fewer all go to training


def split_feedback(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """(for training, held out for evaluation): the same split for `unspin train --feedback` and
    `unspin evaluate --feedback`."""
    if len(records) < MIN_TO_HOLD_OUT:
        return list(records), []
    # An export edited by hand may lack ids: its line number stands in.
    held_out = [int(r.get("id") or k) % HOLD_OUT_EVERY == 0 for k, r in enumerate(records, 1)]
    return ([r for r, h in zip(records, held_out) if not h], [r for r, h in zip(records, held_out) if h])


def default_data_dir() -> Path:
    """Where Unspin keeps the reader's data (see the module docstring)."""
    if os.environ.get("UNSPIN_DATA_DIR"):
        return Path(os.environ["UNSPIN_DATA_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "unspin"


def private_folder(path: Path | str) -> Path:
    """`path` created if missing and made 0700 whatever the umask (it holds the secret, readers'
    corrections, logs); returns it. Raises OSError when it cannot be."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


class FeedbackStore:
    """The corrections in DATA_DIR/feedback.sqlite3 (created, with its folder, on first write)."""

    def __init__(self, data_dir: Path | str):
        self.path = Path(data_dir) / FILE_NAME

    def _connect(self) -> sqlite3.Connection:
        """A read-write connection; creates the folder (0700) and the file (0600) when missing,
        and makes an existing file 0600 (older versions left it 0644)."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))  # never created with the umask's mode
        os.chmod(self.path, 0o600)
        # IMMEDIATE: a write takes the write lock when it begins, waiting BUSY_TIMEOUT for it. A
        # deferred one that read first fails at once when another writer got in between.
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level="IMMEDIATE")
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                # WAL (readers never block the one writer) stays set in the file. Switching a new
                # file to it needs a lock that SQLite does not wait for: another connection
                # creating the file at the same moment makes it fail at once, hence the retry.
                if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    connection.execute("PRAGMA journal_mode=WAL")
                connection.execute(SCHEMA)
                return connection
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    connection.close()
                    raise
                time.sleep(0.01)

    def _check_room(self, adding: int) -> None:
        """Raise Full when `adding` more bytes would pass MAX_BYTES or MIN_FREE_BYTES, or the store
        holds MAX_ROWS corrections."""
        used = sum(_size(p) for p in (self.path, self.path.with_name(FILE_NAME + "-wal")))
        if used and self._count() >= MAX_ROWS:
            raise Full(f"the corrections store holds {MAX_ROWS:,} corrections, its limit "
                       "(unspin feedback export, then clear)")
        if used + adding > MAX_BYTES:
            raise Full(f"the corrections store holds {used // 1_000_000} MB, its limit is "
                       f"{MAX_BYTES // 1_000_000} MB (unspin feedback export, then clear)")
        free = shutil.disk_usage(self.path.parent).free
        if free - adding < MIN_FREE_BYTES:
            raise Full(f"only {free // 1_000_000} MB are free on the disk of {self.path.parent}")

    def add(self, paragraph: str, start: int, end: int, label: str, original: str | None = None,
            url: str | None = None) -> int:
        """Store one correction (offsets in code points, already checked); returns its id.
        Raises Full (nothing stored)."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._check_room(4 * (len(paragraph) + len(original or "") + len(url or "")) + 256)
        connection = self._connect()
        try:
            with connection:
                cursor = connection.execute(
                    'INSERT INTO feedback (time, paragraph, start, "end", span, label, original, url) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (datetime.now(timezone.utc).isoformat(timespec="seconds"), paragraph, start, end,
                     paragraph[start:end], label, original, url))
                assert cursor.lastrowid is not None, "an INSERT gives its row's id"
                return cursor.lastrowid
        finally:
            connection.close()

    def _count(self) -> int:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT)
        try:
            return connection.execute("SELECT count(*) FROM feedback").fetchone()[0]
        except sqlite3.OperationalError:  # no table yet
            return 0
        finally:
            connection.close()

    def records(self) -> list[dict]:
        """Every correction, oldest first, as dicts with FIELDS."""
        return _read(self.path) if self.path.exists() else []

    def clear(self) -> int:
        """Delete every correction; returns how many there were."""
        if not self.path.exists():
            return 0
        connection = self._connect()
        try:
            with connection:
                n = connection.execute("DELETE FROM feedback").rowcount
            connection.execute("VACUUM")  # the deleted text leaves the file too
        finally:
            connection.close()
        return n


def read_feedback(path: Path | str) -> list[dict]:
    """Corrections from a feedback database (a DATA_DIR, or a .sqlite3 file) or from the JSON
    lines that `unspin feedback export` writes. A correction whose span, original or url holds
    a control or invisible character (`unsafe`; the API refuses them, a file from elsewhere may
    hold them) is left out, and said so on stderr. Raises FileNotFoundError, ValueError."""
    path = Path(path)
    if path.is_dir():
        records = FeedbackStore(path).records()
    elif not path.exists():
        raise FileNotFoundError(f"no feedback at {path}")
    elif path.suffix == ".sqlite3":
        records = _read(path)
    else:
        with open(path, encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle if line.strip()]
        for record in records:
            if record.get("label") not in LABELS or not isinstance(record.get("paragraph"), str):
                raise ValueError(f"{path}: not a feedback export (a line without label/paragraph)")
    safe = [r for r in records if not unsafe(r)]
    if len(safe) < len(records):
        print(f"{path}: {len(records) - len(safe)} correction(s) with control or invisible characters left out",
              file=sys.stderr)
    return safe


def unsafe(record: dict) -> list[str]:
    """The fields of a correction (span, original, url) that hold a control or invisible
    character (text.hidden_characters). A span may hold the in-word invisible characters that
    analysis reads past (a soft hyphen: text.INVISIBLE_RE), as marked page text does."""
    fields = []
    for name in ("span", "original", "url"):
        value = record.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or hidden_characters(INVISIBLE_RE.sub("", value) if name == "span" else value):
            fields.append(name)
    return fields


def _size(path: Path) -> int:
    """Bytes in a file, 0 when there is none (a write-ahead log goes when its last writer closes,
    so it may go between a check and a stat)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _read(path: Path) -> list[dict]:
    """Every correction of a feedback database, read-only and distrusting its schema (see the
    module docstring). Raises ValueError for a file that is not a feedback database."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
    try:
        connection.execute("PRAGMA trusted_schema=OFF")
        kind = connection.execute("SELECT type FROM sqlite_master WHERE name = 'feedback'").fetchone()
        columns = tuple(row[1] for row in connection.execute("PRAGMA table_info(feedback)"))
        if kind != ("table",) or columns != FIELDS:
            raise ValueError(f"{path}: not an Unspin feedback database (its 'feedback' is not the expected table)")
        rows = connection.execute(f"SELECT {COLUMNS} FROM feedback ORDER BY id").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"{path}: not a readable feedback database ({exc})") from None
    finally:
        connection.close()
    return [dict(zip(FIELDS, row)) for row in rows]


# --- `unspin feedback export|stats|clear` ------------------------------------------------------


def add_arguments(parser) -> None:
    parser.add_argument("action", choices=("export", "stats", "clear"),
                        help="export: print every correction as JSON lines; stats: count them; "
                             "clear: delete them all")
    parser.add_argument("--data-dir", default=None,
                        help="where the corrections are kept (default: $UNSPIN_DATA_DIR, else "
                             "~/.local/share/unspin)")
    parser.add_argument("--yes", action="store_true", help="clear without asking")


def main(args) -> int:
    store = FeedbackStore(args.data_dir or default_data_dir())
    if args.action == "export":
        for record in store.records():  # page text may hold terminal controls or bidi overrides
            print(escape_hidden(json.dumps(record, ensure_ascii=False)))
    elif args.action == "stats":
        records = store.records()
        labels = Counter(r["label"] for r in records)
        print(f"{len(records)} correction(s) in {store.path}: {labels['spun']} confirmed spun "
              f"({sum(1 for r in records if r['label'] == 'spun' and r['original'])} with the original), "
              f"{labels['not_spun']} dismissed")
        if records:
            print(f"oldest {records[0]['time']}, newest {records[-1]['time']}")
    else:
        if not args.yes:
            if not sys.stdin.isatty():
                print("error: clear deletes every correction; pass --yes to confirm", file=sys.stderr)
                return 2
            if input(f"Delete every correction in {store.path}? [y/N] ").strip().lower() != "y":
                print("Nothing deleted.")
                return 0
        print(f"Deleted {store.clear()} correction(s).")
        print("Models already retrained on them (unspin train --feedback) still hold what they learnt: "
              "delete those model folders, or train them again without --feedback.")
    return 0

"""Where a scan keeps its results: resumable Parquet parts, then one articles.parquet.

    DIR/scan.json          what is scanned (inputs, model): a resumed scan must match it
    DIR/parts/part-N.parquet   rows as they are made, PART_ROWS at a time (PART_SCHEMA)
    DIR/articles.parquet   every row once, with its group (SCHEMA), written at the end
    DIR/report.html        the report (report.py)

A part is written to a temporary name and renamed when complete, so a killed scan leaves only
whole parts; started again, it skips the documents whose keys are in them (`Parts.done`) and
loses at most the rows of the part it was filling. Memory holds one part's rows.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..engine.engine import VERDICTS
from .groups import group_articles

LIKELY_SPUN = VERDICTS[0]  # an article with this verdict is never named a source
PART_NAME = re.compile(r"part-\d{6}\.parquet")
PART_ROWS = 32  # rows per part; a part is also written when PART_SECONDS have passed
PART_SECONDS = 60.0

SUGGESTION = pa.struct([("text", pa.string()), ("score", pa.float64())])
SPAN = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()), ("score", pa.float64()),
                  ("suggestions", pa.list_(SUGGESTION))])
_ARTICLE = [
    ("key", pa.string()),  # input file and position (inputs.Document.key)
    ("seq", pa.int64()),  # order in the inputs
    ("id", pa.string()),
    ("source", pa.string()),  # the input file
    ("url", pa.string()),
    ("title", pa.string()),
    ("date", pa.string()),
    ("text", pa.string()),  # the article text analysed (extracted from HTML where it was a page)
    ("words", pa.int64()),
    ("verdict", pa.string()),
    ("score", pa.float64()),  # the article's evidence (share of words likely spun, smoothed)
    ("spun_words", pa.int64()),
    ("spans", pa.list_(SPAN)),  # code-point offsets into `text`; suggestions best first
    ("restored", pa.string()),  # `text` with each span replaced by its first suggestion
]
_END = [("model_version", pa.string()), ("error", pa.string())]
PART_SCHEMA = pa.schema(_ARTICLE + [("minhash", pa.binary()), ("analysis_ms", pa.float64()), ("lm_ms", pa.float64())]
                        + _END)
GROUP_COLUMNS = [("group", pa.int64()), ("likely_source", pa.string()), ("source_overlap", pa.float64())]
SCHEMA = pa.schema(_ARTICLE + GROUP_COLUMNS + _END)


class ScanMismatch(ValueError):
    """DIR holds another scan (other inputs, model or settings) or a damaged one (the message
    says which and what to do)."""


def claim(folder: Path, manifest: dict) -> None:
    """Start a scan in `folder`, or resume the one there. manifest: what the rows depend on
    (inputs, model, settings), plus `started`. Raises ScanMismatch when the scan there differs
    in any of them or its scan.json is damaged, OSError when the folder cannot be written."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scan.json"
    if path.exists():
        try:
            before = json.loads(path.read_text())
        except ValueError:
            raise ScanMismatch(f"{path} is damaged; delete {folder} to start again") from None
        for field in manifest.keys() - {"started"}:
            if before.get(field) != manifest[field]:
                raise ScanMismatch(f"{folder} holds a scan with another setting of {field.replace('_', ' ')} "
                                   f"({before.get(field)}); "
                                   "choose another --out folder, or delete it to start again")
        return
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(manifest, indent=2))
    os.replace(temporary, path)


class Parts:
    """The parts folder: the keys already done, and new rows written a part at a time."""

    def __init__(self, folder: Path):
        self.folder = folder / "parts"
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in self.folder.glob("*.tmp"):  # a part being written when a scan was killed
            stale.unlink()
        self._rows: list[dict] = []
        self._since = time.monotonic()
        self._next = 1 + max((int(p.stem.split("-")[1]) for p in self.paths()), default=-1)

    def paths(self) -> list[Path]:
        return sorted(p for p in self.folder.glob("part-*.parquet") if PART_NAME.fullmatch(p.name))

    def done(self) -> set[str]:
        """Keys of the documents whose rows are stored. Raises ScanMismatch for a part that is not
        one this scan wrote."""
        keys = set()
        for path in self.paths():
            try:
                keys.update(pq.read_table(path, columns=["key"])["key"].to_pylist())
            except (pa.ArrowException, OSError):
                raise ScanMismatch(f"{path} is damaged: delete it (its rows are scanned again)") from None
        return keys

    def add(self, rows: list[dict]) -> None:
        self._rows.extend(rows)
        if len(self._rows) >= PART_ROWS or time.monotonic() - self._since > PART_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write the rows added so far as one part (atomically)."""
        self._since = time.monotonic()
        if not self._rows:
            return
        table = pa.Table.from_pylist(self._rows, schema=PART_SCHEMA)
        path = self.folder / f"part-{self._next:06d}.parquet"
        temporary = path.with_suffix(".tmp")
        with open(temporary, "wb") as handle:
            pq.write_table(table, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        self._next += 1
        self._rows = []

    def totals(self) -> dict:
        """Rows, errors and the summed analysis and LM time (ms) of every stored row."""
        columns = ["error", "analysis_ms", "lm_ms"]
        table = pa.concat_tables([pq.read_table(p, columns=columns) for p in self.paths()]) if self.paths() \
            else pa.table({c: [] for c in columns})
        errors = table["error"].drop_null()
        analysed = table.filter(table["error"].is_null())
        # pyarrow.compute makes its functions when imported: the type checker cannot see `sum`
        return {"rows": table.num_rows, "errors": len(errors),
                "analysis_ms": float(pc.sum(analysed["analysis_ms"]).as_py() or 0),  # pyright: ignore[reportAttributeAccessIssue]
                "lm_ms": float(pc.sum(analysed["lm_ms"]).as_py() or 0)}  # pyright: ignore[reportAttributeAccessIssue]


def finish(folder: Path) -> Path:
    """Group the stored rows (groups.group_articles) and write DIR/articles.parquet: every row
    once, in the order the parts were written, with the GROUP_COLUMNS (SCHEMA). Reads the
    signatures of all rows, then one part at a time."""
    parts = Parts(folder)
    paths = parts.paths()
    needed = ["id", "verdict", "score", "minhash"]
    index = pa.concat_tables([pq.read_table(p, columns=needed) for p in paths]) if paths \
        else pa.table({c: pa.array([], PART_SCHEMA.field(c).type) for c in needed})
    grouping = group_articles(index["id"].to_pylist(), index["minhash"].to_pylist(), index["score"].to_pylist(),
                              [v != LIKELY_SPUN for v in index["verdict"].to_pylist()])
    out = folder / "articles.parquet"
    temporary = out.with_suffix(".tmp")
    with pq.ParquetWriter(temporary, SCHEMA) as writer:
        start = 0
        for path in paths:
            table = pq.read_table(path)
            stop = start + table.num_rows
            extra = {"group": grouping.group[start:stop], "likely_source": grouping.likely_source[start:stop],
                     "source_overlap": grouping.source_overlap[start:stop]}
            columns = {name: table[name] if name in table.column_names else pa.array(extra[name], type)
                       for name, type in zip(SCHEMA.names, SCHEMA.types)}
            writer.write_table(pa.table(columns, schema=SCHEMA))
            start = stop
    os.replace(temporary, out)
    return out

"""What a local scan knows about a page: the likely source of a spun copy (groups.py), by address.

`unspin serve --scan DIR` loads DIR/articles.parquet (store.finish) once, at start: for every
scanned article with a `likely_source`, its address maps to that source's address, title, id
and estimated overlap. POST /api/v1/source answers from this table, so the extension can show a
page's source from the reader's own scan before any web search; nothing is read per request.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

COLUMNS = ["id", "url", "title", "likely_source", "source_overlap"]


def address_key(url: str) -> str:
    """The form addresses are compared in: scheme and host lower-cased, no fragment, no
    trailing slash on the path ("HTTPS://News.example/a/#top" -> "https://news.example/a")."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), parts.query, ""))


class ScanNotFinished(FileNotFoundError):
    """A folder given as a scan holds no finished one (no articles.parquet)."""


class Sources:
    """Address of a scanned copy -> its likely source ({"url", "title", "id", "overlap"})."""

    def __init__(self, table: dict[str, dict] | None = None):
        self._table = table or {}

    @classmethod
    def load(cls, folders: list[str | Path]) -> "Sources":
        """Read each scan folder's articles.parquet. Raises ScanNotFinished for a folder without
        one (a scan not finished yet: `unspin scan` writes it last)."""
        import pyarrow.parquet as pq  # the scan extra, needed only by a server given scans

        table: dict[str, dict] = {}
        for folder in folders:
            path = Path(folder) / "articles.parquet"
            if not path.is_file():
                raise ScanNotFinished(f"{folder} holds no finished scan (no articles.parquet)")
            rows = pq.read_table(path, columns=COLUMNS).to_pylist()
            by_id = {row["id"]: row for row in rows}
            for row in rows:
                source = by_id.get(row["likely_source"]) if row["likely_source"] else None
                if source is not None and row["url"] and source["url"]:
                    table[address_key(row["url"])] = {"url": source["url"], "title": source["title"] or "",
                                                      "id": source["id"], "overlap": row["source_overlap"]}
        return cls(table)

    def __len__(self) -> int:
        return len(self._table)

    def lookup(self, url: str) -> dict | None:
        """The likely source of the page at `url`, or None when no loaded scan names one."""
        return self._table.get(address_key(url))

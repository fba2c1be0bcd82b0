"""Measure how `unspin scan` grouped a test crawl (`unspin crawl`) against the crawl's truth.

    unspin grouping --scan scan-1 --truth crawl.warc.gz.truth.jsonl

Prints, matching pages by URL:
- copies_with_source: share of spun copies in the same group as their source page;
- source_named: share of copies whose likely_source is their source page;
- wrongly_grouped: share of all analysed pages in a group with a page of another story
  (unrelated pages are each their own story);
- the scan's speed figures (summary.json).
Target (the scan issue): copies_with_source >= 0.90 and wrongly_grouped < 0.02.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("--scan", required=True, help="the --out folder of `unspin scan`")
    parser.add_argument("--truth", required=True, help="the crawl's .truth.jsonl (`unspin crawl`)")


def grouping_figures(rows: list[dict], truth: dict[str, dict]) -> dict:
    """rows: {url, id, group, likely_source, error} of the scan; truth: url -> crawl truth line."""
    by_url = {r["url"]: r for r in rows if r["error"] is None and r["url"] in truth}
    story = {url: truth[url]["story"] or url for url in by_url}
    members = defaultdict(set)
    for url, row in by_url.items():
        if row["group"] is not None:
            members[row["group"]].add(story[url])
    copies = [url for url in by_url if truth[url]["role"] == "copy"]
    with_source = [u for u in copies if by_url[u]["group"] is not None and story[u] in by_url
                   and by_url[story[u]]["group"] == by_url[u]["group"]]
    named = [u for u in copies if story[u] in by_url and by_url[u]["likely_source"] == by_url[story[u]]["id"]]
    wrong = [u for u, r in by_url.items() if r["group"] is not None and members[r["group"]] != {story[u]}]
    return {"pages": len(by_url), "copies": len(copies), "groups": len(members),
            "copies_with_source": round(len(with_source) / len(copies), 4) if copies else None,
            "source_named": round(len(named) / len(copies), 4) if copies else None,
            "wrongly_grouped": round(len(wrong) / len(by_url), 4) if by_url else None}


def main(args) -> int:
    import pyarrow.parquet as pq

    folder = Path(args.scan)
    rows = pq.read_table(folder / "articles.parquet", columns=["url", "id", "group", "likely_source", "error"]).to_pylist()
    with open(args.truth, encoding="utf-8") as handle:
        truth = {line["url"]: line for line in map(json.loads, handle)}
    figures = grouping_figures(rows, truth)
    summary = folder / "summary.json"
    if summary.exists():
        figures["scan"] = json.loads(summary.read_text())
    print(json.dumps(figures, indent=2))
    return 0

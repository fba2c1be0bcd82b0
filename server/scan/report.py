"""The scan's report: one self-contained HTML file (plots embedded as PNG, no network).

Sections: the figures of the scan; the distribution of article scores by verdict; the share of
spun articles per site (registrable domain, from the Public Suffix List copy inside tldextract,
never downloaded); the most frequent substitutions (spun wording -> first suggestion); the
groups of copies with their likely source; the worst articles with their marks shaded as the
extension shades them (server/mark-levels.json) and their suggestions on hover; why documents
failed. Plots are drawn by matplotlib; the page by a Jinja2 template (report.html.j2) that
escapes all page and model text, and shows the hidden characters of addresses, titles and ids
(bidi overrides, controls: text.escape_hidden) as escapes, so that none reorders what the reader
sees. Reads articles.parquet one batch at a time, the worst articles' texts last.
"""

from __future__ import annotations

import base64
import heapq
import io
import json
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

import pyarrow.parquet as pq

from ..engine.engine import VERDICTS
from ..text import escape_hidden, hidden_characters

WORST = 10  # articles shown with their marks
TOP_SITES = 20
TOP_SUBSTITUTIONS = 30
TOP_ERRORS = 10
_LEVELS = json.loads((Path(__file__).resolve().parent.parent / "mark-levels.json").read_text())
_COLUMNS = ["seq", "id", "url", "title", "date", "verdict", "score", "spans", "group", "likely_source",
            "source_overlap", "error"]


def level(score: float) -> str:
    """The shade of a mark of this P(spun) (mark-levels.json: the first level whose min it reaches)."""
    return next((lv["name"] for lv in _LEVELS["levels"] if score >= lv["min"]), _LEVELS["otherwise"])


def link(url: str | None) -> str:
    """An http(s) URL as it may be linked, its hidden characters (text.hidden_characters: bidi
    overrides, controls) percent-encoded; anything else (javascript:, data:, none) -> "#"."""
    if not (url and url.lower().startswith(("http://", "https://"))):
        return "#"
    hidden = set(hidden_characters(url))
    return "".join(quote(ch, safe="") if ch in hidden else ch for ch in url)


def _site(url: str | None, extract) -> str:
    if not url or link(url) == "#":
        return "(no web address)"
    found = extract(url.lower())
    return found.top_domain_under_public_suffix or found.fqdn or found.domain or "(no site)"


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _plots(scores: dict[str, list[float]], sites: list[tuple[str, int, int]]) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots = {}
    figure, axes = plt.subplots(figsize=(7, 3.2))
    axes.hist([scores[v] for v in VERDICTS], bins=20, range=(0, 1), stacked=True, label=list(VERDICTS),
              color=["#c92a2a", "#e8590c", "#2b8a3e"])
    axes.set_xlabel("article score (share of words likely spun, smoothed)")
    axes.set_ylabel("articles")
    axes.legend(frameon=False)
    plots["scores"] = _png(figure)
    plt.close(figure)
    if sites:
        figure, axes = plt.subplots(figsize=(7, 0.3 * len(sites) + 1))
        names = [s[0] for s in sites][::-1]
        axes.barh(names, [s[2] / s[1] for s in sites][::-1], color="#e8590c")
        axes.set_xlim(0, 1)
        axes.set_xlabel("share of the site's analysed articles marked spun")
        plots["sites"] = _png(figure)
        plt.close(figure)
    return plots


def segments(text: str, spans: list[dict]) -> list[dict]:
    """The text cut at its spans: [{"text", "mark": None or {"level", "score", "suggestions"}}]."""
    out, pos = [], 0
    for span in spans:
        out.append({"text": text[pos : span["start"]], "mark": None})
        out.append({"text": text[span["start"] : span["end"]],
                    "mark": {"level": level(span["score"]), "score": span["score"],
                             "suggestions": " · ".join(f"{s['text']} ({s['score']:.0%})" for s in span["suggestions"])}})
        pos = span["end"]
    out.append({"text": text[pos:], "mark": None})
    return out


def write_report(articles: Path, out: Path, summary: dict) -> None:
    """Write the report of an articles.parquet (store.SCHEMA) to `out`; summary: command.figures."""
    import jinja2
    import tldextract

    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # the bundled list only
    scores: dict[str, list[float]] = {v: [] for v in VERDICTS}
    per_site: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # analysed, marked spun
    substitutions: Counter = Counter()
    errors: Counter = Counter()
    groups: dict[int, list[dict]] = defaultdict(list)
    worst: list[tuple[float, int]] = []
    for batch in pq.ParquetFile(articles).iter_batches(columns=_COLUMNS, batch_size=1024):
        for row in batch.to_pylist():
            if row["error"] is not None:
                errors[row["error"].split(":")[0]] += 1
                continue
            scores[row["verdict"]].append(row["score"])
            counts = per_site[_site(row["url"], extract)]
            counts[0] += 1
            counts[1] += row["verdict"] != VERDICTS[-1]
            substitutions.update((s["text"].lower(), s["suggestions"][0]["text"].lower())
                                 for s in row["spans"] if s["suggestions"])
            if row["group"] is not None:
                groups[row["group"]].append({k: row[k] for k in ("id", "url", "title", "date", "verdict",
                                                                  "likely_source", "source_overlap")})
            if row["spans"]:
                item = (row["score"], -row["seq"])
                (heapq.heappush if len(worst) < WORST else heapq.heappushpop)(worst, item)
    sites = sorted(((name, c[0], c[1]) for name, c in per_site.items()), key=lambda s: (-s[1], s[0]))[:TOP_SITES]
    environment = jinja2.Environment(loader=jinja2.PackageLoader("unspin.scan", "."), autoescape=True)
    environment.filters["link"] = link
    environment.filters["shown"] = lambda value: escape_hidden(value) if isinstance(value, str) else value
    html = environment.get_template("report.html.j2").render(
        summary=summary, verdicts={v: len(scores[v]) for v in VERDICTS}, plots=_plots(scores, sites), sites=sites,
        substitutions=substitutions.most_common(TOP_SUBSTITUTIONS), errors=errors.most_common(TOP_ERRORS),
        groups=_described(groups), worst=_worst_articles(articles, sorted(worst, reverse=True)))
    out.write_text(html, encoding="utf-8")


def _described(groups: dict[int, list[dict]]) -> list[dict]:
    """Groups with a likely source first, largest first: {number, source (a member or None), copies}."""
    described = []
    for number, members in groups.items():
        by_id = {m["id"]: m for m in members}
        named = Counter(m["likely_source"] for m in members if m["likely_source"])
        source = by_id.get(named.most_common(1)[0][0]) if named else None
        described.append({"number": number, "source": source, "copies": [m for m in members if m is not source]})
    return sorted(described, key=lambda g: (g["source"] is None, -len(g["copies"]), g["number"]))


def _worst_articles(articles: Path, worst: list[tuple[float, int]]) -> list[dict]:
    """The rows of `worst` ((score, -seq), worst first) with their text cut into `segments`."""
    if not worst:
        return []
    rows = pq.read_table(articles, columns=["seq", "id", "url", "title", "score", "verdict", "text", "spans"],
                         filters=[("seq", "in", [-seq for _, seq in worst])]).to_pylist()
    for row in rows:
        row["segments"] = segments(row.pop("text"), row.pop("spans"))
    found = {row["seq"]: row for row in rows}
    return [found[-seq] for _, seq in worst]

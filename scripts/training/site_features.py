"""Score dataset articles with the serving `score` stage and store each site's features and label.

    python -m unspin.scripts.training.site_features --data data/spun --split train --articles 300 --out runs/features

One JSON line per article in OUT/SPLIT.jsonl, appended as each article is done, so a stopped run
resumes where it stopped (articles already in the file are skipped). A site is labelled 1 when
every word it covers was substituted by the spinner, 0 when none was, -1 when mixed.
"""

from __future__ import annotations

import json
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
from tqdm import tqdm

from unspin.scripts.data.split import choose, read_split, span_originals, strata


def add_arguments(parser) -> None:
    parser.add_argument("--data", required=True, help="dataset folder (unspin dataset)")
    parser.add_argument("--split", required=True)
    parser.add_argument("--articles", type=int, default=200, help="articles to score (a seeded random choice)")
    parser.add_argument("--spun-share", type=float, default=None,
                        help="share of the chosen articles that are spun (by the held-out profiles in the test split), "
                             "the rest clean")
    parser.add_argument("--candidates", required=True, help="candidates.tsv.gz of the model")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ranker", help="the model's ranker.txt (the features of the best ranked candidate need it)")


def gold_words(record: dict, paragraph_words) -> dict[int, str]:
    """Word index -> original wording of its gold span, for the substituted words of a paragraph."""
    out = {}
    for span in record["spans"]:
        for k, w in enumerate(paragraph_words):
            if span["start"] <= w.start < span["end"]:
                out[k] = span["original"]
    return out


def site_rows(scored, records: list[dict]) -> dict:
    gold = [gold_words(r, ws) for r, ws in zip(records, scored.words)]
    rows = []
    for s in scored.sites:
        inside = [k in gold[s.paragraph] for k in range(*s.words)]
        label = 1 if all(inside) else 0 if not any(inside) else -1
        rows.append({"p": s.paragraph, "w": list(s.words), "win": s.window, "y": label, "x": [round(float(v), 4) for v in s.features]})
    return {
        "words": [len(ws) for ws in scored.words],
        "gold": [sorted(g) for g in gold],
        "profiles": [r["profile"] for r in records],
        **strata(records),
        "sites": rows,
    }


def continuations_file(candidates: Path) -> Path:
    """Where the continuation log-probabilities of a candidate table are kept: beside it."""
    return candidates.parent / "continuations.tsv.gz"


@lru_cache(maxsize=1)
def serving_lm():
    """The LM as the server loads it, once per process (training scores train and dev with it)."""
    from unspin.lm.load import load_lm

    return load_lm()


def scorer(table, continuation: dict[str, float], ranker: str | None = None):
    """An engine that scores as the server does (its `score` stage, with the serving LM), for a
    candidate table that has no detector yet; ranker: the candidate ranker's text (ranking.py),
    None before it is trained."""
    from unspin.engine.engine import Engine
    from unspin.engine.ranking import CandidateRanker

    return Engine.scorer(serving_lm(), table, continuation, CandidateRanker(ranker, 1.0) if ranker else None)


def build_continuations(candidates: Path) -> dict[str, float]:
    """The continuations of a table's candidates, computed with the LM the first time (minutes)."""
    from unspin.engine.model import CandidateTable, candidate_wordings, read_continuations, save_continuations
    from unspin.engine.score import continuations

    path = continuations_file(candidates)
    if path.exists():
        return read_continuations(path)
    wordings = candidate_wordings(CandidateTable.read(candidates))
    print(f"computing how {len(wordings):,} candidate wordings continue (once per table, a few minutes)")
    started = time.monotonic()
    continuation = continuations(serving_lm(), wordings, progress=True)
    save_continuations(path, continuation)
    print(f"{len(continuation):,} multi-token wordings in {time.monotonic() - started:.0f} s")
    return continuation


def pending(path: Path, chosen: list[str], label: str) -> list[str]:
    """The chosen article ids not yet in the JSONL file at `path` (made if needed),
    with a line saying how many are done and to go."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()  # an empty file for none at all
    done = {json.loads(line)["article"] for line in open(path, encoding="utf-8")}
    todo = [a for a in chosen if a not in done]
    print(f"{label}: {len(chosen) - len(todo)} articles already scored, {len(todo)} to go")
    return todo


def extract(data: Path, split: str, n_articles: int, candidates: Path, out: Path, seed: int = 1,
            spun_share: float | None = None, ranker: str | None = None) -> Path:
    """Score the chosen articles of a split into OUT/SPLIT.jsonl (resumable), with the candidate
    ranker whose text is `ranker` (its features depend on it); returns that path."""
    from unspin.engine.model import CandidateTable, read_continuations

    articles = read_split(data / f"{split}.jsonl")
    chosen = choose(articles, n_articles, seed, spun_share)
    path = out / f"{split}.jsonl"
    todo = pending(path, chosen, split)
    if not todo:
        return path
    engine = scorer(CandidateTable.read(candidates), read_continuations(continuations_file(candidates)), ranker)
    started = time.monotonic()
    with open(path, "a", encoding="utf-8") as f:
        for aid in tqdm(todo, unit="article", desc=f"scoring {split}"):
            records = articles[aid]
            scored = engine.score([r["text"] for r in records])
            f.write(json.dumps({"article": aid, **site_rows(scored, records)}) + "\n")
            f.flush()
    print(f"{split}: scored {len(todo)} articles in {time.monotonic() - started:.0f} s")
    return path


def extract_looks(model: Path, data: Path, split: str, chosen: list[str], path: Path) -> Path:
    """The second look (unspin.engine.second_look) at the chosen articles of a split, through the engine of
    the model at `model` (its detector decides which sites are looked at): one JSON line per
    article in `path`, {"article", "looks": [[paragraph, first word, last word + 1, P(spun),
    both-sides ratio, label (site_rows')], ...]} for its band sites (resumable, like `extract`)."""
    from unspin.engine.engine import Engine

    articles = read_split(data / f"{split}.jsonl")
    todo = pending(path, chosen, f"second look {split}")
    if not todo:
        return path
    engine = Engine.load(model, cache_size=0)
    engine.looks = True
    with open(path, "a", encoding="utf-8") as f:
        for aid in tqdm(todo, unit="article", desc=f"second look {split}"):
            records = articles[aid]
            scored = engine.score([r["text"] for r in records])
            p = engine.loaded.detect(scored.sites)
            labels = [row["y"] for row in site_rows(scored, records)["sites"]]
            looks = [[s.paragraph, *s.words, round(float(pk), 4), s.both_sides, y]
                     for s, pk, y in zip(scored.sites, p, labels) if s.both_sides is not None]
            f.write(json.dumps({"article": aid, "looks": looks}) + "\n")
            f.flush()
    return path


def read_looks(path: Path) -> dict[str, list]:
    """Article id -> its band sites' looks, as `extract_looks` wrote them."""
    with open(path, encoding="utf-8") as f:
        return {a["article"]: a["looks"] for a in map(json.loads, f)}


def extract_ranking(data: Path, split: str, n_articles: int, candidates: Path, out: Path, seed: int = 1) -> Path:
    """The candidate ranker's training groups, from the spun sites of the chosen articles of a
    split, scored by the serving `score` stage with every candidate kept: one JSON line per
    article in OUT/ranking-SPLIT.jsonl, {"article", "groups": [{"x": [[RANK_FEATURES] per
    candidate], "y": [1 for the original, else 0]}]}, a group per site whose words are exactly a
    gold span and whose original is among its candidates, with the site's wording and its
    candidates (lower case, in the rows' order: "wording", "words"; resumable, like `extract`)."""
    from unspin.engine.model import CandidateTable, read_continuations
    from unspin.engine.score import score

    articles = read_split(data / f"{split}.jsonl")
    chosen = [a for a in choose(articles, len(articles), seed, None) if any(r["spans"] for r in articles[a])][:n_articles]
    path = out / f"ranking-{split}.jsonl"
    todo = pending(path, chosen, f"ranking {split}")
    if not todo:
        return path
    table, continuation = CandidateTable.read(candidates), read_continuations(continuations_file(candidates))
    with open(path, "a", encoding="utf-8") as f:
        for aid in tqdm(todo, unit="article", desc=f"ranking {split}"):
            records = articles[aid]
            groups, gold = [], span_originals(records)
            for site in score(serving_lm(), table, [r["text"] for r in records], continuation, keep_all=True).sites:
                assert site.ranking is not None, "keep_all keeps every site's ranking"
                words, x = site.ranking
                relevance = [int(w == gold[site.paragraph].get((site.start, site.end))) for w in words]
                if any(relevance):
                    groups.append({"x": [[round(float(v), 4) for v in row] for row in x], "y": relevance,
                                   "wording": site.text.lower(), "words": words})
            f.write(json.dumps({"article": aid, "groups": groups}) + "\n")
            f.flush()
    return path


def read_ranking(path: Path, limit: int, words: bool = False) -> list[tuple]:
    """The (features, relevance) groups of the first `limit` articles of a ranking file; words:
    (features, relevance, the site's wording, its candidates) instead."""
    with open(path, encoding="utf-8") as f:
        articles = [json.loads(line) for _, line in zip(range(limit), f)]
    return [(np.array(g["x"], dtype=np.float32), np.array(g["y"]), *((g["wording"], g["words"]) if words else ()))
            for a in articles for g in a["groups"]]


def feedback_rows(records: list[dict], table, continuation: dict[str, float], ranker: str | None = None) -> list[dict]:
    """Site rows ({"x", "y"}) from readers' corrections (unspin.feedback): each paragraph is scored
    by the serving `score` stage; a site inside a span the reader confirmed as spun is labelled 1,
    a site overlapping a span the reader dismissed 0 (a hard negative)."""
    from unspin.text import visible

    rows = []
    engine = scorer(table, continuation, ranker)
    scored_paragraphs = {}  # a paragraph often carries several corrections: scored once
    for record in tqdm(records, unit="correction", desc="scoring corrections"):
        seen = visible(record["paragraph"])
        start, end = seen.seen(record["start"], record["end"])
        if seen.text not in scored_paragraphs:
            scored_paragraphs[seen.text] = engine.score([seen.text]).sites
        for site in scored_paragraphs[seen.text]:
            if record["label"] == "spun" and start <= site.start and site.end <= end:
                rows.append({"x": [float(v) for v in site.features], "y": 1})
            elif record["label"] == "not_spun" and site.start < end and start < site.end:
                rows.append({"x": [float(v) for v in site.features], "y": 0})
    return rows


def read_features(path: Path, limit: int | None = None) -> list[dict]:
    """The first `limit` articles of a features file. Raises ValueError for a file scored with
    other features than this version computes (delete it to score again)."""
    from unspin.engine.score import FEATURES

    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    if any(len(s["x"]) != len(FEATURES) for a in rows[:1] for s in a["sites"][:1]):
        raise ValueError(f"{path} holds other features than {len(FEATURES)}: delete it to score again")
    return rows[:limit] if limit else rows


def main(args) -> int:
    build_continuations(Path(args.candidates))
    extract(Path(args.data), args.split, args.articles, Path(args.candidates), Path(args.out), args.seed,
            args.spun_share, Path(args.ranker).read_text() if args.ranker else None)
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    raise SystemExit(main(parser.parse_args()))

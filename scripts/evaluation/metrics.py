"""Word-level detection figures of decided articles, shared by evaluation and training's dev check.

An *article* here is a dict with, per paragraph, its word count (`words`), the indices of its
substituted words (`gold`), its spinner profile (`profiles`, "clean" for untouched paragraphs),
the marked spans as (paragraph, first word, last word + 1) triples (`marked`), and the article's
strata (`short`, `density`: site_features.strata).
"""

from __future__ import annotations

from typing import Any

from unspin.engine.model import PROFILE_GROUPS as GROUPS  # the names' one owner

MAX_FALSE_HIGHLIGHTS = 0.3  # per 1,000 words of clean articles: the product's target ...
MAX_SHORT_FALSE_MARKS = 1.0  # ... and marks per SHORT_TEXTS clean short texts (a reader counts per page)
MIN_STRATUM_PRECISION = 0.7  # the decision maximises recall on short or light pages at this precision there
SHORT_TEXTS = 20
# Strata of spun articles (unspin dataset): short pages (60-300 words), light and partial spinning,
# and the union the decision is chosen for (`unspin train`).
STRATA = {
    "short": lambda a: a["short"],
    "light": lambda a: a["density"] == "light",
    "partial": lambda a: a["density"] == "partial",
    "long, normal": lambda a: not a["short"] and a["density"] == "normal",
    "short or light": lambda a: a["short"] or a["density"] == "light",
}


def heldout_profiles() -> frozenset[str]:
    from unspin.scripts.data.spinner import PROFILES

    return frozenset(p.name for p in PROFILES if p.heldout)


def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def word_metrics(articles) -> dict:
    """Word P/R/F1 per profile group and per profile over spun paragraphs; per stratum of spun
    articles (STRATA) over all their paragraphs, so that a mark in an untouched paragraph of a
    partly spun page counts against precision; false highlights (marked spans) per 1,000 words
    of clean articles and per SHORT_TEXTS clean short texts: what a reader of an unspun article
    sees (the product's targets: MAX_FALSE_HIGHLIGHTS, MAX_SHORT_FALSE_MARKS). Marks in the
    untouched paragraphs of spun articles are reported on their own."""
    held = heldout_profiles()
    counts = {g: [0, 0, 0] for g in GROUPS}  # tp, predicted, gold
    profiles: dict[str, list[int]] = {}
    strata = {name: [0, 0, 0] for name in STRATA}
    clean_words = clean_spans = clean_short = clean_short_spans = 0
    inner_words = inner_spans = 0  # untouched paragraphs of spun articles
    for article in articles:
        clean_article = all(profile == "clean" for profile in article["profiles"])
        marked = [set() for _ in article["words"]]
        spans = [0] * len(article["words"])
        for p, a, b in article["marked"]:
            marked[p].update(range(a, b))
            spans[p] += 1
        if clean_article and article["short"]:
            clean_short += 1
            clean_short_spans += sum(spans)
        if not clean_article:
            found = [len(set(g) & m) for g, m in zip(article["gold"], marked)]
            for name, member in STRATA.items():
                if member(article):
                    c = strata[name]
                    c[0] += sum(found)
                    c[1] += sum(map(len, marked))
                    c[2] += sum(map(len, article["gold"]))
        for p, profile in enumerate(article["profiles"]):
            if profile == "clean":
                if clean_article:
                    clean_words += article["words"][p]
                    clean_spans += spans[p]
                else:
                    inner_words += article["words"][p]
                    inner_spans += spans[p]
                continue
            gold = set(article["gold"][p])
            for c in (counts[GROUPS[1] if profile in held else GROUPS[0]], profiles.setdefault(profile, [0, 0, 0])):
                c[0] += len(gold & marked[p])
                c[1] += len(marked[p])
                c[2] += len(gold)
    out: dict[str, Any] = {g: prf(*c) for g, c in counts.items() if c[2]}  # groups with substitutions only
    out["all profiles"] = prf(*(sum(c[i] for c in counts.values()) for i in range(3)))
    out["profiles"] = {name: prf(*c) for name, c in sorted(profiles.items())}
    out["strata"] = {name: {**prf(*c), "gold_words": c[2]} for name, c in strata.items() if c[2]}
    out["false_highlights_per_1000_words"] = round(1000 * clean_spans / clean_words, 3) if clean_words else None
    out["clean_words"] = clean_words
    out[f"false_marks_per_{SHORT_TEXTS}_clean_short_texts"] = (
        round(SHORT_TEXTS * clean_short_spans / clean_short, 3) if clean_short else None)
    out["clean_short_texts"] = clean_short
    out["marks_per_1000_untouched_words_of_spun_articles"] = (
        round(1000 * inner_spans / inner_words, 3) if inner_words else None)
    return out


def meets_false_highlight_targets(m: dict) -> bool:
    """word_metrics `m` within both false-highlight targets (a target without data is met)."""
    return (m["false_highlights_per_1000_words"] or 0.0) <= MAX_FALSE_HIGHLIGHTS and \
        (m[f"false_marks_per_{SHORT_TEXTS}_clean_short_texts"] or 0.0) <= MAX_SHORT_FALSE_MARKS

"""Word-level detection figures of decided articles, shared by evaluation and training's dev check.

An *article* here is a dict with, per paragraph, its word count (`words`), the indices of its
substituted words (`gold`), its spinner profile (`profiles`, "clean" for untouched paragraphs),
and the marked spans as (paragraph, first word, last word + 1) triples (`marked`).
"""

from __future__ import annotations

from unspin.model import PROFILE_GROUPS as GROUPS  # the names' one owner

MAX_FALSE_HIGHLIGHTS = 0.5  # per 1,000 clean words: the product's target


def heldout_profiles() -> frozenset[str]:
    from unspin.scripts.data.spinner import PROFILES

    return frozenset(p.name for p in PROFILES if p.heldout)


def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def word_metrics(articles) -> dict:
    """Word P/R/F1 per profile group over spun paragraphs, and false highlights (marked spans)
    per 1,000 words of clean articles: what a reader of an unspun article sees (the product's
    target is MAX_FALSE_HIGHLIGHTS). Marks in the untouched
    paragraphs of spun articles are reported on their own."""
    held = heldout_profiles()
    counts = {g: [0, 0, 0] for g in GROUPS}  # tp, predicted, gold
    clean_words = clean_spans = 0
    inner_words = inner_spans = 0  # untouched paragraphs of spun articles
    for article in articles:
        clean_article = all(profile == "clean" for profile in article["profiles"])
        marked = [set() for _ in article["words"]]
        spans = [0] * len(article["words"])
        for p, a, b in article["marked"]:
            marked[p].update(range(a, b))
            spans[p] += 1
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
            c = counts[GROUPS[1] if profile in held else GROUPS[0]]
            c[0] += len(gold & marked[p])
            c[1] += len(marked[p])
            c[2] += len(gold)
    out = {g: prf(*c) for g, c in counts.items() if c[2]}  # groups with substitutions only
    out["all profiles"] = prf(*(sum(c[i] for c in counts.values()) for i in range(3)))
    out["false_highlights_per_1000_words"] = round(1000 * clean_spans / clean_words, 3) if clean_words else None
    out["clean_words"] = clean_words
    out["marks_per_1000_untouched_words_of_spun_articles"] = (
        round(1000 * inner_spans / inner_words, 3) if inner_words else None)
    return out

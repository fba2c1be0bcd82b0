"""Measure a model on articles it never saw, and on the real inputs, at its default settings.

    unspin evaluate --data data/spun --model models/unspin-lm [--articles 300] [--tortured FILE]
                    [--out metrics.json] [--update-card] [--feedback CORRECTIONS] [--baseline OLD_MODEL]

Every article goes through the engine's stages (score -> decide -> restore) as one document,
exactly as the server runs it. Printed and stored:
- word precision / recall / F1 over the training spinner profiles and the held-out profiles
  (a spinner whose dictionary was never used in training), false highlights (marked spans) per
  1,000 words of clean paragraphs, and the share of clean / spun articles given each verdict;
- restoration top-1 / top-3 over correctly detected spans (a mark equal to a gold span);
- calibration: the expected calibration error (ECE, BINS equal-width bins) of P(spun) over the
  test articles' sites (labelled 1 when all their words were substituted, 0 when none was) and
  of the suggestions' scores (1 when the suggestion is the original), with a reliability diagram
  and the sites' precision-recall curve per spinner profile (PNG, beside the card);
- candidate coverage: the share of gold substitutions whose spun wording is a key of the
  candidate table, whose original is among its candidates, among the open candidates (the LM's
  own likeliest next words there), or either;
- the real inputs: a real spun news paragraph, three new sentences with pairs seen in real
  spinner output, and clean text that must stay unmarked;
- with --tortured, real tortured-phrase pairs in a neutral sentence: restoration with the span given;
- with --feedback, readers' corrections held out from `unspin train --feedback`: the share of
  dismissed spans still marked, of confirmed spans marked, and of confirmed originals in the top 3;
- with --baseline, all of the above for a second model (the one before retraining), and every
  figure side by side, so a reader sees whether their corrections helped and nothing got worse.
The test articles are a seeded choice of the `test` split, half of them spun by the held-out
profile and half clean (the same choice as the feature extraction's test set), plus
--profile-articles articles spun by the training profiles for the figures per profile.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import numpy as np
from tqdm import tqdm

from unspin.scripts.data.split import choose, read_split, span_originals, strata

# A real spun news paragraph (spun -> originals), the acceptance check of the model.
REAL_PARAGRAPH = (
    "WASHINGTON — Russia requested China to provide it army gear and help for the warfare in Ukraine after "
    "President Vladimir V. Putin started a full-scale invasion final month, in accordance with U.S. officers."
)
REAL_PAIRS = {
    "requested": ("asked",),
    "army gear": ("military equipment",),
    "help": ("support", "aid"),
    "warfare": ("war",),
    "final month": ("last month",),
    "in accordance with": ("according to",),
    "officers": ("officials",),
}
# New sentences built from pairs seen in real spinner output: (text, {spun wording: original}).
REAL_SENTENCES = (
    ("State general wellbeing authorities warned on Friday that the infection was spreading among individuals "
     "who had no manifestations.",
     {"general wellbeing authorities": "public health officials", "infection": "virus", "individuals": "people",
      "manifestations": "symptoms"}),
    ("Engineers called the pollution of ecological waters a progressing worry for the whole administration territory.",
     {"ecological": "environmental", "progressing worry": "ongoing concern", "administration territory": "management area"}),
    ("A pressing faucet at the door woke the family, and the leaked intercourse movies were removed a week later.",
     {"pressing faucet": "urgent tap", "intercourse movies": "sex videos"}),
)
# Clean text that must stay unmarked.
CLEAN_SENTENCES = (
    "Officers from the tactical unit fired at the suspect's car.",
    "A stoppage-time header hit the woodwork.",
    "The play opens next week at the New Liberty Playhouse.",
    "The full story is at https://example.org/news?utm_source=feed&id=42 for subscribers.",
)
NEUTRAL_SENTENCE = "In the report, the authors describe the {} in some detail."
BINS = 10  # equal-width bins of the reliability diagram and the expected calibration error


def add_arguments(parser) -> None:
    parser.add_argument("--data", help="dataset folder (unspin dataset); without it only the real inputs are measured")
    parser.add_argument("--model", required=True, help="model folder")
    parser.add_argument("--articles", type=int, default=300, help="test articles (half held-out-spun, half clean)")
    parser.add_argument("--profile-articles", type=int, default=100,
                        help="test articles spun by the training profiles, for the figures per profile (default 100)")
    parser.add_argument("--split", default="test")
    parser.add_argument("--tortured", help="tortured_phrases.tsv for the real-pairs restoration test")
    parser.add_argument("--out", help="write the metrics as JSON here")
    parser.add_argument("--update-card", action="store_true", help="store the figures in the model folder and card")
    parser.add_argument("--feedback", help="readers' corrections (as for `unspin train --feedback`): measure the "
                                           "model on those held out from training")
    parser.add_argument("--baseline", help="another model folder (e.g. the one before retraining on feedback) "
                                           "measured the same way, side by side")


def gold_originals(record: dict, paragraph_words) -> dict[int, str]:
    """Word index -> its original, word by word where the gold span's two sides have as many words."""
    out = {}
    for span in record["spans"]:
        covered = [k for k, w in enumerate(paragraph_words) if span["start"] <= w.start < span["end"]]
        parts = span["original"].split()
        for n, k in enumerate(covered):
            out[k] = parts[n] if len(parts) == len(covered) else span["original"]
    return out


def span_original(originals: dict[int, str], a: int, b: int) -> str | None:
    """The original wording of words [a, b) when every one of them was substituted."""
    if not all(k in originals for k in range(a, b)):
        return None
    parts = [originals[k] for k in range(a, b)]
    return " ".join(dict.fromkeys(parts)) if len(set(parts)) < len(parts) else " ".join(parts)


def unrelated(engine, wording: str, suggestion: str) -> bool:
    """Whether a suggestion is unrelated to the spun wording it is shown for: some word of it
    (word by word when both have as many words, else the whole) has no thesaurus link to its
    wording either way (the candidate table's) and a word-vector cosine below the model's
    `suggestion_cosine` (vectors.Relatedness; a model without one: linked only)."""
    from unspin.engine.vectors import Relatedness

    table, meta = engine.loaded.candidates, engine.loaded.meta

    def linked(a: str, b: str) -> bool:
        return a == b or b in {c.lower() for c, _ in table.lookup(a)} or a in {c.lower() for c, _ in table.lookup(b)}

    a, b = wording.lower(), suggestion.lower()
    if linked(a, b):
        return False
    pairs = list(zip(a.split(), b.split())) if len(a.split()) == len(b.split()) > 1 else [(a, b)]
    rule = engine.loaded.related or Relatedness(engine.loaded.vectors, meta.suggestion_cosine or 0.0)
    return not rule([x for x, _ in pairs], [y for _, y in pairs], [linked(x, y) for x, y in pairs]).all()


def run_article(engine, records: list[dict]) -> dict:
    """One test article through the stages; what metrics and restoration checks need."""
    result = engine.run([r["text"] for r in records])
    scored, decided = result.scored, result.decided
    originals = [gold_originals(r, ws) for r, ws in zip(records, scored.words)]
    gold_spans = span_originals(records)
    marked, restored, scores, shown = [], [], [], []
    for mark in result.marks:
        site, suggested = mark.site, mark.suggestions
        marked.append((site.paragraph, *site.words))
        shown.append([unrelated(engine, site.text, s["text"]) for s in suggested])
        original = gold_spans[site.paragraph].get((site.start, site.end))
        if original is not None:  # a correctly detected span
            texts = [s["text"].lower() for s in suggested]
            restored.append((records[site.paragraph]["heldout"], texts[:1] == [original], original in texts))
            scores += [(s["score"], float(t == original)) for s, t in zip(suggested, texts)]
    kept = []  # (held-out profile, original among the kept candidates) of every site that is a gold span
    sites = []  # (P(spun), label, profile) of every site whose words were all or none substituted
    for k, site in enumerate(scored.sites):
        original = gold_spans[site.paragraph].get((site.start, site.end))
        if original is not None:
            kept.append((records[site.paragraph]["heldout"], original in {c.lower() for c in site.candidates}))
        inside = [w in originals[site.paragraph] for w in range(*site.words)]
        if all(inside) or not any(inside):
            sites.append((float(decided.probabilities[k]), float(all(inside)), records[site.paragraph]["profile"]))
    summary = engine.answer_of(scored, decided, result.marks, [r["text"] for r in records])["summary"]
    return {
        "words": [len(ws) for ws in scored.words],
        "gold": [sorted(o) for o in originals],
        "profiles": [r["profile"] for r in records],
        **strata(records),
        "marked": marked,
        "restored": restored,
        "suggestion_scores": scores,
        "shown": shown,
        "sites": sites,
        "kept": kept,
        "verdict": summary["verdict"],
        "spun": any(r["spans"] for r in records),
    }


def coverage(engine, articles: list[list[dict]]) -> dict:
    """Of the gold substitutions: the share whose spun wording is a table key, and whose original
    is among the table's candidates, among the open candidates (a one-word original among the
    LM's likeliest next words at the span: score.open_candidates), or either."""
    from unspin.engine.score import open_candidates

    table = engine.loaded.candidates
    n = key = in_table = in_open = either = 0
    for records in articles:
        offsets = [(p, s["start"]) for p, r in enumerate(records) for s in r["spans"]]
        opened = iter(open_candidates(engine.loaded.lm, [r["text"] for r in records], offsets))
        for r in records:
            for s in r["spans"]:
                cands = [c.lower() for c, _ in table.lookup(s["text"])]
                original = s["original"].lower()
                a, b = original in cands, original in next(opened)
                n += 1
                key += bool(cands)
                in_table, in_open, either = in_table + a, in_open + b, either + (a or b)

    def share(k):
        return round(k / n, 4) if n else None

    return {"spans": n, "spun_wording_is_a_key": share(key), "original_among_candidates": share(in_table),
            "original_among_open_candidates": share(in_open), "original_among_either": share(either)}


def ece(confidence: np.ndarray, outcome: np.ndarray) -> float | None:
    """Expected calibration error over BINS equal-width bins: the mean over predictions of
    |share of outcomes - mean confidence| in their bin (Guo et al. 2017, "On calibration of modern
    neural networks")."""
    bins = np.minimum((confidence * BINS).astype(int), BINS - 1)
    total = 0.0
    for b in range(BINS):
        at = bins == b
        if at.any():
            total += at.sum() * abs(outcome[at].mean() - confidence[at].mean())
    return round(float(total / len(confidence)), 4) if len(confidence) else None


def write_plots(folder: Path, results: list[dict]) -> list[str]:
    """reliability.png (P(spun) of test sites and the suggestions' scores against how often they
    were right, per bin) and precision-recall.png (test sites per spinner profile, against the
    sites of clean paragraphs) in `folder`; returns the file names. Plots by matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import precision_recall_curve

    sites = [x for a in results for x in a["sites"]]
    scores = [x for a in results for x in a["suggestion_scores"]]
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], ":", color="grey", label="perfectly calibrated")
    for name, pairs in (("P(spun) of sites", sites), ("suggestion scores", scores)):
        if pairs:
            p, y = np.array([x[0] for x in pairs]), np.array([x[1] for x in pairs])
            true, mean = calibration_curve(y, p, n_bins=BINS)
            ax.plot(mean, true, "o-", label=f"{name} (ECE {ece(p, y)})")
    ax.set(xlabel="predicted probability", ylabel="observed share", title="Reliability on test articles")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(folder / "reliability.png", dpi=80)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(5, 5))
    negatives = [x for x in sites if x[1] == 0]
    for profile in sorted({x[2] for x in sites if x[1] == 1}):
        chosen = [x for x in sites if x[1] == 1 and x[2] == profile] + negatives
        precision, recall, _ = precision_recall_curve([x[1] for x in chosen], [x[0] for x in chosen])
        ax.plot(recall, precision, label=profile)
    ax.set(xlabel="recall (sites)", ylabel="precision (sites)", title="Precision-recall per spinner profile")
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(folder / "precision-recall.png", dpi=80)
    plt.close(fig)
    return ["reliability.png", "precision-recall.png"]


def real_pair_coverage(engine) -> dict:
    """Of the real paragraph's and the real-pair sentences' substitutions: how many have their
    original among the table's candidates, among the open candidates (score.open_candidates at
    each word, in its text), or either; as a whole or word by word (the combination of each word's)."""
    from unspin.engine.score import open_candidates

    texts = [(REAL_PARAGRAPH, {spun: originals[0] for spun, originals in REAL_PAIRS.items()}), *REAL_SENTENCES]
    table = engine.loaded.candidates
    covered = {"table": [], "open": [], "either": []}
    n = 0
    for text, pairs in texts:
        for spun, original in pairs.items():
            n += 1
            start = text.index(spun)
            parts = list(zip(spun.split(), original.split()))
            offsets = [start + len(" ".join(spun.split()[:k])) + (k > 0) for k in range(len(spun.split()))]
            opened = open_candidates(engine.loaded.lm, [text], [(0, o) for o in offsets])
            by_table = [s == o or o in [c.lower() for c, _ in table.lookup(s)] for s, o in parts]
            by_open = [o in found for (_, o), found in zip(parts, opened)]
            same_length = len(spun.split()) == len(original.split())
            whole = original in [c.lower() for c, _ in table.lookup(spun)]
            for name, ok in (("table", whole or (same_length and all(by_table))),
                             ("open", same_length and all(by_open)),
                             ("either", whole or (same_length and all(a or b for a, b in zip(by_table, by_open))))):
                if ok:
                    covered[name].append(spun)
    return {"pairs": n, **{f"original_among_{k}": len(v) for k, v in covered.items()},
            "missing": sorted({spun for _, pairs in texts for spun in pairs} - set(covered["either"]))}


def real_inputs(engine) -> dict:
    """The real paragraph, the three real-pair sentences and the clean sentences, each analysed alone."""
    from unspin.text import words

    def check(text: str, pairs: dict[str, str]) -> dict:
        answer = engine.answer([text])
        spans = answer["paragraphs"][0]["spans"]
        ws = words(text)
        gold = [{"start": text.index(spun), "end": text.index(spun) + len(spun), "original": original}
                for spun, original in pairs.items()]
        originals = gold_originals({"spans": gold}, ws)
        marked_words = restored_words = 0
        for span in spans:
            covered = [k for k, w in enumerate(ws) if span["start"] <= w.start < span["end"]]
            hits = [k for k in covered if k in originals]
            marked_words += len(hits)
            gold = span_original(originals, covered[0], covered[-1] + 1) if covered else None
            if gold and gold.lower() in [s["text"].lower() for s in span["suggestions"][:3]]:
                restored_words += len(hits)
        return {"substituted_words": len(originals), "marked": marked_words, "restored_top3": restored_words,
                "false_marks": sum(1 for s in spans if not any(
                    k in originals for k, w in enumerate(ws) if s["start"] <= w.start < s["end"])),
                "verdict": answer["summary"]["verdict"],
                "spans": [f"{s['text']} -> {' | '.join(x['text'] for x in s['suggestions'])}" for s in spans]}

    out = {"real paragraph": check(REAL_PARAGRAPH, {k: v[0] for k, v in REAL_PAIRS.items()})}
    # The real paragraph's "help" has two accepted originals: count a top-3 "aid" too.
    answer = engine.answer([REAL_PARAGRAPH])["paragraphs"][0]["spans"]
    found = {}
    for spun, accepted in REAL_PAIRS.items():
        start = REAL_PARAGRAPH.index(spun)
        over = [s for s in answer if s["start"] < start + len(spun) and start < s["end"]]
        sugg = [x["text"].lower() for s in over for x in s["suggestions"][:3]]
        found[spun] = {"detected": bool(over), "restored_top3": any(
            all(part in " ".join(sugg).split() for part in a.split()) for a in accepted)}
    out["real paragraph"]["substitutions_detected"] = sum(v["detected"] for v in found.values())
    out["real paragraph"]["substitutions_restored_top3"] = sum(v["restored_top3"] for v in found.values())
    out["real paragraph"]["of"] = len(found)
    totals = Counter()
    for n, (text, pairs) in enumerate(REAL_SENTENCES, 1):
        out[f"real-pair sentence {n}"] = r = check(text, pairs)
        totals.update({k: r[k] for k in ("substituted_words", "marked", "restored_top3", "false_marks")})
    out["real-pair sentences together"] = dict(totals)
    out["candidate coverage of the real pairs"] = real_pair_coverage(engine)
    out["clean sentences"] = {
        "marks": sum(len(engine.answer([t])["paragraphs"][0]["spans"]) for t in CLEAN_SENTENCES),
        "sentences": len(CLEAN_SENTENCES),
    }
    return out


def tortured_pairs(engine, path: Path, limit: int = 500) -> dict:
    """Restoration of real tortured phrases in a neutral sentence, the span given (the site that
    covers exactly the tortured phrase; none when it is no key of the candidate table)."""
    from dataclasses import replace

    from unspin.engine.score import MAX_CANDIDATES
    from unspin.scripts.data.thesauri import read_tortured

    pairs = read_tortured(path)[:limit]
    covered = top1 = top3 = 0
    for original, tortured in tqdm(pairs, desc="tortured pairs", unit="pair"):
        text = NEUTRAL_SENTENCE.format(tortured)
        scored = engine.score([text])
        start = text.index(tortured)
        match = [k for k, s in enumerate(scored.sites) if (s.start, s.end) == (start, start + len(tortured))]
        candidates = [c.lower() for c, _ in engine.loaded.candidates.lookup(tortured)[:MAX_CANDIDATES]]
        if not match or original not in candidates:
            continue
        covered += 1
        decided = replace(engine.decide(scored), marked=match)  # the span given, whatever the detector says
        texts = [s["text"].lower() for s in engine.restore(scored, decided, 3)[0].suggestions]
        top1 += texts[:1] == [original]
        top3 += original in texts
    n = len(pairs)
    return {"n": n, "coverage": round(covered / n, 4), "top1": round(top1 / n, 4), "top3": round(top3 / n, 4)}


def tortured_in_sentences(engine, data: Path, split: str, path: Path, limit: int = 500) -> dict:
    """Detection of real tortured phrases in real clean news: for each of the first `limit` real
    pairs whose original wording occurs in a sentence of the split's clean text (the originals of
    its paragraphs, first occurrence, not at the sentence's start), that sentence with the
    original replaced by the tortured phrase, analysed alone at the model's default settings.
    Returns the share of those sentences in which a mark touches the phrase, the share whose mark
    is the phrase with the original among its first 3 suggestions, and the marks elsewhere (false
    marks) per 1,000 of their other words. The candidate table and the tortured-mined training
    profile come from the same list of pairs: this measures detection in context, not new pairs."""
    import re

    from unspin.engine.score import sentences
    from unspin.scripts.data.thesauri import read_tortured
    from unspin.text import match_case, words

    where: dict[str, tuple[str, int]] = {}  # lower-case n-gram (1-4 words) -> (sentence, its offset there)
    for records in read_split(data / f"{split}.jsonl").values():
        for r in records:
            for a, b in sentences(r["original"]):
                sentence = r["original"][a:b]
                ws = words(sentence)
                for i in range(1, len(ws)):
                    for n in range(1, 5):
                        if i + n <= len(ws):
                            key = sentence[ws[i].start:ws[i + n - 1].end].lower()
                            where.setdefault(key, (sentence, ws[i].start))
    cases = []
    for original, tortured in read_tortured(path):
        if original in where and len(cases) < limit:
            sentence, start = where[original]
            end = start + len(original)
            if re.fullmatch(r"[\w' -]+", original) and sentence[start:end].lower() == original:
                spun = match_case(sentence[start:end], tortured)
                cases.append((sentence[:start] + spun + sentence[end:], start, start + len(spun), original))
    marked = restored = false_marks = other_words = 0
    for text, start, end, original in tqdm(cases, desc="tortured phrases in sentences", unit="sentence"):
        spans = engine.answer([text])["paragraphs"][0]["spans"]
        over = [s for s in spans if s["start"] < end and start < s["end"]]
        marked += bool(over)
        restored += any((s["start"], s["end"]) == (start, end) and original in
                        [x["text"].lower() for x in s["suggestions"][:3]] for s in over)
        false_marks += len(spans) - len(over)
        other_words += len(words(text)) - len(words(text[start:end]))
    n = len(cases)
    return {"sentences": n, "marked": round(marked / n, 4) if n else None,
            "restored_top3": round(restored / n, 4) if n else None,
            "false_marks_per_1000_other_words": round(1000 * false_marks / other_words, 3) if other_words else None}


def feedback_metrics(engine, records: list[dict]) -> dict:
    """How a model answers readers' corrections it was not trained on: the share of dismissed
    spans it still marks (lower is better), of confirmed spans it marks, and of those whose
    confirmed original is among its top 3 suggestions."""
    from unspin.text import visible

    dismissed = confirmed = still_marked = marked = restored = with_original = 0
    answers: dict[str, list[dict]] = {}  # a paragraph often carries several corrections: analysed once
    for record in records:
        if record["paragraph"] not in answers:
            answers[record["paragraph"]] = engine.answer([record["paragraph"]])["paragraphs"][0]["spans"]
        spans = answers[record["paragraph"]]
        hits = [s for s in spans if s["start"] < record["end"] and record["start"] < s["end"]]
        if record["label"] == "not_spun":
            dismissed += 1
            still_marked += bool(hits)
            continue
        confirmed += 1
        marked += bool(hits)
        if record["original"]:
            with_original += 1
            wanted = visible(record["original"]).text.lower()
            restored += any(wanted in [x["text"].lower() for x in s["suggestions"][:3]] for s in hits)

    def share(k, n):
        return round(k / n, 4) if n else None

    return {"corrections": len(records), "dismissed": dismissed, "dismissed_still_marked": share(still_marked, dismissed),
            "confirmed": confirmed, "confirmed_marked": share(marked, confirmed),
            "confirmed_original_in_top3": share(restored, with_original)}


def test_metrics(engine, data: Path, split: str, n_articles: int, profile_articles: int) -> tuple[dict, list[dict]]:
    """The test figures, and the per-article results they come from (for write_plots)."""
    from unspin.scripts.evaluation.metrics import GROUPS, word_metrics

    articles = read_split(data / f"{split}.jsonl")
    chosen = choose(articles, n_articles, 1, 0.5)
    taken = set(chosen)
    chosen += [a for a in choose(articles, len(articles), 1, None) if a not in taken and not any(
        r["heldout"] for r in articles[a]) and any(r["profile"] != "clean" for r in articles[a])][:profile_articles]
    results = [run_article(engine, articles[a]) for a in tqdm(chosen, desc="test articles", unit="article")]
    m = word_metrics(results)
    restored = [r for a in results for r in a["restored"]]
    for name, held in zip(GROUPS, (False, True)):
        group = [r for r in restored if r[0] == held]
        if name not in m:  # no substitutions of this group in these articles
            continue
        m.setdefault("restoration", {})[name] = {
            "detected_spans": len(group),
            "top1": round(sum(r[1] for r in group) / len(group), 4) if group else None,
            "top3": round(sum(r[2] for r in group) / len(group), 4) if group else None,
        }
    sites = np.array([x[:2] for a in results for x in a["sites"]]).reshape(-1, 2)
    scores = np.array([x for a in results for x in a["suggestion_scores"]]).reshape(-1, 2)
    m["calibration"] = {"sites": len(sites), "sites_ece": ece(sites[:, 0], sites[:, 1]),
                        "suggestions": len(scores), "suggestions_ece": ece(scores[:, 0], scores[:, 1])}
    shown = [mark for a in results for mark in a["shown"]]
    suggestions = sum(map(len, shown))
    m["suggestions"] = {"marks": len(shown), "marks_without_suggestion": round(
        sum(not s for s in shown) / len(shown), 4) if shown else None, "shown": suggestions,
        "unrelated": round(sum(map(sum, shown)) / suggestions, 4) if suggestions else None}
    verdicts = Counter((a["spun"], a["verdict"]) for a in results)
    m["verdicts"] = {("spun" if s else "clean") + f" articles: {v}": n for (s, v), n in sorted(verdicts.items())}
    held_out = [articles[a] for a in chosen if any(r["heldout"] for r in articles[a])]
    m["coverage"] = {GROUPS[1]: coverage(engine, held_out)}
    # of the gold spans that are sites, the share whose original the ranker kept for restoration
    kept = [hit for a in results for held, hit in a["kept"] if held]
    m["coverage"][GROUPS[1]]["original_among_kept_at_sites"] = round(sum(kept) / len(kept), 4) if kept else None
    m["articles"] = len(results)
    return m, results


def _leaves(figures: dict, prefix: str = "") -> dict[str, float]:
    out = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            out.update(_leaves(value, f"{prefix}{key} / "))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[prefix + key] = value
    return out


def comparison(before: dict, after: dict) -> str:
    """Every number both measurements have, as 'name: before -> after' lines."""
    old, new = _leaves(before), _leaves(after)
    lines = [f"{name}: {old[name]} -> {new[name]}" for name in new if name in old]
    return "before -> after (baseline -> this model):\n  " + "\n  ".join(lines)


def measure(engine, args, held: list[dict] | None, plots: Path | None = None) -> dict:
    """Every figure `evaluate` prints, for one model; plots: a folder to write its plots in."""
    figures = {}
    if args.data:
        figures["test"], results = test_metrics(engine, Path(args.data), args.split, args.articles,
                                                       args.profile_articles)
        if plots is not None:
            figures["test"]["plots"] = write_plots(plots, results)
    figures["real_inputs"] = real_inputs(engine)
    if args.tortured:
        figures["tortured_pairs"] = tortured_pairs(engine, Path(args.tortured))
        if args.data:
            figures["tortured_in_sentences"] = tortured_in_sentences(engine, Path(args.data), args.split,
                                                                     Path(args.tortured))
    if held is not None:
        figures["feedback"] = feedback_metrics(engine, held)
    return figures


def main(args) -> int:
    from unspin.engine.engine import Engine
    from unspin.feedback import read_feedback, split_feedback
    from unspin.scripts.evaluation.model_card import update_metrics

    started = time.monotonic()
    held = None
    if args.feedback:
        trained_on, held = split_feedback(read_feedback(args.feedback))
        if not held:
            print(f"note: only {len(trained_on)} corrections, too few to hold any out; measuring on all of them, "
                  "which a model retrained on them has seen")
            held = trained_on
    figures = measure(Engine.load(args.model, cache_size=0), args, held, Path(args.model) if args.update_card else None)
    print(json.dumps(figures, indent=1, ensure_ascii=False))
    if args.baseline:
        baseline = measure(Engine.load(args.baseline, cache_size=0), args, held)
        print(f"baseline {args.baseline}:\n{json.dumps(baseline, indent=1, ensure_ascii=False)}")
        print(comparison(baseline, figures))
        figures = {**figures, "baseline": baseline}
    print(f"evaluated in {time.monotonic() - started:.0f} s")
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    if args.update_card:
        update_metrics(Path(args.model), {k: v for k, v in figures.items() if k != "baseline"})
    return 0

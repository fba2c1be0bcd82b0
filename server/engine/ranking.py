"""Candidate ranking: which of a site's candidates restoration re-scores, and the prior it adds.

A site has up to MAX_CANDIDATES table candidates and OPEN_K open ones (score.py); restoration
re-scores a few of them with context on both sides (restore.py). Which few, and how much each
is worth before the right context is seen, is a learning-to-rank problem: a LightGBM
*lambdarank* model (Burges 2010, "From RankNet to LambdaRank to LambdaMART") over RANK_FEATURES
of every candidate, trained by `unspin train` on the train articles' spun sites whose original is
among their candidates (the original is the one relevant candidate of its group), stored as the
model folder's `ranker.txt`. Its score, times a weight in nats fitted on dev with the
restoration temperature, is the prior restoration adds to each candidate's log-probability.

Measured on the same 400 test articles (`unspin evaluate`, model 1.2.0's detector both times):
the hand-set prior it replaces (6 x embedding cosine, 8 nats less for an open candidate, the
three best kept) restored the held-out profile's correctly detected spans with the original
first for 0.324 and in the top 3 for 0.391; with the ranker 0.397 and 0.479 (training
profiles: 0.481 / 0.556 before, 0.595 / 0.689 after). While designing it (60 dev and 60 test
articles, one-word spun sites, all candidates kept), GloVe cosine as a feature added nothing
(held-out top-1 / top-3 0.311 / 0.455 with it, 0.323 / 0.464 without), so the model needs no
word vectors.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

RANK_FEATURES = (
    "lp",  # estimated log P(candidate's full wording | left context), nats
    "lp_gap",  # ... minus the site's best candidate's
    "lp_rank",  # 0 for the site's likeliest candidate, 1 for the next, ...
    "ratio",  # lp - log P(the text's own wording | left context)
    "open",  # 1: an open candidate (the LM's own), 0: the candidate table's
    "cosine",  # LM input-embedding cosine of the first sub-tokens of the wording and the candidate
    "prior",  # the candidate table's log prior (NaN for an open candidate)
    "zipf",  # word frequency of the candidate (text.zipf)
    "zipf_gap",  # ... minus the wording's
    "same_suffix",  # the candidate ends in the wording's inflection (INFLECTIONS), or neither has one
    "length_ratio",  # characters of the candidate / of the wording
    "linked",  # the candidate table offers the wording for the candidate (a thesaurus link back)
    "n_candidates",  # candidates of the site
    "n_words",  # words of the site
)
INFLECTIONS = ("ing", "ed", "est", "er", "ly", "s")  # the last letters `same_suffix` compares, longest first
RANK_PARAMS = {  # LightGBM. Few trees: every candidate of every site is ranked (tens of thousands in
    # a 1,000-word article). On the 5,986 spun sites of 500 train articles (the first 4/5 to train,
    # the rest to measure), 300 trees at rate 0.05 ranked the original first for 0.662 and in the
    # top 3 (what restoration re-scores) for 0.816, at 9.3 us per candidate; 60 trees at rate 0.15,
    # 0.637 and 0.817 at 1.7 us.
    "objective": "lambdarank", "learning_rate": 0.15, "num_leaves": 31, "min_data_in_leaf": 20,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambdarank_truncation_level": 10,
    "verbose": -1, "seed": 1,
}
RANK_ROUNDS = 60


@lru_cache(maxsize=1 << 16)
def inflection(word: str) -> str:
    """The INFLECTIONS ending of a word ("" for none)."""
    word = word.lower()
    return next((s for s in INFLECTIONS if word.endswith(s) and len(word) > len(s) + 2), "")


class CandidateRanker:
    """A lambdarank model over RANK_FEATURES (`ranker.txt`) and the weight, nats per unit of its
    score, that restoration gives it (fitted on dev: `unspin train`)."""

    def __init__(self, model_text: str, weight: float):
        import lightgbm

        self.booster = lightgbm.Booster(model_str=model_text)
        self.weight = weight

    def scores(self, features: np.ndarray) -> np.ndarray:
        """features [N, len(RANK_FEATURES)] -> the model's scores [N] (higher: likelier the original;
        comparable within a site only)."""
        if not len(features):
            return np.zeros(0)
        return np.asarray(self.booster.predict(features.astype(np.float32), num_threads=1))

    def priors(self, features: np.ndarray) -> np.ndarray:
        """The prior restoration adds to each candidate's log-probability [N], nats."""
        return self.weight * self.scores(features)


def train_ranker(groups: list[tuple[np.ndarray, np.ndarray]], rounds: int = RANK_ROUNDS, threads: int = 0) -> str:
    """A lambdarank model (its text) from groups of (features [n, len(RANK_FEATURES)], relevance
    [n]: 1 for the original, else 0), one group per site."""
    import lightgbm

    x = np.concatenate([f for f, _ in groups]).astype(np.float32)
    y = np.concatenate([r for _, r in groups])
    params = {**RANK_PARAMS, "min_data_in_leaf": min(RANK_PARAMS["min_data_in_leaf"], max(1, len(y) // 50)),
              "num_threads": threads}
    data = lightgbm.Dataset(x, y, group=[len(r) for _, r in groups], feature_name=list(RANK_FEATURES))
    return lightgbm.train(params, data, num_boost_round=rounds).model_to_string()

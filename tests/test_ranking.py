"""The candidate ranker (unspin.ranking): what it is fed, and what it decides in the score stage."""

from __future__ import annotations

import numpy as np
import pytest

from unspin.engine.ranking import RANK_FEATURES, inflection, train_ranker
from unspin.engine.score import KEPT_CANDIDATES, score

PARAGRAPH = "The officers said the final month of warfare was the hardest, and the officers stated it again."


def test_inflection_compares_endings_not_short_words():
    assert [inflection(w) for w in ("stated", "saying", "Officers", "quickly", "red", "bus")] == \
        ["ed", "ing", "s", "ly", "", ""]


def test_every_candidate_gets_its_features_and_the_kept_ones_are_the_best_ranked(engine):
    loaded = engine.loaded
    scored = score(loaded.lm, loaded.candidates, [PARAGRAPH], loaded.continuation, ranker=loaded.ranker,
                   keep_all=True)
    officers = [s for s in scored.sites if s.text == "officers"]
    assert len(officers) == 2
    for site in scored.sites:
        words, x = site.ranking
        assert x.shape == (len(words), len(RANK_FEATURES)) and len(words) == len(set(words))
        if not words:
            continue
        scores = loaded.ranker.scores(x)
        assert list(scores) == sorted(scores, reverse=True)  # kept in ranking order ...
        assert [c.lower() for c in site.candidates] == words[:KEPT_CANDIDATES]  # ... the best kept
        assert site.candidate_prior == pytest.approx(loaded.ranker.weight * scores[: len(site.candidates)], abs=1e-3)
        column = dict(zip(RANK_FEATURES, x.T))
        assert sorted(column["lp_rank"]) == list(range(len(words)))
        assert np.nanmax(column["lp_gap"]) == 0.0 and (column["n_candidates"] == len(words)).all()
    table_words = {c.lower() for c, _ in loaded.candidates.lookup("officers")}
    words, x = officers[0].ranking
    is_open = dict(zip(words, x[:, RANK_FEATURES.index("open")]))
    assert {w for w, o in is_open.items() if o == 0} == table_words  # the table's, and open ones besides
    assert any(o == 1 for o in is_open.values())


def test_without_a_ranker_the_likeliest_are_kept_with_no_prior(engine):
    loaded = engine.loaded
    scored = score(loaded.lm, loaded.candidates, [PARAGRAPH], loaded.continuation, keep_all=True)
    for site in scored.sites:
        words, x = site.ranking
        lp = x[:, RANK_FEATURES.index("lp")]
        assert list(lp) == sorted(lp, reverse=True)
        assert site.candidate_prior == [0.0] * len(site.candidates)


def test_a_ranker_learns_to_put_the_relevant_candidate_first():
    """On groups where the original is the candidate most related to the wording (cosine), the
    trained ranker puts it first far more often than chance."""
    rng = np.random.default_rng(0)

    def group():
        n = int(rng.integers(3, 9))
        x = rng.normal(size=(n, len(RANK_FEATURES)))
        y = np.zeros(n, dtype=int)
        y[np.argmax(x[:, RANK_FEATURES.index("cosine")])] = 1
        return x, y

    from unspin.engine.ranking import CandidateRanker

    ranker = CandidateRanker(train_ranker([group() for _ in range(300)], rounds=50, threads=1), weight=2.0)
    test = [group() for _ in range(200)]
    first = np.mean([y[np.argmax(ranker.scores(x))] for x, y in test])
    chance = np.mean([1 / len(y) for _, y in test])  # about 0.2
    assert first > 3 * chance
    x, _ = test[0]
    assert ranker.priors(x) == pytest.approx(2.0 * ranker.scores(x))

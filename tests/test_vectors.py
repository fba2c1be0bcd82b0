"""Which of the language model's own candidates a reader may be shown (vectors.py), and the score
stage keeping only those as suggestions."""

from __future__ import annotations

import numpy as np
import pytest

from unspin.engine.score import KEPT_CANDIDATES, score
from unspin.engine.vectors import Relatedness, WordVectors


def vectors(table: dict[str, list[float]]) -> WordVectors:
    units = np.array(list(table.values()), dtype=np.float32)
    units /= np.linalg.norm(units, axis=1, keepdims=True)
    return WordVectors(list(table), np.round(units * 127).astype(np.int8))


WORDS = vectors({"war": [1, 0, 0], "warfare": [0.9, 0.1, 0], "weld": [0, 1, 0], "homicide": [0, 0, 1]})


def test_word_vectors_round_trip_and_cosine(tmp_path):
    WORDS.save(tmp_path / "vectors.npz")
    back = WordVectors.read(tmp_path / "vectors.npz")
    assert back.words == WORDS.words and (back.units == WORDS.units).all()
    assert WordVectors.read(tmp_path / "missing.npz") is None
    cos = back.cosine(["War", "weld", "weld"], ["warfare", "homicide", "unknown"])
    assert cos[0] == pytest.approx(0.994, abs=0.01) and cos[1] == pytest.approx(0.0, abs=0.01) and np.isnan(cos[2])


def test_related_means_linked_or_close_vectors():
    rule = Relatedness(WORDS, 0.5)
    assert rule(["warfare", "weld", "weld", "weld"], ["war", "homicide", "homicide", "nowhere"],
                [False, False, True, False]).tolist() == [True, False, True, False]
    assert Relatedness(None, 0.5)(["warfare", "weld"], ["war", "crack"], [False, True]).tolist() == [False, True]


def test_the_score_stage_keeps_only_related_open_candidates(engine):
    """With a relatedness rule no open candidate passes (no vectors, none linked), a one-word
    site keeps only the table's candidates; without one, the open ones as before."""
    paragraph = "The minister praised the warfare plans on Monday in the capital."
    lm, table = engine.loaded.lm, engine.loaded.candidates
    free = score(lm, table, [paragraph], engine.loaded.continuation, ranker=engine.loaded.ranker)
    strict = score(lm, table, [paragraph], engine.loaded.continuation, ranker=engine.loaded.ranker,
                   related=Relatedness(None, 2.0))
    table_words = {s.text: {c.lower() for c, _ in table.lookup(s.text)} for s in free.sites}
    opened = [s for s in free.sites if any(c.lower() not in table_words[s.text] for c in s.candidates)]
    assert opened, "the tiny model offers open candidates"
    for before, after in zip(free.sites, strict.sites):
        assert all(c.lower() in table_words[after.text] for c in after.candidates)
        assert len(after.candidates) <= KEPT_CANDIDATES
        assert np.array_equal(after.features, before.features, equal_nan=True)  # the detector reads the same

"""The second look at unsure sites (second_look.py): its both-sides ratio, and how it changes P(spun)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from unspin.engine.restore import RIGHT_TOKENS
from unspin.engine.score import score
from unspin.engine.second_look import BAND, SecondLook, look

PARAGRAPH = "Russia requested China to provide it army gear and help for the warfare in Ukraine last week."


def log_p(lm, ids: list[int], start: int, end: int) -> float:
    """log P(ids[start:end] | ids[:start]) by a plain forward pass over `ids`, nats."""
    with torch.inference_mode():
        hidden, _ = lm.body(torch.tensor([ids]))
        logp = lm.log_probs(hidden[0])
    return float(sum(logp[t - 1, ids[t]] for t in range(start, end)))


def test_the_both_sides_ratio_compares_the_best_candidate_and_the_text_with_what_follows(engine):
    """both_sides = log P(best candidate + the next RIGHT_TOKENS tokens | left) - log P(the text's
    wording + the same tokens | left), each as a forward pass over the whole variant would give."""
    lm, continuation = engine.loaded.lm, engine.loaded.continuation
    looked = []

    def on_batch(sites, batch):
        chosen = [s for s in sites if s.text in ("requested", "warfare") and s.candidates]
        look(lm, chosen, batch, continuation)
        looked.extend(chosen)

    scored = score(lm, engine.loaded.candidates, [PARAGRAPH], continuation, on_batch=on_batch)
    assert {s.text for s in looked} == {"requested", "warfare"}
    for site in looked:
        ids = scored.windows[site.window].ids
        t0, t1 = site.tokens
        right = ids[t1 : t1 + RIGHT_TOKENS]
        variant = ids[:t0] + lm.token_ids(site.candidates[0]) + right
        expected = log_p(lm, variant, t0, len(variant)) - log_p(lm, ids[: t1 + len(right)], t0, t1 + len(right))
        assert site.both_sides == pytest.approx(expected, abs=5e-3)


def test_the_second_look_changes_only_band_sites_that_were_looked_at():
    second = SecondLook(coef=[1.0, 1.0], intercept=0.0)
    sites = [SimpleNamespace(both_sides=5.0), SimpleNamespace(both_sides=-5.0), SimpleNamespace(both_sides=None),
             SimpleNamespace(both_sides=5.0)]
    p = np.array([0.5, 0.5, 0.5, BAND[1] + 0.001])
    new = second.apply(sites, p)
    assert new[0] > 0.9 and new[1] < 0.1  # likelier with what follows: more likely spun, and the reverse
    assert new[2] == 0.5 and new[3] == p[3]  # not looked at, or outside the band: unchanged
    assert SecondLook().apply(sites, p) is p  # a model without a second look


def test_an_engine_with_a_second_look_looks_during_the_pass_and_decides_with_it(engine, monkeypatch):
    """The engine looks at the band sites during the scoring pass (and only then), and `decide`
    reads the looked-at sites' new P(spun); with the look's weight on the ratio at 0, the same as
    the detector's P(spun) through the logistic. (The tiny model's P(spun) are not the real
    model's: the band is set to hold its upper half.)"""
    from dataclasses import replace

    from unspin.engine import second_look
    from unspin.engine.engine import Engine

    p = engine.decide(engine.score([PARAGRAPH])).probabilities
    monkeypatch.setattr(second_look, "BAND", (float(np.median(p)), 1.01))
    meta = replace(engine.loaded.meta, second_look={"coef": [1.0, 0.0], "intercept": 0.0})
    looking = Engine(replace(engine.loaded, meta=meta), cache_size=0)
    assert looking.looks and not engine.looks
    scored = looking.score([PARAGRAPH])
    looked = [k for k, s in enumerate(scored.sites) if s.both_sides is not None]
    band = [k for k, pk in enumerate(p) if pk >= second_look.BAND[0] and scored.sites[k].candidates]
    assert looked and looked == band and len(looked) < len(p)
    assert looking.decide(scored).probabilities == pytest.approx(p, abs=1e-3)  # logit then sigmoid

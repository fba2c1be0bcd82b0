"""Stage 2's second look: both sides of the context for the sites the detector is unsure of.

The detector reads a site with its left context only (one LM pass). For a site whose P(spun)
falls in BAND, the engine also scores, during the scoring pass and reusing its KV cache
(restore.restore_sites), the best ranked candidate followed by the next RIGHT_TOKENS tokens of
the text, and the text's own wording followed by the same tokens (read off the scoring pass):
their difference is the site's *both-sides log-likelihood ratio* (nats; "Russia requested China
to provide": "asked" is likelier than "requested" once "to provide" is read). A logistic
regression over (logit P(spun), that ratio), fitted on the band sites of train articles, gives the
site its new P(spun), calibrated on dev by isotonic regression (`unspin train`).

Measured while designing it (model 1.4's detector, the band sites of 1,400 dev articles, band
0.05-0.99, three candidates): AUC of spun against kept sites within the band 0.814 with P(spun)
alone, 0.839 with the ratio too; at the count of clean-article sites that P >= 0.9 gives, 23 %
more spun sites (at P >= 0.7's, 9 %). The band and one candidate keep the cost small: in a clean
article about 23 sites per 1,000 words.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import torch

from .decide import calibrated
from .restore import RIGHT_TOKENS, restore_sites
from .score import FEATURES

LP_TEXT = FEATURES.index("lp_text")  # log P(the text's wording | left context), nats

BAND = (0.3, 0.99)  # P(spun) from which a site gets a second look, and up to which it needs one


def in_band(p: np.ndarray) -> np.ndarray:
    """[N] bool: the sites whose P(spun) [N] is in BAND."""
    return (p >= BAND[0]) & (p < BAND[1])


def look(lm, sites: list, batch, continuation: dict[str, float]) -> None:
    """Set `site.both_sides` for each of `sites` (all in `batch`'s windows, whose KV cache the
    batch kept) that has a candidate: log P(best ranked candidate + the next RIGHT_TOKENS tokens |
    left context) - log P(the text's wording + the same tokens | left context), nats."""
    sites = [s for s in sites if s.candidates]
    if not sites:
        return
    best = [replace(s, candidates=s.candidates[:1], candidate_lp=s.candidate_lp[:1],
                    candidate_prior=s.candidate_prior[:1], restored=None) for s in sites]
    restore_sites(lm, best, batch, continuation, single=True)
    rows, tokens, owner = [], [], []  # the text's right context, read off the scoring pass
    for n, site in enumerate(sites):
        ids, (_, t1) = batch.document[site.window].ids, site.tokens
        for t in range(t1, min(t1 + RIGHT_TOKENS, len(ids))):
            rows.append((batch.row(site.window), t - 1))
            tokens.append(ids[t])
            owner.append(n)
    right = np.zeros(len(sites))
    if rows:
        r, c = (torch.tensor(x) for x in zip(*rows))
        np.add.at(right, np.array(owner), lm.token_log_probs(batch.hidden[r, c], torch.tensor(tokens)).numpy())
    lp_text = np.array([float(s.features[LP_TEXT]) for s in sites])
    for site, copy, text in zip(sites, best, lp_text + right):
        (_, total), = copy.restored
        site.both_sides = round(float(total - copy.candidate_prior[0] - text), 4)


@dataclass
class SecondLook:
    """The model's second look (config.json's `second_look`; {} in models without one): logistic
    regression coefficients over (logit P(spun), both-sides ratio), its intercept and the isotonic
    calibration of its output on dev."""

    coef: list[float] = field(default_factory=list)
    intercept: float = 0.0
    calibration: dict = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.coef)

    @staticmethod
    def inputs(p: np.ndarray, both_sides: np.ndarray) -> np.ndarray:
        """The logistic regression's inputs [N, 2]: logit P(spun) and the ratio, both bounded."""
        p = np.clip(p, 1e-4, 1 - 1e-4)
        return np.column_stack([np.log(p / (1 - p)), np.clip(both_sides, -30, 30)])

    def predict(self, p: np.ndarray, both_sides: np.ndarray) -> np.ndarray:
        """New P(spun) [N] of band sites from their P(spun) [N] and both-sides ratio [N] (nats)."""
        if not len(p):
            return np.zeros(0)
        z = self.inputs(p, both_sides) @ np.array(self.coef) + self.intercept
        return calibrated(1 / (1 + np.exp(-z)), self.calibration)

    def apply_rows(self, article: dict, p: np.ndarray, looks: list) -> np.ndarray:
        """The same as `apply` for a stored article (site_features' rows, its looks as
        site_features.extract_looks stored them): P(spun) of its sites [N]."""
        ratio = {(paragraph, a, b): value for paragraph, a, b, _, value, _ in looks}
        return self._applied(p, [ratio.get((s["p"], *s["w"])) for s in article["sites"]])

    def apply(self, sites: list, p: np.ndarray) -> np.ndarray:
        """P(spun) of `sites` [N] with the band sites that were looked at (`both_sides` set)
        given their new one."""
        return self._applied(p, [s.both_sides for s in sites])

    def _applied(self, p: np.ndarray, both_sides: list) -> np.ndarray:
        """P(spun) [N] with each band site that has a both-sides ratio (None: not looked at) given
        its new one."""
        at = [k for k, value in enumerate(both_sides) if value is not None and in_band(p[k:k + 1])[0]] if self else []
        if not at:
            return p
        out = p.copy()
        out[at] = self.predict(p[at], np.array([both_sides[k] for k in at]))
        return out

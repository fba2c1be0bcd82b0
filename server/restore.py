"""Stage 3, restore: rank the likely originals of marked spans with context on both sides.

For each site, a shortlist of its candidates chosen by the `score` stage (at most
RESTORE_CANDIDATES, within RESTORE_MARGIN nats of its best by first sub-token and continuation)
is re-scored with each candidate's *full* wording followed by the next RIGHT_TOKENS tokens of
the text: log P(candidate's sub-tokens + right context | left context), summed, in nats. The
left context is not run again: the KV cache of the scoring pass is reused, and the variants of
all sites of a batch of windows go through the LM in one batched pass, each window's variants in
one row after its cached keys and values (a 4-D attention mask lets each variant token see its
window before its site and the earlier tokens of its own variant only, at the positions it
would have in the text). The first sub-token of every variant is predicted by the scoring pass's
own state before the site.

The engine calls `restore_sites` during the scoring pass for the sites that may be marked, so no
KV cache outlives its batch; `restore` ranks the marked sites and re-runs the pass only for
windows whose marked sites were not restored then (a lower threshold than the pass assumed).
Suggestions are the best candidates with their softmax probability over the re-scored ones.
"""

from __future__ import annotations

import torch

from .lm import LanguageModel
from .score import Batch, Scored, Site, lm_passes

RESTORE_CANDIDATES = 8  # at most this many candidates per site are re-scored ...
RESTORE_MARGIN = 6.0  # ... those within this many nats of the best by the score stage
RIGHT_TOKENS = 2
MAX_NEW_TOKENS = 512  # variant tokens per row of a batched pass


def shortlist(site: Site) -> list[str]:
    best = site.candidate_lp[0]
    return [c for c, lp in zip(site.candidates[:RESTORE_CANDIDATES], site.candidate_lp) if lp >= best - RESTORE_MARGIN]


def restore_sites(lm: LanguageModel, sites: list[Site], batch: Batch) -> None:
    """Set `site.restored` = [(wording, log P(wording + right context | left context))] for the
    shortlist of each of `sites` (all in `batch`'s windows, whose KV cache the batch kept)."""
    variants = []  # (site, wording, token ids: wording's then the right context's)
    for site in sites:
        t0, t1 = site.tokens
        right = batch.document[site.window].ids[t1 : t1 + RIGHT_TOKENS]
        variants += [(site, w, lm.token_ids(w) + right) for w in shortlist(site)]
    if not variants:
        return
    # The first sub-token of each variant, from the scoring pass's state before its site.
    before = torch.stack([batch.hidden[batch.row(v[0].window), v[0].tokens[0] - 1] for v in variants])
    first = lm.token_log_probs(before, torch.tensor([v[2][0] for v in variants]))
    # The rest: rows of at most MAX_NEW_TOKENS variant tokens, each after its window's cached past.
    rows: list[list[int]] = []
    for n, (site, _, seq) in enumerate(variants):
        if len(seq) < 2:
            continue
        if not rows or variants[rows[-1][-1]][0].window != site.window or \
                sum(len(variants[m][2]) - 1 for m in rows[-1]) + len(seq) - 1 > MAX_NEW_TOKENS:
            rows.append([])
        rows[-1].append(n)
    rest = [0.0] * len(variants)
    if rows:
        for n, lp in _continue(lm, batch, variants, rows).items():
            rest[n] = lp
    for site in sites:
        site.restored = []
    for n, (site, wording, _) in enumerate(variants):
        site.restored.append((wording, round(float(first[n]) + rest[n], 4)))


def _continue(lm: LanguageModel, batch: Batch, variants, rows: list[list[int]]) -> dict[int, float]:
    """Sum of log P of each variant's tokens after its first, in one batched pass (see module docstring)."""
    width = max(sum(len(variants[n][2]) - 1 for n in row) for row in rows)
    width = -(-width // 64) * 64  # few distinct shapes: kernels are compiled once per shape
    past = batch.hidden.shape[1]
    ids = torch.zeros(len(rows), width, dtype=torch.long)
    positions = torch.zeros(len(rows), width, dtype=torch.long)
    owner = torch.full((len(rows), width), -1)
    cut = torch.zeros(len(rows), width, dtype=torch.long)  # the site's first token: the past it may see
    targets = []  # (row, column, token, variant)
    for r, row in enumerate(rows):
        c = 0
        for n in row:
            site, _, seq = variants[n]
            t0 = site.tokens[0]
            k = len(seq) - 1
            ids[r, c : c + k] = torch.tensor(seq[:-1])
            positions[r, c : c + k] = torch.arange(t0, t0 + k)
            owner[r, c : c + k] = n
            cut[r, c : c + k] = t0
            targets += [(r, c + j, seq[j + 1], n) for j in range(k)]
            c += k
    mask = torch.zeros(len(rows), 1, width, past + width, dtype=torch.bool)
    mask[:, 0, :, :past] = torch.arange(past)[None, None, :] < cut[:, :, None]
    same = (owner[:, :, None] == owner[:, None, :]) & (positions[:, None, :] <= positions[:, :, None])
    mask[:, 0, :, past:] = same & (owner[:, None, :] >= 0) | torch.eye(width, dtype=torch.bool)  # padding sees itself
    which = torch.tensor([batch.row(variants[row[0]][0].window) for row in rows])
    kv = [(k[which], v[which]) for k, v in batch.kv]
    with torch.inference_mode():
        hidden, _ = lm.body(ids, positions=positions, mask=mask, past=kv)
        r, c, token, n = (torch.tensor(x) for x in zip(*targets))
        lp = lm.token_log_probs(hidden[r, c], token)
    out: dict[int, float] = {}
    for variant, value in zip(n.tolist(), lp.tolist()):
        out[variant] = out.get(variant, 0.0) + value
    return out


def restore(lm: LanguageModel, scored: Scored, marked: list[int], limit: int) -> list[list[dict]]:
    """Suggestions for each marked site (indices into scored.sites): up to `limit` wordings, best
    first, as {"text", "score"} with score the softmax probability over the re-scored candidates.
    Sites not restored during the scoring pass are restored here (their windows passed again)."""
    missing = [scored.sites[k] for k in marked if scored.sites[k].restored is None]
    by_window: dict[int, list[Site]] = {}
    for site in missing:
        by_window.setdefault(site.window, []).append(site)
    for batch in lm_passes(lm, scored.windows, sorted(by_window), keep=True):
        restore_sites(lm, [s for w in batch.windows for s in by_window[w]], batch)
    results = []
    for k in marked:
        restored = scored.sites[k].restored
        probs = torch.tensor([lp for _, lp in restored]).softmax(0).tolist()
        ranked = sorted(zip((w for w, _ in restored), probs), key=lambda x: -x[1])[:limit]
        results.append([{"text": t, "score": round(p, 4)} for t, p in ranked])
    return results

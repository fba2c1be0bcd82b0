"""Stage 3, restore: rank the likely originals of marked spans with context on both sides.

For each marked site, its RESTORE_CANDIDATES best candidates by the `score` stage (first
sub-token, left context) are re-scored with their *full* wording followed by the next
RIGHT_TOKENS tokens of the text: log P(candidate's sub-tokens + right context | left context),
summed, in nats. The left context is not run again: each window's KV cache from the scoring pass
is reused and every variant only adds its own few tokens (variants of one window share one
batched forward pass, with each row's past cut at its site by the attention mask).
Suggestions are the best candidates with their softmax probability over the re-scored ones.
"""

from __future__ import annotations

from collections import defaultdict

import torch

from .lm import LanguageModel
from .score import Scored, lm_pass

RESTORE_CANDIDATES = 8  # at most this many candidates per site are re-scored ...
RESTORE_MARGIN = 6.0  # ... those within this many nats of the best by the score stage
RIGHT_TOKENS = 2
MAX_NEW_TOKENS = 512  # variant tokens per forward pass


def variant_scores(lm: LanguageModel, scored: Scored, items: list[tuple[int, list[str]]]) -> list[list[float]]:
    """items: (site index, wordings to put in its place) -> log P of each wording plus the right
    context given the left context [nats], in the same order.

    All variants of one window go through the LM as one sequence after the window's cached KV:
    a 4-D attention mask lets each variant token see the window before its site and the earlier
    tokens of its own variant only, with the positions it would have in the text. The first
    sub-token of each variant is predicted by the scoring pass's hidden state before the site."""
    needed = sorted({scored.sites[k].window for k, _ in items})
    hidden, states = scored.hidden, scored.states
    if states is None or any(states[w] is None for w in needed):
        fresh_hidden, fresh_states = lm_pass(lm, [scored.windows[w] for w in needed], keep_states=True)
        hidden, states = dict(zip(needed, fresh_hidden)), dict(zip(needed, fresh_states))
    variants_by_window: dict[int, list[tuple[int, int, list[int], int]]] = defaultdict(list)
    for n, (k, wordings) in enumerate(items):
        site = scored.sites[k]
        t0, t1 = site.tokens
        right = scored.windows[site.window].ids[t1 : t1 + RIGHT_TOKENS]
        for v, wording in enumerate(wordings):
            variants_by_window[site.window].append((n, v, lm.token_ids(wording) + right, t0))
    out = [[0.0] * len(w) for _, w in items]
    with torch.inference_mode():
        for w, variants in variants_by_window.items():
            past = len(scored.windows[w].ids)
            start = 0
            while start < len(variants):  # chunks of at most MAX_NEW_TOKENS variant tokens
                end, total = start, 0
                while end < len(variants) and (end == start or total + len(variants[end][2]) - 1 <= MAX_NEW_TOKENS):
                    total += len(variants[end][2]) - 1
                    end += 1
                _score_chunk(lm, hidden[w], states[w], past, variants[start:end], total, out)
                start = end
    return out


def _score_chunk(lm, window_hidden, window_kv, past, variants, total, out) -> None:
    """Score `variants` (n, v, token ids, site start) of one window into out[n][v]; `total`
    variant tokens go through the LM after the window's cached `past` tokens."""
    from transformers import DynamicCache

    ids, positions, owner = [], [], []
    for i, (_, _, seq, t0) in enumerate(variants):
        inputs = seq[:-1]
        ids += inputs
        positions += [t0 + j for j in range(len(inputs))]
        owner += [i] * len(inputs)
    new_hidden = None
    if total:
        owner_t = torch.tensor(owner)
        pos_t = torch.tensor(positions)
        t0s = torch.tensor([v[3] for v in variants])
        mask = torch.zeros(1, 1, total, past + total, dtype=torch.bool)
        mask[0, 0, :, :past] = torch.arange(past)[None, :] < t0s[owner_t][:, None]
        mask[0, 0, :, past:] = (owner_t[:, None] == owner_t[None, :]) & (pos_t[None, :] <= pos_t[:, None])
        cache = DynamicCache([(k, v) for k, v in window_kv])
        new_hidden = lm.body(input_ids=torch.tensor([ids]), attention_mask=mask, position_ids=pos_t[None],
                             past_key_values=cache, use_cache=True).last_hidden_state[0]
    # Each variant token is predicted by the state before it: the scoring pass's state before the
    # site for the first, the variant's own new states for the rest. One LM-head product for all.
    states, targets, cursor = [], [], 0
    for _, _, seq, t0 in variants:
        states.append(window_hidden[t0 - 1][None])
        if len(seq) > 1:
            states.append(new_hidden[cursor : cursor + len(seq) - 1])
            cursor += len(seq) - 1
        targets += seq
    logp = (torch.cat(states) @ lm.head.T).log_softmax(-1)
    token_lp = logp[torch.arange(len(targets)), torch.tensor(targets)].tolist()
    start = 0
    for n, v, seq, _ in variants:
        out[n][v] = sum(token_lp[start : start + len(seq)])
        start += len(seq)


def restore(lm: LanguageModel, scored: Scored, marked: list[int], limit: int) -> list[list[dict]]:
    """Suggestions for each marked site (indices into scored.sites): up to `limit` wordings, best
    first, as {"text", "score"} with score the softmax probability over the re-scored candidates."""
    items = []
    for k in marked:
        site = scored.sites[k]
        best = site.candidate_lp[0]
        items.append((k, [c for c, lp in zip(site.candidates[:RESTORE_CANDIDATES], site.candidate_lp)
                          if lp >= best - RESTORE_MARGIN]))
    results = []
    for (k, wordings), scores in zip(items, variant_scores(lm, scored, items)):
        probs = torch.tensor(scores).softmax(0).tolist() if scores else []
        ranked = sorted(zip(wordings, probs), key=lambda x: -x[1])[:limit]
        results.append([{"text": t, "score": round(p, 4)} for t, p in ranked])
    return results

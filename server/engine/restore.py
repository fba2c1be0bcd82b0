"""Stage 3, restore: rank the likely originals of marked spans with context on both sides.

For each site, the candidates the `score` stage kept (its KEPT_CANDIDATES best ranked by the
model's candidate ranker: ranking.py) are re-scored with each candidate's *full* wording
followed by the next RIGHT_TOKENS tokens of the text: log P(candidate's sub-tokens + right
context | left context), summed, in nats, plus the ranker's prior. The
left context is not run again: the KV cache of the scoring pass is reused, and the variants of
all sites of a batch of windows go through the LM in one batched pass, packed into rows after
the batch's cached keys and values (a 4-D attention mask lets each variant token see its own
window before its site and the earlier tokens of its own variant only, at the positions it
would have in the text). The log-probability of the first sub-token of every variant is the one
the scoring pass computed.

Adjacent marked sites (a *run*: "army gear") are restored both one by one and as one wording:
each combination of their first JOINT_PER_SITE candidates ("military equipment", "military
gear", ...) is re-scored the same way, in the same pass, as the wording of a site that spans them
all (`merge`), so each word is judged with its restored neighbours rather than their spun wording.
The run becomes one mark only when its wording is a key of the candidate table or its joint
restoration reads better than the words restored one by one (`joined`); else each site is a mark
of its own (a joint wording of words restored alone was seen to turn "following binary digit"
into "after double number").

The engine calls `restore_sites` during the scoring pass for the sites that may be marked (and
their runs), so no KV cache outlives its batch; `restore` ranks the marks and re-runs the pass
only for windows whose marks were not restored then (a lower threshold than the pass assumed).
Suggestions are the best candidates with their softmax probability over the re-scored ones.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import torch

from .decide import calibrated
from ..lm.load import LanguageModel
from .score import Batch, Scored, Site, lm_passes
from ..text import covers_ignored

MAX_RUN = 3  # adjacent marked sites restored as one wording, at most (a longer run is cut) ...
JOINT_PER_SITE = 2  # ... combining each one's best this many candidates (8 wordings for 3 sites)
RIGHT_TOKENS = 4
ROW_TOKENS = 32  # variant tokens per row of a batched pass (a lightly spun window has a few) ...
ROWS_PER_PASS = 8  # ... and rows per pass, padded to 1, 2, 4 or 8: attention weights stay under
# 8 x 9 heads x 32 x 544 fp32 (5 MB)


def restore_sites(lm: LanguageModel, sites: list[Site], batch: Batch, continuation: dict[str, float],
                  single: bool = False) -> None:
    """Set `site.restored` = [(wording, log P(wording + right context | left context) + its prior
    (the candidate ranker's: ranking.py)], nats, for the kept candidates of each of `sites` (all in
    `batch`'s windows, whose KV cache the batch kept). A site with one candidate is re-scored only
    when `single` (second_look.py); else it is its one suggestion as the scoring pass estimated it.
    continuation: the model's (score.continuations), to recover each candidate's first sub-token
    log-probability from its `candidate_lp`."""
    variants = []  # (site, wording, token ids: wording's then the right context's)
    first = []  # log P(first sub-token | left context), as the score stage computed it
    for site in sites:
        t0, t1 = site.tokens
        right = batch.document[site.window].ids[t1 : t1 + RIGHT_TOKENS]
        words = site.candidates
        if len(words) == 0 or len(words) == 1 and not single:  # nothing to rank: no second pass
            site.restored = [(words[0], site.candidate_lp[0] + site.candidate_prior[0])] if words else []
            continue
        for wording, lp, prior in zip(words, site.candidate_lp, site.candidate_prior):
            variants.append((site, wording, lm.token_ids(wording) + right))
            first.append(lp - continuation.get(wording.lower(), 0.0) + prior)
    if not variants:
        return
    # The rest: rows of at most ROW_TOKENS variant tokens (of any windows of the batch).
    rows: list[list[int]] = []
    used = ROW_TOKENS
    for n, (site, _, seq) in enumerate(variants):
        if len(seq) < 2:
            continue
        if used + len(seq) - 1 > ROW_TOKENS:
            rows.append([])
            used = 0
        rows[-1].append(n)
        used += len(seq) - 1
    rest = [0.0] * len(variants)
    for r in range(0, len(rows), ROWS_PER_PASS):
        for n, lp in _continue(lm, batch, variants, rows[r : r + ROWS_PER_PASS]).items():
            rest[n] = lp
    for site, _, _ in variants:
        site.restored = []
    for n, (site, wording, _) in enumerate(variants):
        site.restored.append((wording, round(first[n] + rest[n], 4)))


def _continue(lm: LanguageModel, batch: Batch, variants, rows: list[list[int]]) -> dict[int, float]:
    """Sum of log P of each variant's tokens after its first, in one batched pass (see module docstring)."""
    # Few fixed shapes (see LanguageModel.padded): 1, 2, 4 or 8 rows of ROW_TOKENS (a wording
    # longer than a row, which no candidate table has, widens its pass to a multiple of it).
    longest = max(len(variants[n][2]) - 1 for row in rows for n in row)
    width = -(-max(ROW_TOKENS, longest) // ROW_TOKENS) * ROW_TOKENS
    n_rows = 1 << (len(rows) - 1).bit_length()
    windows, length = batch.hidden.shape[:2]
    past = windows * length  # every window of the batch, one after another
    ids = torch.zeros(n_rows, width, dtype=torch.long)
    positions = torch.zeros(n_rows, width, dtype=torch.long)
    owner = torch.full((n_rows, width), -1)
    start = torch.zeros(n_rows, width, dtype=torch.long)  # where the token's window starts in the past
    cut = torch.zeros(n_rows, width, dtype=torch.long)  # ... and where its site starts there
    targets = []  # (row, column, token, variant)
    for r, row in enumerate(rows):
        c = 0
        for n in row:
            site, _, seq = variants[n]
            t0, k = site.tokens[0], len(seq) - 1
            ids[r, c : c + k] = torch.tensor(seq[:-1])
            positions[r, c : c + k] = torch.arange(t0, t0 + k)
            owner[r, c : c + k] = n
            start[r, c : c + k] = batch.row(site.window) * length
            cut[r, c : c + k] = batch.row(site.window) * length + t0
            targets += [(r, c + j, seq[j + 1], n) for j in range(k)]
            c += k
    mask = torch.zeros(n_rows, 1, width, past + width, dtype=torch.bool)
    key = torch.arange(past)[None, None, :]
    mask[:, 0, :, :past] = (key >= start[:, :, None]) & (key < cut[:, :, None])
    same = (owner[:, :, None] == owner[:, None, :]) & (positions[:, None, :] <= positions[:, :, None])
    mask[:, 0, :, past:] = same & (owner[:, None, :] >= 0) | torch.eye(width, dtype=torch.bool)  # padding sees itself
    assert batch.kv is not None, "restoration reads a pass that kept its KV cache (lm_passes keep=True)"
    kv = [tuple(x.expand(n_rows, -1, -1, -1) for x in layer) for layer in batch.kv]  # views of the one past
    with torch.inference_mode():
        hidden, _ = lm.body(ids, positions=positions, mask=mask, past=kv)
        r, c, token, n = (torch.tensor(x) for x in zip(*targets))
        lp = lm.token_log_probs(hidden[r, c], token)
    out: dict[int, float] = {}
    for variant, value in zip(n.tolist(), lp.tolist()):
        out[variant] = out.get(variant, 0.0) + value
    return out


@dataclass
class Mark:
    """One marked span: `sites` (indices into Scored.sites, adjacent, in text order), the site
    whose wording it is (`site`: the one site, or their `merge`), and its suggestions, best first,
    as {"text", "score"} (None: not restored yet, see `unrestored`)."""

    sites: tuple[int, ...]
    site: Site
    suggestions: list[dict] | None


def runs(paragraphs: list[str], sites: list[Site], marked: list[int],
         ignore: frozenset[str] = frozenset()) -> list[tuple[int, ...]]:
    """The marked sites (indices into `sites`, in text order) grouped into runs: one-word sites
    of one window whose words follow each other with a single space between, MAX_RUN at most (a
    phrase site is already restored as one wording; a word beside it is left alone), never a
    run whose wording covers one the reader ignores (`ignore`, text.covers_ignored)."""
    out: list[tuple[int, ...]] = []
    for k in marked:
        site = sites[k]
        if out and len(out[-1]) < MAX_RUN and site.words[1] - site.words[0] == 1:
            last = sites[out[-1][-1]]
            follows = (site.paragraph, site.window, site.words[0]) == (last.paragraph, last.window, last.words[1])
            joined = " ".join(sites[j].text for j in (*out[-1], k))
            if last.words[1] - last.words[0] == 1 and follows and paragraphs[site.paragraph][last.end : site.start] == " " \
                    and not covers_ignored(joined, ignore):
                out[-1] += (k,)
                continue
        out.append((k,))
    return out


def merge(sites: list[Site], continuation: dict[str, float]) -> Site:
    """A site spanning adjacent `sites`, whose candidates are the combinations of their first
    JOINT_PER_SITE candidates (as the score stage ranked them: they are restored in the same pass);
    candidate_lp: log P of the combination's first sub-token (its first part's, from the scoring
    pass), candidate_prior: the parts' priors summed."""
    first, last = sites[0], sites[-1]
    parts = []  # per site: [(wording, log P of its first sub-token, prior)]
    for site in sites:
        parts.append([(w, lp - continuation.get(w.lower(), 0.0), prior) for w, lp, prior in zip(
            site.candidates[:JOINT_PER_SITE], site.candidate_lp, site.candidate_prior)])
    combos = sorted(((" ".join(w for w, _, _ in combo), combo[0][1], sum(p for _, _, p in combo))
                     for combo in itertools.product(*parts)), key=lambda c: -(c[1] + c[2]))
    return replace(first, words=(first.words[0], last.words[1]), end=last.end,
                   text=" ".join(s.text for s in sites), tokens=(first.tokens[0], last.tokens[1]),
                   candidates=[c[0] for c in combos], candidate_lp=[c[1] for c in combos],
                   candidate_prior=[c[2] for c in combos], restored=None)


def joined(table, run: list[Site], whole: Site) -> bool:
    """Whether a run of restored sites is one mark with the restored wording of `whole` (their
    `merge`): its wording is a key of the candidate `table`, or the best joint wording differs from
    the sites' best wordings put together and so scores better than that combination does."""
    if table.lookup(whole.text):
        return True
    restored = [site.restored for site in run]
    if not whole.restored or not all(restored):
        return bool(whole.restored)
    one_by_one = " ".join(max(r, key=lambda wording: wording[1])[0] for r in restored if r).lower()
    scores = {wording.lower(): lp for wording, lp in whole.restored}
    best = max(scores, key=scores.__getitem__)
    return best != one_by_one and scores[best] > scores.get(one_by_one, -float("inf"))


def unrestored(scored: Scored, marked: list[int], continuation: dict[str, float],
               ignore: frozenset[str] = frozenset()) -> list[Mark]:
    """The marks of marked sites not restored (detection only: the engine restores the runs of
    adjacent marks at once, since `joined` decides whether a run is one mark): a mark per run
    (`runs`), its suggestions None."""
    out = []
    for run in runs(scored.paragraphs, scored.sites, marked, ignore):
        site = scored.sites[run[0]] if len(run) == 1 else scored.merged.get(_run_key(scored, run)) \
            or merge([scored.sites[k] for k in run], continuation)
        out.append(Mark(run, site, None))
    return out


def _run_key(scored: Scored, run: tuple[int, ...]) -> tuple[int, int, int]:
    """A run's key in `Scored.merged`: (paragraph, first word, last word + 1)."""
    return scored.sites[run[0]].paragraph, scored.sites[run[0]].words[0], scored.sites[run[-1]].words[1]


def restore(lm: LanguageModel, scored: Scored, marked: list[int], limit: int,
            continuation: dict[str, float], table, temperature: float = 1.0, calibration: dict | None = None,
            ignore: frozenset[str] = frozenset(), min_chance: float = 0.0) -> list[Mark]:
    """The marks of the marked sites (indices into scored.sites, in text order): each site, or
    each run of adjacent ones as one wording (`runs`, `merge`, when `joined`: `table` is the
    model's candidate table), with up to `limit` suggestions,
    best first, as {"text", "score"}; score: the softmax probability over the re-scored
    candidates at `temperature`, then `calibration` (decide.calibrated; the model's, both fitted
    on dev so that a score is the chance of being the original: `unspin train`). A suggestion
    whose score is below `min_chance` is not given: a mark may have none (its original unknown).
    What the scoring pass did not restore (sites, and runs kept in `scored.merged` by their
    words) is restored here, their windows passed again."""
    marks: list[tuple[tuple[int, ...], Site | None]] = []
    for run in runs(scored.paragraphs, scored.sites, marked, ignore):
        marks.append((run, scored.sites[run[0]] if len(run) == 1 else scored.merged.get(_run_key(scored, run))))
    todo: dict[int, list[int]] = {}  # window -> the marks to restore there
    for n, (run, site) in enumerate(marks):
        if site is None or site.restored is None or any(scored.sites[k].restored is None for k in run):
            todo.setdefault(scored.sites[run[0]].window, []).append(n)  # a run lies in one window
    # a window is passed again up to its last mark's first token: restoration reads the KV cache
    # of the left context only (its right context is in the candidates' own rows)
    lengths = {w: max(scored.sites[k].tokens[0] for n in todo[w] for k in marks[n][0]) for w in todo}
    for batch in lm_passes(lm, scored.windows, sorted(todo), keep=True, lengths=lengths):
        here = [n for w in batch.windows for n in todo[w]]
        pending, parts = [], []  # the marks' sites, then the sites of their runs
        for n in here:
            run, site = marks[n]
            if site is None:
                site = merge([scored.sites[k] for k in run], continuation)
                marks[n] = (run, site)
                scored.merged[_run_key(scored, run)] = site  # restored once: kept
            pending.append(site)
            if len(run) > 1:
                parts += [scored.sites[k] for k in run]
        pending += parts
        restore_sites(lm, [site for site in pending if site.restored is None], batch, continuation)
    split = []  # a run that is not `joined` is a mark per site
    for run, site in marks:
        assert site is not None, "merged in its window's pass"
        if len(run) > 1 and not joined(table, [scored.sites[k] for k in run], site):
            split += [((k,), scored.sites[k]) for k in run]
        else:
            split.append((run, site))
    out = []
    for run, site in split:
        restored = site.restored
        probs = (torch.tensor([lp for _, lp in restored]) / temperature).softmax(0).numpy()
        chances = calibrated(probs, calibration or {})
        ranked = sorted(zip((w for w, _ in restored), probs, chances), key=lambda x: -x[1])[:limit]  # calibration ties
        out.append(Mark(run, site, [{"text": t, "score": round(float(c), 4)} for t, _, c in ranked if c >= min_chance]))
    return out

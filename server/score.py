"""Stage 1, score: one language-model pass over a document, and features for every candidate site.

A *site* is a word or phrase (1-4 adjacent words) of the document that is a key of the
candidate table, i.e. that some spinner could have written in place of a known original. For
each site this stage measures, with the left context of one LM pass, how likely the text's own
wording is and how likely the candidates' wordings are, and records the features the detector
(`decide`) judges by. Nothing here depends on a threshold, so a scored document can be cached
and decided again at any sensitivity.

Independence from how a document is split: paragraphs are joined into one stream, cut into
sentences there (a paragraph break is only a space to the LM), and whole sentences are packed into
windows of at most WINDOW_TOKENS tokens, each window starting with a newline token. The same
article sent as 1, 4 or 12 paragraphs therefore gets the same windows, the same LM pass and the
same scores. Offsets are code points relative to each paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import torch

from .lm import LanguageModel
from .text import Visible, Word, match_case, protected_ranges, words, zipf

WINDOW_TOKENS = 128  # tokens per LM window (whole sentences are packed up to this)
MAX_SITE_WORDS = 4
MAX_CANDIDATES = 50  # per site, best prior first (as many as the candidate table keeps), scored ...
KEPT_CANDIDATES = 3  # ... and the likeliest full wordings kept on the site, for restoration (the
# rest would hold 40 MB of strings for a request at the token limit)
# A sentence ends at . ! ? (plus closing quotes/brackets) before a space and a capital, digit or
# opening quote, unless the word before the stop is an initial or a known abbreviation.
_SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset("mr mrs ms dr st jr sr gen gov sen rep col lt sgt capt prof inc corp co ltd vs no".split())

FEATURES = (
    "ratio",  # best candidate's log P(first sub-token) - log P(text wording, all sub-tokens), nats
    "ratio_full",  # the same with each candidate's full wording (first sub-token in context + continuation)
    "ratio_first",  # best candidate's first sub-token against the text's first sub-token only
    "lp_text",  # log P(text wording | left context), all sub-tokens
    "lp_text_first",
    "lp_best",  # best candidate's log P(first sub-token)
    "lp_best_full",  # best candidate's estimated log P(full wording)
    "soft_count",  # log sum_c exp(lp_c - lp_text_first): how much likelier the candidates are together
    "n_better",  # candidates whose first sub-token is likelier than the text's
    "entropy",  # of the LM's next-token distribution before the site, nats
    "lp_next",  # log P(the token after the site | left context + the text wording)
    "n_tokens",
    "n_words",
    "prior_best",  # candidate-table prior of the best-scored candidate
    "prior_max",
    "n_candidates",
    "zipf_text",
    "zipf_best",
    "capitalised",  # starts with a capital inside a sentence
    "sentence_start",
    "position",  # word index inside the sentence, capped at 10
)


@dataclass
class Site:
    """One candidate site. Offsets: code points in paragraph `paragraph`; `words`: [first, last) word index."""

    paragraph: int
    words: tuple[int, int]
    start: int
    end: int
    text: str
    window: int  # index of its window in the document
    tokens: tuple[int, int]  # [first, last) token position of the wording in the window
    candidates: list[str]  # the KEPT_CANDIDATES case-matched original wordings likeliest in full, best first
    candidate_lp: list[float]  # their estimated log P(full wording | left context), nats
    features: np.ndarray  # [len(FEATURES)] float32
    # restore.py's re-scored shortlist, (wording, log P(wording + right context | left), nats),
    # once computed (during the scoring pass for sites that may be marked, else on demand)
    restored: list[tuple[str, float]] | None = None


@dataclass
class Window:
    """Token ids of one LM window (newline first) and each token's (paragraph, start, end) or None."""

    ids: list[int]
    spans: list[tuple[int, int, int] | None]


@dataclass
class Scored:
    """What `score` returns for a document: its paragraphs, words, windows and sites; `seen`:
    the original paragraphs as read (text.Visible, set by the engine), offsets map back with it."""

    paragraphs: list[str]
    words: list[list[Word]]
    windows: list[Window]
    sites: list[Site]
    seen: list[Visible] | None = None


@dataclass
class Batch:
    """One batched LM pass over some windows of a document (alive only while it is processed).

    windows: their indices in `document`; hidden: [B,T,H] final hidden states (right-padded);
    kv: per layer (key, value) [1,kv_heads,B*T,d], the batch's windows one after another (as
    restoration reads them), or None when not kept."""

    windows: list[int]
    hidden: torch.Tensor
    kv: list | None
    document: list[Window]  # all windows of the document

    def row(self, window: int) -> int:
        return self.windows.index(window)


def sentences(stream: str) -> list[tuple[int, int]]:
    """[start, end) code-point ranges of the sentences of a text (whitespace between them dropped)."""
    cuts, start = [], 0
    for m in _SENTENCE_END_RE.finditer(stream):
        before = stream[start : m.start()].split()
        last = before[-1].lower().rstrip(".") if before else ""
        if len(last) == 1 or last in _ABBREVIATIONS:
            continue
        cuts.append((start, m.start() + len(m.group().rstrip())))
        start = m.end()
    if stream[start:].strip():
        cuts.append((start, len(stream.rstrip())))
    return [(a, b) for a, b in cuts if stream[a:b].strip()]


def build_windows(lm: LanguageModel, paragraphs: list[str]) -> list[Window]:
    """Sentences of the joined paragraphs, tokenised and packed into LM windows."""
    stream = " ".join(paragraphs)
    starts = np.cumsum([0] + [len(t) + 1 for t in paragraphs[:-1]])  # where each paragraph starts in it

    def locate(offset: int) -> tuple[int, int]:
        p = int(np.searchsorted(starts, offset, side="right")) - 1
        return p, offset - starts[p]

    ranges = sentences(stream)
    encoded = lm.tokenizer.encode_batch([" " + stream[a:b] for a, b in ranges], add_special_tokens=False)
    windows: list[Window] = []
    current = Window([lm.newline_id], [None])
    for (a, _), enc in zip(ranges, encoded):
        all_ids, all_offsets = enc.ids, enc.offsets  # each access copies the whole list: once
        for i in range(0, len(all_ids), WINDOW_TOKENS - 1):  # a sentence longer than a window is cut
            ids = all_ids[i : i + WINDOW_TOKENS - 1]
            if len(current.ids) + len(ids) > WINDOW_TOKENS:
                windows.append(current)
                current = Window([lm.newline_id], [None])
            for (s, e) in all_offsets[i : i + WINDOW_TOKENS - 1]:
                s, e = max(s - 1, 0) + a, max(e - 1, 0) + a  # the " " prefix is not in the stream
                p, ps = locate(s)
                current.spans.append((p, ps, ps + e - s) if e > s else None)
            current.ids.extend(ids)
    if len(current.ids) > 1:
        windows.append(current)
    return windows


BATCH_WINDOWS = 4  # windows per LM pass (bounds activations, and the KV cache kept: 4 x 128 tokens, 24 MB in bf16)


def lm_passes(lm: LanguageModel, windows: list[Window], which: list[int] | None = None, keep: bool = False,
              check=None):
    """Yield a Batch per BATCH_WINDOWS windows (`which`: their indices, default all, in order);
    keep: also keep their KV cache for restoration; check(): called before each pass. Each batch
    is right-padded; causal attention keeps the padding out of every real token's context."""
    which = list(range(len(windows))) if which is None else which
    with torch.inference_mode():
        for b in range(0, len(which), BATCH_WINDOWS):
            if check is not None:
                check()
            rows = which[b : b + BATCH_WINDOWS]
            # one width for every pass: matrix kernels are compiled once per shape (bf16: ~5 ms each)
            width = max(WINDOW_TOKENS, *(len(windows[w].ids) for w in rows))
            ids = torch.zeros(len(rows), width, dtype=torch.long)
            for r, w in enumerate(rows):
                ids[r, : len(windows[w].ids)] = torch.tensor(windows[w].ids)
            hidden, kv = lm.body(ids, keep=keep)
            for n, layer in enumerate(kv or ()):  # packed one layer at a time: never two copies of the cache
                kv[n] = tuple(x.transpose(0, 1).reshape(1, x.shape[1], -1, x.shape[3]) for x in layer)
            yield Batch(rows, hidden, kv, windows)


def find_sites(paragraphs: list[str], paragraph_words: list[list[Word]], table) -> list[tuple[int, int, int, list]]:
    """(paragraph, first word, last word + 1, table entry) of every site, longest first per start.

    A site never covers protected text (URLs, e-mails, handles, code) nor a capitalised word
    inside a sentence that follows or precedes another capitalised word (part of a name)."""
    found = []
    for p, (text, ws) in enumerate(zip(paragraphs, paragraph_words)):
        protected = protected_ranges(text)
        firsts = sentence_firsts(text, ws)
        blocked = [
            any(a < w.end and w.start < b for a, b in protected) or in_name(ws, firsts, i) for i, w in enumerate(ws)
        ]
        for i in range(len(ws)):
            for n in range(MAX_SITE_WORDS, 0, -1):
                j = i + n
                if j > len(ws) or any(blocked[i:j]):
                    continue
                if any(text[ws[k - 1].end : ws[k].start] != " " for k in range(i + 1, j)):
                    continue
                entry = table.lookup(" ".join(w.text for w in ws[i:j]))
                if entry:
                    found.append((p, i, j, entry))
    return found


def sentence_firsts(text: str, ws: list[Word]) -> list[int]:
    """For each word, the index of the first word of its sentence (sentences as `sentences` cuts
    them: "U.S. officers" and "Mr. Smith" stay inside one)."""
    firsts, k = [], 0
    starts = iter(a for a, _ in sentences(text))
    next_start = next(starts, None)
    for i, w in enumerate(ws):
        while next_start is not None and next_start <= w.start:
            k = i
            next_start = next(starts, None)
        firsts.append(k)
    return firsts


def in_name(ws: list[Word], firsts: list[int], i: int) -> bool:
    """A capitalised word next to another capitalised word that does not start a sentence: part
    of a name ("the New Liberty Playhouse"), a title or an organisation. firsts: sentence_firsts."""

    def cap(k: int) -> bool:
        return 0 <= k < len(ws) and ws[k].text[:1].isupper()

    return cap(i) and ((cap(i - 1) and firsts[i] != i) or (cap(i + 1) and firsts[i + 1] != i + 1))


CONTINUATION_CONTEXT = "\nIn the news,"  # neutral news context (after a bare newline, "public" is
# hardly ever followed by "health": -15 nats against -3 here)


def continuations(lm: LanguageModel, wordings: list[str], batch: int = 256, progress: bool = False) -> dict[str, float]:
    """log P(sub-tokens after the first | CONTINUATION_CONTEXT and the first sub-token), nats, of
    every wording of more than one sub-token: how a candidate's wording continues once begun, in a
    neutral context. `score` adds it to the candidate's first sub-token in context to estimate the
    full wording's log-probability without an LM pass per candidate. Computed once per table;
    progress: show a progress bar (tqdm) on stderr."""
    from tqdm import tqdm

    multi = sorted((w for w in set(wordings) if len(lm.token_ids(w)) > 1), key=lambda w: len(lm.token_ids(w)))
    context = lm.tokenizer.encode(CONTINUATION_CONTEXT, add_special_tokens=False).ids
    n = len(context)
    out = {}
    with torch.inference_mode():
        for b in tqdm(range(0, len(multi), batch), desc="candidate continuations", unit="batch", disable=not progress):
            chunk = multi[b : b + batch]
            seqs = [[*context, *lm.token_ids(w)] for w in chunk]
            width = max(len(x) for x in seqs)
            ids = torch.zeros(len(seqs), width, dtype=torch.long)
            for r, x in enumerate(seqs):
                ids[r, : len(x)] = torch.tensor(x)
            hidden, _ = lm.body(ids)  # right-padded: causal attention keeps padding out
            for r, (w, x) in enumerate(zip(chunk, seqs)):
                targets = torch.tensor(x[n + 1 :])
                logp = lm.log_probs(hidden[r, n : len(x) - 1])  # predicts the wording's tokens 2..
                out[w] = round(float(logp[torch.arange(len(targets)), targets].sum()), 3)
    return out


def score(lm: LanguageModel, table, paragraphs: list[str], continuation: dict[str, float] | None = None,
          on_batch=None, check=None) -> Scored:
    """Run the LM over a document (list of paragraphs) and compute every site's features.

    continuation: `continuations` of the table's candidates (lower case), 0 where missing.
    on_batch(sites, batch): called after each batched pass with the sites of its windows and the
    Batch with its KV cache kept (the engine restores likely-marked sites there, so no KV cache
    outlives its batch); without it no KV cache is kept. check(): called before each pass (the
    engine's deadline and cancellation; whatever it raises ends the scoring)."""
    paragraph_words = [words(t) for t in paragraphs]
    windows = build_windows(lm, paragraphs)
    raw = _locate_sites(paragraphs, paragraph_words, windows, table)
    firsts = [sentence_firsts(text, ws) for text, ws in zip(paragraphs, paragraph_words)]
    by_window: dict[int, list] = {}
    for r in raw:
        by_window.setdefault(r[4], []).append(r)
    sites: list[Site] = []
    for batch in lm_passes(lm, windows, keep=on_batch is not None, check=check):
        found = [r for w in batch.windows for r in by_window.get(w, ())]
        new = _features(lm, paragraphs, paragraph_words, firsts, windows, batch, found, continuation or {})
        if on_batch is not None and new:
            on_batch(new, batch)
        sites += new
    return Scored(paragraphs, paragraph_words, windows, sites)


def _locate_sites(paragraphs, paragraph_words, windows, table) -> list[tuple]:
    """(paragraph, first word, last word + 1, table entry, window, first token, last token + 1) of
    every site whose wording is whole tokens of one window, in window order."""
    where: dict[tuple[int, int], tuple[int, int]] = {}  # (paragraph, content start) -> (window, token)
    for w, win in enumerate(windows):
        for t, span in enumerate(win.spans):
            if span is not None:
                p, s, e = span
                if paragraphs[p][s : s + 1] == " ":
                    s += 1
                where.setdefault((p, s), (w, t))
    raw = []
    for p, i, j, entry in find_sites(paragraphs, paragraph_words, table):
        ws = paragraph_words[p]
        first = where.get((p, ws[i].start))
        if first is None:
            continue
        w, t0 = first
        t1 = t0
        win = windows[w]
        while t1 < len(win.ids) and win.spans[t1] is not None and win.spans[t1][0] == p and win.spans[t1][1] < ws[j - 1].end:
            t1 += 1
        if win.spans[t1 - 1][2] > ws[j - 1].end:  # a token straddles the site's end
            continue
        raw.append((p, i, j, entry, w, t0, t1))
    raw.sort(key=lambda r: r[4])
    return raw


def _segments(values: np.ndarray, starts: np.ndarray, ufunc) -> np.ndarray:
    """ufunc.reduceat over non-empty segments [starts[k], starts[k+1])."""
    return ufunc.reduceat(values, starts) if len(values) else np.zeros(0)


def _features(lm, paragraphs, paragraph_words, firsts, windows, batch: Batch, raw, continuation) -> list[Site]:
    """Sites and features of the `raw` sites of one batch, as array operations over all of them.

    Log-probabilities (nats) are a token's logit, as an fp32 dot product of its hidden state and
    output embedding, minus the log-sum-exp of the full next-token distribution there (the LM
    head's product in the served precision: `LanguageModel.normalizers`)."""
    if not raw:
        return []
    # 1. Per site, in Python: wordings, candidates, priors and the token requests.
    rows: dict[tuple[int, int], int] = {}  # (batch row, position) -> index into the needed positions

    def row(w: int, t: int) -> int:
        return rows.setdefault((batch.row(w), t), len(rows))

    before, text_row, text_tok, text_site, next_row, next_tok = [], [], [], [], [], []
    cand_tok, cand_site, cand_cont, cand_prior, all_cands, info = [], [], [], [], [], []
    for n, (p, i, j, entry, w, t0, t1) in enumerate(raw):
        ws, text, win = paragraph_words[p], paragraphs[p], windows[w]
        start, end = ws[i].start, ws[j - 1].end
        wording = text[start:end]
        cands = [match_case(wording, c) for c, _ in entry[:MAX_CANDIDATES]]
        before.append(row(w, t0 - 1))
        for t in range(t0, t1):
            text_row.append(row(w, t - 1))
            text_tok.append(win.ids[t])
            text_site.append(n)
        has_next = t1 < len(win.ids)
        next_row.append(row(w, t1 - 1))
        next_tok.append(win.ids[t1] if has_next else 0)
        cand_tok += [lm.first_token(c) for c in cands]
        cand_site += [n] * len(cands)
        cand_cont += [continuation.get(c.lower(), 0.0) for c in cands]
        cand_prior += [pr for _, pr in entry[:MAX_CANDIDATES]]
        all_cands.append(cands)
        info.append((p, i, j, w, t0, t1, start, end, wording, has_next))
    # 2. The LM head where needed: log-sum-exp and entropy of each needed position.
    keys = list(rows)
    hidden = batch.hidden[torch.tensor([r for r, _ in keys]), torch.tensor([t for _, t in keys])]  # [M,H]
    wanted = torch.zeros(len(keys), dtype=torch.bool)
    wanted[before] = True  # entropy only before a site
    lse, entropy = lm.normalizers(hidden, entropy=wanted)
    head = lm.head

    def log_p(positions: list[int], tokens: list[int]) -> np.ndarray:
        at, tok = torch.tensor(positions, dtype=torch.long), torch.tensor(tokens, dtype=torch.long)
        logit = torch.cat([(hidden[at[c : c + 2048]].float() * head[tok[c : c + 2048]].float()).sum(-1)
                           for c in range(0, len(at), 2048)]) if len(at) else torch.zeros(0)
        return (logit - lse[at]).numpy().astype(np.float64)

    # 3. Every feature as array operations.
    n_sites = len(raw)
    lp_tok = log_p(text_row, text_tok)
    text_site = np.array(text_site)
    lp_text = np.bincount(text_site, weights=lp_tok, minlength=n_sites)
    lp_text_first = lp_tok[np.searchsorted(text_site, np.arange(n_sites))]
    lp_next = np.where([x[-1] for x in info], log_p(next_row, next_tok), 0.0)
    cand_site = np.array(cand_site)
    cand_starts = np.searchsorted(cand_site, np.arange(n_sites))
    lp_c = log_p([before[k] for k in cand_site], cand_tok)
    lp_full = lp_c + np.array(cand_cont)
    priors = np.array(cand_prior)
    counts = np.diff(np.append(cand_starts, len(cand_site)))
    seg_max = _segments(lp_c, cand_starts, np.maximum)
    at_max = np.flatnonzero(lp_c == seg_max[cand_site])
    best = at_max[np.unique(cand_site[at_max], return_index=True)[1]]  # each site's first best candidate
    prior_max = _segments(priors, cand_starts, np.maximum)
    lp_best = lp_c[best]
    soft = seg_max + np.log(_segments(np.exp(lp_c - seg_max[cand_site]), cand_starts, np.add)) - lp_text_first
    n_better = _segments((lp_c > lp_text_first[cand_site]).astype(np.float64), cand_starts, np.add)
    order = np.lexsort((-lp_full, cand_site))  # per site, likeliest full wording first (stable)
    top_full = lp_full[order[cand_starts]]
    entropy_before = entropy[torch.tensor(before)].numpy()
    sites = []
    for k, (p, i, j, w, t0, t1, start, end, wording, _) in enumerate(info):
        first = firsts[p][i]
        starts_sentence = first == i
        features = np.array([
            lp_best[k] - lp_text[k],
            top_full[k] - lp_text[k],
            lp_best[k] - lp_text_first[k],
            lp_text[k],
            lp_text_first[k],
            lp_best[k],
            top_full[k],
            soft[k],
            n_better[k],
            entropy_before[k],
            lp_next[k],
            t1 - t0,
            j - i,
            priors[best[k]],
            prior_max[k],
            counts[k],
            zipf(wording),
            zipf(all_cands[k][best[k] - cand_starts[k]]),
            float(wording[:1].isupper() and not starts_sentence),
            float(starts_sentence),
            min(i - first, 10),
        ], dtype=np.float32)
        ranked = order[cand_starts[k] : cand_starts[k] + min(counts[k], KEPT_CANDIDATES)]
        sites.append(Site(p, (i, j), start, end, wording, w, (t0, t1),
                          [all_cands[k][m - cand_starts[k]] for m in ranked],
                          [round(float(lp_full[m]), 4) for m in ranked], features))
    return sites

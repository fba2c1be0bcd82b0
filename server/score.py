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
from dataclasses import dataclass, field

import numpy as np
import torch

from .lm import LanguageModel
from .text import Word, match_case, protected_ranges, words, zipf

WINDOW_TOKENS = 128  # tokens per LM window (whole sentences are packed up to this)
MAX_SITE_WORDS = 4
MAX_CANDIDATES = 50  # per site, best prior first (as many as the candidate table keeps)
HEAD_CHUNK = 256  # positions per LM-head product (bounds peak memory)
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
    candidates: list[str]  # case-matched original wordings, likeliest full wording first
    candidate_lp: list[float]  # their estimated log P(full wording | left context), nats
    features: np.ndarray  # [len(FEATURES)] float32


@dataclass
class Window:
    """Token ids of one LM window (newline first) and each token's (paragraph, start, end) or None."""

    ids: list[int]
    spans: list[tuple[int, int, int] | None]


@dataclass
class Scored:
    """What `score` returns for a document: its paragraphs, words, windows and sites."""

    paragraphs: list[str]
    words: list[list[Word]]
    windows: list[Window]
    sites: list[Site]
    # Transient, for `restore` within the same call (never cached): per window, the pass's hidden
    # states [T,H] and KV cache.
    hidden: list | None = field(default=None, repr=False)
    states: list | None = field(default=None, repr=False)


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


def lm_pass(lm: LanguageModel, windows: list[Window], keep_states: bool = False):
    """Hidden states [T_w,H] of every window (batched, padded on the right); with keep_states,
    also each window's KV cache as a list of per-layer (key, value) tensors [1,heads,T_w,d]."""
    from transformers import DynamicCache

    hidden: list[torch.Tensor] = [None] * len(windows)
    states: list = [None] * len(windows)
    order = sorted(range(len(windows)), key=lambda w: len(windows[w].ids))
    batch = 8
    with torch.inference_mode():
        for b in range(0, len(order), batch):
            rows = order[b : b + batch]
            width = max(len(windows[w].ids) for w in rows)
            ids = torch.zeros(len(rows), width, dtype=torch.long)
            mask = torch.zeros(len(rows), width, dtype=torch.long)
            for r, w in enumerate(rows):
                ids[r, : len(windows[w].ids)] = torch.tensor(windows[w].ids)
                mask[r, : len(windows[w].ids)] = 1
            cache = DynamicCache() if keep_states else None
            out = lm.body(input_ids=ids, attention_mask=mask, past_key_values=cache, use_cache=keep_states)
            for r, w in enumerate(rows):
                n = len(windows[w].ids)
                hidden[w] = out.last_hidden_state[r, :n]
                if keep_states:
                    states[w] = [(layer.keys[r : r + 1, :, :n], layer.values[r : r + 1, :, :n]) for layer in cache.layers]
    return hidden, states if keep_states else None


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
            mask = torch.zeros(len(seqs), width, dtype=torch.long)
            for r, x in enumerate(seqs):
                ids[r, : len(x)] = torch.tensor(x)
                mask[r, : len(x)] = 1
            hidden = lm.body(input_ids=ids, attention_mask=mask).last_hidden_state
            logp = (hidden[:, n:-1] @ lm.head.T).log_softmax(-1)  # predicts each wording's tokens 2..
            for r, (w, x) in enumerate(zip(chunk, seqs)):
                targets = torch.tensor(x[n + 1 :])
                out[w] = round(float(logp[r, torch.arange(len(targets)), targets].sum()), 3)
    return out


def score(lm: LanguageModel, table, paragraphs: list[str], keep_states: bool = False,
          continuation: dict[str, float] | None = None) -> Scored:
    """Run the LM over a document (list of paragraphs) and compute every site's features.

    continuation: `continuations` of the table's candidates (lower case), 0 where missing.
    keep_states: also keep each window's hidden states and KV cache for `restore`."""
    paragraph_words = [words(t) for t in paragraphs]
    windows = build_windows(lm, paragraphs)
    hidden, states = lm_pass(lm, windows, keep_states)
    # token index of each (paragraph, content start) in the windows
    where: dict[tuple[int, int], tuple[int, int]] = {}
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
    sites = _features(lm, paragraphs, paragraph_words, windows, hidden, raw, continuation or {})
    return Scored(paragraphs, paragraph_words, windows, sites, hidden if keep_states else None, states)


def _features(lm, paragraphs, paragraph_words, windows, hidden, raw, continuation) -> list[Site]:
    # Positions whose full next-token distribution is needed: before and inside each site.
    need: dict[tuple[int, int], int] = {}
    for _, _, _, _, w, t0, t1 in raw:
        for t in range(t0 - 1, t1):
            need.setdefault((w, t), len(need))
    keys = list(need)
    lse = torch.empty(len(keys))
    entropy = torch.empty(len(keys))
    with torch.inference_mode():
        for c in range(0, len(keys), HEAD_CHUNK):
            h = torch.stack([hidden[w][t] for w, t in keys[c : c + HEAD_CHUNK]])
            logits = h @ lm.head.T
            z = torch.logsumexp(logits, -1)
            probs = (logits - z[:, None]).exp()
            lse[c : c + len(h)] = z
            entropy[c : c + len(h)] = z - (probs * logits).sum(-1)
        firsts = [sentence_firsts(text, ws) for text, ws in zip(paragraphs, paragraph_words)]
        sites = []
        for p, i, j, entry, w, t0, t1 in raw:
            ws, text = paragraph_words[p], paragraphs[p]
            win, hid = windows[w], hidden[w]
            start, end = ws[i].start, ws[j - 1].end
            wording = text[start:end]
            cands = [match_case(wording, c) for c, _ in entry[:MAX_CANDIDATES]]
            priors = [pr for _, pr in entry[:MAX_CANDIDATES]]
            cand_first = [lm.first_token(c) for c in cands]
            text_ids = win.ids[t0:t1]
            lp_tokens = [float(hid[t - 1] @ lm.head[text_ids[t - t0]] - lse[need[(w, t - 1)]]) for t in range(t0, t1)]
            lp_text, lp_text_first = sum(lp_tokens), lp_tokens[0]
            lp_c = (hid[t0 - 1] @ lm.head[cand_first].T - lse[need[(w, t0 - 1)]]).tolist()
            lp_full = [lp + continuation.get(c.lower(), 0.0) for c, lp in zip(cands, lp_c)]
            order = sorted(range(len(cands)), key=lambda k: -lp_full[k])
            best = max(range(len(cands)), key=lambda k: lp_c[k])
            lp_best = lp_c[best]
            lp_next = (
                float(hid[t1 - 1] @ lm.head[win.ids[t1]] - lse[need[(w, t1 - 1)]]) if t1 < len(win.ids) else 0.0
            )
            soft = float(torch.logsumexp(torch.tensor(lp_c), 0)) - lp_text_first
            first = firsts[p][i]
            starts_sentence = first == i
            features = np.array(
                [
                    lp_best - lp_text,
                    lp_full[order[0]] - lp_text,
                    lp_best - lp_text_first,
                    lp_text,
                    lp_text_first,
                    lp_best,
                    lp_full[order[0]],
                    soft,
                    sum(lp > lp_text_first for lp in lp_c),
                    float(entropy[need[(w, t0 - 1)]]),
                    lp_next,
                    t1 - t0,
                    j - i,
                    priors[best],
                    max(priors),
                    len(cands),
                    zipf(wording),
                    zipf(cands[best]),
                    float(wording[:1].isupper() and not starts_sentence),
                    float(starts_sentence),
                    min(i - first, 10),
                ],
                dtype=np.float32,
            )
            sites.append(
                Site(p, (i, j), start, end, wording, w, (t0, t1),
                     [cands[k] for k in order], [round(lp_full[k], 4) for k in order], features)
            )
    return sites

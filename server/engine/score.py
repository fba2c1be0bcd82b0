"""Stage 1, score: one language-model pass over a document, and features for every candidate site.

A *site* is a word or phrase (1-4 adjacent words) of the document that is a key of the
candidate table, i.e. that some spinner could have written in place of a known original, or any
other word but the most frequent ones (`open_site`). Its candidates are the table's and, for one
word, the LM's own OPEN_K likeliest whole next words there (*open* candidates, from the same
pass: any spinner's dictionary, the table's or not). For each site this stage measures, with the
left context of one LM pass, how likely the text's own wording is, how likely the candidates'
wordings are and how related they are to it (thesaurus link, LM embedding cosine), and records
the features the detector (`decide`) judges by. Nothing here depends on a threshold, so a scored document can be cached
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
from typing import NamedTuple

import numpy as np
import torch

from ..lm.load import LanguageModel
from .ranking import RANK_FEATURES, inflection
from ..text import Visible, Word, case_of, match_case, protected_ranges, words, zipf

WINDOW_TOKENS = 128  # tokens per LM window (whole sentences are packed up to this)
MAX_SITE_WORDS = 4
MAX_CANDIDATES = 50  # per site, best prior first (as many as the candidate table keeps), scored ...
KEPT_CANDIDATES = 3  # ... and the best ranked kept on the site, for restoration (the
# rest would hold 40 MB of strings for a request at the token limit)
# Open candidates: the LM's own likeliest next words at a site, beside the table's.
OPEN_K = 50  # the top_k whole words of the LM's next-token distribution before every one-word site
OPEN_MIN_ZIPF = 2.5  # a token is an open candidate when it is a space and a whole word at least this frequent
OPEN_SITE_MAX_ZIPF = 6.0  # a word that is no table key is an open site unless it is this frequent (the, of)
RELATED_COSINE = 0.3  # an open candidate is *related* to a site's word when the thesaurus links them
# or their LM input embeddings' cosine reaches this (a detector feature; which candidates a reader is
# shown is vectors.Relatedness's rule)
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
    "is_key",  # the wording is a key of the candidate table (else only open candidates: table features NaN)
    "open_ratio",  # best open candidate's log P - log P(text wording), nats (NaN: no open candidates)
    "open_n_better",  # open candidates likelier than the text's first sub-token
    "open_cosine",  # LM input-embedding cosine of the text's first sub-token and the best open candidate
    "open_linked",  # the thesaurus links the best open candidate and the wording
    "related_ratio",  # best related candidate (table, or open and linked or cosine >= RELATED_COSINE) - log P(text)
    "cosine_best",  # embedding cosine of the text and the best table candidate
    "ranked_ratio",  # the best ranked candidate's log P - log P(text wording) (ranking.py), nats
    "ranked_score",  # the candidate ranker's score of it (NaN: no ranker, as when training the ranker)
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
    candidates: list[str]  # the KEPT_CANDIDATES case-matched original wordings ranked first, best first
    candidate_lp: list[float]  # their estimated log P(full wording | left context), nats
    candidate_prior: list[float]  # and the prior restoration adds to it (the model's ranker: ranking.py), nats
    features: np.ndarray  # [len(FEATURES)] float32
    # restore.py's re-scored candidates, (wording, log P(wording + right context | left) + prior, nats),
    # once computed (during the scoring pass for sites that may be marked, else on demand)
    restored: list[tuple[str, float]] | None = None
    # second_look.py's both-sides log-likelihood ratio, nats, for a site the detector is unsure of
    both_sides: float | None = None
    # its P(spun) (the detector's, then the second look's), once the engine computed it during the pass
    probability: float | None = None
    # with score(keep_all=True) (training the ranker): every candidate (lower case), best ranked
    # first, and its ranking.RANK_FEATURES [n, len(RANK_FEATURES)]
    ranking: tuple[list[str], np.ndarray] | None = None


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
    seen: list[Visible] = field(default_factory=list)
    # restore.merge's sites of the runs restored during the scoring pass, by (paragraph, first
    # word, last word + 1)
    merged: dict = field(default_factory=dict)


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
PASS_STEP = 32  # a pass over the first tokens of windows is this many tokens wide, or a multiple


def lm_passes(lm: LanguageModel, windows: list[Window], which: list[int] | None = None, keep: bool = False,
              check=None, lengths: dict[int, int] | None = None):
    """Yield a Batch per BATCH_WINDOWS windows (`which`: their indices, default all, in order);
    keep: also keep their KV cache for restoration; check(): called before each pass. Each batch
    is right-padded; causal attention keeps the padding out of every real token's context.
    lengths: window -> how many of its first tokens to pass (restoration needs the KV cache
    before its sites only), the width then rounded up to PASS_STEP tokens."""
    which = list(range(len(windows))) if which is None else which
    with torch.inference_mode():
        for b in range(0, len(which), BATCH_WINDOWS):
            if check is not None:
                check()
            rows = which[b : b + BATCH_WINDOWS]
            taken = [windows[w].ids if lengths is None else windows[w].ids[: max(1, lengths[w])] for w in rows]
            # few widths: matrix kernels are compiled once per shape (bf16: ~5 ms each); a whole
            # window's pass always has the one width WINDOW_TOKENS
            longest = max(len(t) for t in taken)
            width = max(WINDOW_TOKENS, longest) if lengths is None else -(-longest // PASS_STEP) * PASS_STEP
            ids = torch.zeros(len(rows), width, dtype=torch.long)
            for r, t in enumerate(taken):
                ids[r, : len(t)] = torch.tensor(t)
            hidden, kv = lm.body(ids, keep=keep)
            if kv is not None:
                for n, layer in enumerate(kv):  # packed one layer at a time: never two copies of the cache
                    kv[n] = tuple(x.transpose(0, 1).reshape(1, x.shape[1], -1, x.shape[3]) for x in layer)
            yield Batch(rows, hidden, kv, windows)


def reading_order(windows: list[Window], first: frozenset[int] = frozenset()) -> list[int]:
    """Window indices in the order `score` reads them: in batches of BATCH_WINDOWS consecutive
    windows (always the same batches, so a window's pass is the same whatever is read first), the
    batches holding a token of a `first` paragraph first, then the others in reading order."""
    batches = [list(range(b, min(b + BATCH_WINDOWS, len(windows)))) for b in range(0, len(windows), BATCH_WINDOWS)]
    early = [any(span is not None and span[0] in first for w in rows for span in windows[w].spans) for rows in batches]
    return [w for wanted in (True, False) for rows, e in zip(batches, early) if e == wanted for w in rows]


def open_site(word: str) -> bool:
    """A word that can be a site without being a table key: letters only, 3 or more, and not
    among the most frequent words (OPEN_SITE_MAX_ZIPF)."""
    return len(word) >= 3 and word.isalpha() and zipf(word) < OPEN_SITE_MAX_ZIPF


def find_sites(paragraphs: list[str], paragraph_words: list[list[Word]], table) -> list[tuple[int, int, int, list]]:
    """(paragraph, first word, last word + 1, table entry) of every site, longest first per start:
    every wording of 1-MAX_SITE_WORDS words that is a table key, and every `open_site` word that
    is not (its entry empty: it has open candidates only).

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
                if entry or (n == 1 and open_site(ws[i].text)):
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
          on_batch=None, check=None, ranker=None, keep_all: bool = False, related=None,
          first: frozenset[int] = frozenset()) -> Scored:
    """Run the LM over a document (list of paragraphs) and compute every site's features.

    continuation: `continuations` of the table's candidates (lower case), 0 where missing.
    ranker: the model's ranking.CandidateRanker, which chooses each site's KEPT_CANDIDATES and
    their priors (None: the likeliest by log P, prior 0); keep_all: also keep every candidate
    and its ranking features on the site (`Site.ranking`: training the ranker); related: the
    model's vectors.Relatedness, which open candidates may be kept as suggestions (None: all).
    on_batch(sites, batch): called after each batched pass with the sites of its windows and the
    Batch with its KV cache kept (the engine restores likely-marked sites there, so no KV cache
    outlives its batch); without it no KV cache is kept. check(): called before each pass (the
    engine's deadline and cancellation; whatever it raises ends the scoring). first: paragraph
    indices whose windows are read first (`reading_order`: the reader's screenful); the result is
    the same whatever is read first."""
    paragraph_words = [words(t) for t in paragraphs]
    windows = build_windows(lm, paragraphs)
    raw = _locate_sites(paragraphs, paragraph_words, windows, table)
    firsts = [sentence_firsts(text, ws) for text, ws in zip(paragraphs, paragraph_words)]
    by_window: dict[int, list] = {}
    for r in raw:
        by_window.setdefault(r.window, []).append(r)
    sites: list[Site] = []
    for batch in lm_passes(lm, windows, reading_order(windows, first), keep=on_batch is not None, check=check):
        found = [r for w in batch.windows for r in by_window.get(w, ())]
        new = _features(lm, paragraphs, paragraph_words, firsts, windows, batch, found, continuation or {}, table,
                        ranker, keep_all, related)
        if on_batch is not None and new:
            on_batch(new, batch)
        sites += new
    sites.sort(key=lambda site: site.window)  # text order (stable: a window's sites are in order)
    return Scored(paragraphs, paragraph_words, windows, sites)


def token_starts(paragraphs: list[str], windows: list[Window]) -> dict[tuple[int, int], tuple[int, int]]:
    """(paragraph, code-point offset where a token's text starts, its leading space skipped) ->
    (window, token position) of the first token starting there."""
    where: dict[tuple[int, int], tuple[int, int]] = {}
    for w, win in enumerate(windows):
        for t, span in enumerate(win.spans):
            if span is not None:
                p, s, e = span
                if paragraphs[p][s : s + 1] == " ":
                    s += 1
                where.setdefault((p, s), (w, t))
    return where


def open_candidates(lm: LanguageModel, paragraphs: list[str], offsets: list[tuple[int, int]]) -> list[list[str]]:
    """The open candidates (lower case, likeliest first; OPEN_K at most) before each (paragraph,
    code-point offset) of a document, [] where no token starts there: what `score` offers a
    one-word site there besides the table's (evaluation measures their coverage with it)."""
    windows = build_windows(lm, paragraphs)
    where = token_starts(paragraphs, windows)
    allowed, vocab_word = open_vocabulary(lm)
    at = {o: where[o] for o in offsets if o in where}
    out = {}
    for batch in lm_passes(lm, windows, sorted({w for w, _ in at.values()})):
        here = [(o, batch.row(w), t - 1) for o, (w, t) in at.items() if w in batch.windows]
        if not here:
            continue
        hidden = batch.hidden[torch.tensor([r for _, r, _ in here]), torch.tensor([t for _, _, t in here])]
        top = lm.normalizers(hidden, entropy=torch.ones(len(here), dtype=torch.bool), top_k=OPEN_K, allowed=allowed)
        for (o, _, _), ids in zip(here, top.top_ids.tolist()):
            out[o] = [vocab_word[i] for i in ids if vocab_word[i]]
    return [out.get(o, []) for o in offsets]


class Located(NamedTuple):
    """A site found in the text (find_sites) and located in the LM windows: words [first, last)
    of paragraph `paragraph`, its table entry ([] for an open site), tokens [t0, t1) of `window`."""

    paragraph: int
    first: int
    last: int
    entry: list
    window: int
    t0: int
    t1: int


def _locate_sites(paragraphs, paragraph_words, windows, table) -> list[Located]:
    """Every site whose wording is whole tokens of one window, in window order."""
    where = token_starts(paragraphs, windows)
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
        raw.append(Located(p, i, j, entry, w, t0, t1))
    raw.sort(key=lambda r: r.window)
    return raw


def per_site(values: np.ndarray, site: np.ndarray, n_sites: int, ufunc, empty: float = np.nan) -> np.ndarray:
    """ufunc reduced over each site's values (`site`: sorted site index of each value) [n_sites];
    `empty` for a site without values."""
    out = np.full(n_sites, empty)
    if len(values):
        present, starts = np.unique(site, return_index=True)
        out[present] = ufunc.reduceat(values, starts)
    return out


def first_of_best(values: np.ndarray, site: np.ndarray, n_sites: int) -> np.ndarray:
    """Index (into values) of each site's first largest value, -1 for a site without values."""
    out = np.full(n_sites, -1)
    if len(values):
        best = per_site(values, site, n_sites, np.maximum)
        at = np.flatnonzero(values == best[site])
        present, first = np.unique(site[at], return_index=True)
        out[present] = at[first]
    return out


def open_vocabulary(lm: LanguageModel) -> tuple[torch.Tensor, list[str]]:
    """(allowed bool [V], the lower-case word of each token or ""): the tokens that are a space
    and a whole word (letters, OPEN_MIN_ZIPF or more), the open candidates' vocabulary. Derived
    from the tokenizer once per LM."""
    cached = lm.derived.get("open_vocabulary")
    if cached is None:
        vocab = lm.tokenizer.get_vocab()
        word = [""] * len(lm.head)
        for piece, i in vocab.items():
            text = piece[1:]
            if piece.startswith("Ġ") and len(text) >= 2 and text.isalpha() and i < len(word) \
                    and zipf(text) >= OPEN_MIN_ZIPF:
                word[i] = text.lower()
        cached = lm.derived["open_vocabulary"] = (torch.tensor([bool(w) for w in word]), word)
    return cached


def embedding_norms(lm: LanguageModel) -> torch.Tensor:
    """The L2 norm of every input embedding [V], fp32 (for cosines between tokens)."""
    norms = lm.derived.get("norms")
    if norms is None:
        norms = lm.derived["norms"] = lm.head.float().norm(dim=-1).clamp(min=1e-6)
    return norms


def cosines(lm: LanguageModel, a: list[int], b: list[int]) -> np.ndarray:
    """Cosine of the LM input embeddings of tokens a[i] and b[i] [len(a)] (the LM's tied output
    embedding: lm.head), in chunks of 4,096 pairs."""
    if not a:
        return np.zeros(0)
    norms = embedding_norms(lm)
    x, y = torch.tensor(a), torch.tensor(b)
    dots = torch.cat([(lm.head[x[c : c + 4096]] * lm.head[y[c : c + 4096]]).float().sum(-1)
                      for c in range(0, len(x), 4096)])
    return (dots / (norms[x] * norms[y])).numpy().astype(np.float64)


@dataclass
class _Requests:
    """Step 1 of `_features`: what one batch's sites need from the LM head. A *position* indexes the
    batch's needed (row, token) positions, in first-asked order; the lists run per site unless said."""

    positions: dict[tuple[int, int], int] = field(default_factory=dict)  # (batch row, token) -> position
    before: list[int] = field(default_factory=list)  # the position that predicts the site's first token
    text_position: list[int] = field(default_factory=list)  # per token of the sites' wordings: the position
    text_token: list[int] = field(default_factory=list)  # that predicts it, its id
    text_site: list[int] = field(default_factory=list)  # and its site
    text_first: list[int] = field(default_factory=list)  # the wording's first token id
    next_position: list[int] = field(default_factory=list)  # the position that predicts the token after the site
    next_token: list[int] = field(default_factory=list)  # its id (0 at the window's end)
    cand_token: list[int] = field(default_factory=list)  # per table candidate: its first token id
    cand_site: list[int] = field(default_factory=list)  # its site
    cand_continuation: list[float] = field(default_factory=list)  # log P(rest of its wording | first token), nats
    cand_prior: list[float] = field(default_factory=list)  # its candidate-table prior
    candidates: list[list[str]] = field(default_factory=list)  # the site's table candidates, case-matched
    spans: list[tuple[int, int]] = field(default_factory=list)  # the wording's [start, end) in its paragraph
    wordings: list[str] = field(default_factory=list)


def _site_requests(lm, paragraphs, paragraph_words, windows, batch: Batch, raw: list[Located],
                   continuation) -> _Requests:
    """Step 1, per site in Python: wordings, table candidates, priors and the token requests."""
    req = _Requests()

    def position(window: int, token: int) -> int:
        return req.positions.setdefault((batch.row(window), token), len(req.positions))

    for n, (p, i, j, entry, w, t0, t1) in enumerate(raw):
        ws, text, win = paragraph_words[p], paragraphs[p], windows[w]
        start, end = ws[i].start, ws[j - 1].end
        wording = text[start:end]
        req.spans.append((start, end))
        req.wordings.append(wording)
        cased = case_of(wording)
        cands = [cased(c) for c, _ in entry[:MAX_CANDIDATES]]
        req.before.append(position(w, t0 - 1))
        for t in range(t0, t1):
            req.text_position.append(position(w, t - 1))
            req.text_token.append(win.ids[t])
            req.text_site.append(n)
        req.text_first.append(win.ids[t0])
        has_next = t1 < len(win.ids)
        req.next_position.append(position(w, t1 - 1))
        req.next_token.append(win.ids[t1] if has_next else 0)
        req.cand_token += [lm.first_token(c) for c in cands]
        req.cand_site += [n] * len(cands)
        req.cand_continuation += [continuation.get(c.lower(), 0.0) for c in cands]
        req.cand_prior += [prior for _, prior in entry[:MAX_CANDIDATES]]
        req.candidates.append(cands)
    return req


def _head_at(lm, batch: Batch, req: _Requests, allowed: torch.Tensor):
    """Step 2, the LM head where needed: (hidden [M,H], the final hidden state at each of the M needed
    positions; lm.normalizers' output there: log-sum-exp [M], and before each site the entropy and
    the open top_k)."""
    keys = list(req.positions)
    hidden = batch.hidden[torch.tensor([r for r, _ in keys]), torch.tensor([t for _, t in keys])]  # [M,H]
    wanted = torch.zeros(len(keys), dtype=torch.bool)
    wanted[req.before] = True
    return hidden, lm.normalizers(hidden, entropy=wanted, top_k=OPEN_K, allowed=allowed)


def _log_p(lm, hidden: torch.Tensor, lse: torch.Tensor, positions: list[int], tokens: list[int]) -> np.ndarray:
    """log P of tokens[i] at needed position positions[i] [len(tokens)] float64, nats: the fp32 dot
    product of the hidden state and the token's output embedding minus the log-sum-exp there."""
    at, tok = torch.tensor(positions, dtype=torch.long), torch.tensor(tokens, dtype=torch.long)
    logit = torch.cat([(hidden[at[c : c + 2048]].float() * lm.head[tok[c : c + 2048]].float()).sum(-1)
                       for c in range(0, len(at), 2048)]) if len(at) else torch.zeros(0)
    return (logit - lse[at]).numpy().astype(np.float64)


class _Open(NamedTuple):
    """Step 3: the open candidates of one batch's sites, one entry each."""

    site: np.ndarray  # its site index, int64 (sorted)
    lp: np.ndarray  # log P of its token before the site, nats
    token: list[int]
    word: list[str]  # lower case
    cosine: np.ndarray  # LM input-embedding cosine with the site's first token
    linked: np.ndarray  # bool: the thesaurus links it and the site's wording
    related: np.ndarray  # bool: linked, or cosine >= RELATED_COSINE


def _open_candidates_at(lm, table, raw: list[Located], req: _Requests, head_out, vocab_word: list[str],
                        lowered: list[str]) -> _Open:
    """Step 3, open candidates: the top_k words before each one-word site, other than its own
    wording and its table candidates; related when the thesaurus links them or their embeddings are close."""
    before = torch.tensor(req.before)
    top_lp, top_ids = head_out.top_lp[before].numpy(), head_out.top_ids[before].numpy()
    sites, lps, tokens, words_ = [], [], [], []
    for k, site in enumerate(raw):
        if site.last - site.first != 1:
            continue
        own = {req.wordings[k].lower(), *(c.lower() for c in req.candidates[k])}
        for lp, tok in zip(top_lp[k], top_ids[k]):
            word = vocab_word[tok]
            if word and word not in own and np.isfinite(lp):
                sites.append(k)
                lps.append(float(lp))
                tokens.append(int(tok))
                words_.append(word)
    site_index = np.array(sites, dtype=np.int64)
    cosine = cosines(lm, [req.text_first[k] for k in site_index], tokens)
    linked = np.array([lowered[k] in table.originals(word) for k, word in zip(site_index, words_)], dtype=bool)
    return _Open(site_index, np.array(lps), tokens, words_, cosine, linked, linked | (cosine >= RELATED_COSINE))


@dataclass
class _Measures:
    """Step 4: the log-probabilities (nats) and counts the features read, per site [n_sites] or per
    table candidate [C] (`cand_`)."""

    lp_text: np.ndarray  # log P(the wording), all its tokens
    lp_text_first: np.ndarray  # log P(its first token)
    lp_next: np.ndarray  # log P(the token after the site), 0 at a window's end
    entropy: np.ndarray  # of the next-token distribution before the site
    cand_site: np.ndarray  # [C] int64, sorted
    cand_lp_first: np.ndarray  # [C] log P(the candidate's first token)
    cand_lp_full: np.ndarray  # [C] plus its continuation
    cand_prior: np.ndarray  # [C]
    cand_cosine: np.ndarray  # [C] embedding cosine with the wording's first token
    n_candidates: np.ndarray  # table candidates
    best: np.ndarray  # index of the first best table candidate (by first token), -1: none
    lp_best: np.ndarray  # its log P(first token) (NaN: none)
    lp_best_full: np.ndarray  # the best table candidate's log P(full wording)
    soft_count: np.ndarray  # log sum exp(cand_lp_first) - lp_text_first (NaN: no table candidate)
    n_better: np.ndarray  # table candidates likelier (first token) than the text's first token
    prior_max: np.ndarray
    open_best: np.ndarray  # index (into _Open) of the first best open candidate, -1: none
    open_max: np.ndarray  # its log P (NaN: none)
    open_n_better: np.ndarray  # open candidates likelier than the text's first token
    related_max: np.ndarray  # best log P of a related candidate (table or related open), NaN: none


def _measure(lm, raw: list[Located], windows, req: _Requests, hidden, head_out, opens: _Open) -> _Measures:
    """Step 4, every measure as array operations."""
    n_sites = len(raw)
    lp_token = _log_p(lm, hidden, head_out.lse, req.text_position, req.text_token)
    text_site = np.array(req.text_site)
    lp_text = np.bincount(text_site, weights=lp_token, minlength=n_sites)
    lp_text_first = lp_token[np.searchsorted(text_site, np.arange(n_sites))]
    lp_next = np.where([r.t1 < len(windows[r.window].ids) for r in raw],
                       _log_p(lm, hidden, head_out.lse, req.next_position, req.next_token), 0.0)
    cand_site = np.array(req.cand_site, dtype=np.int64)
    cand_lp_first = _log_p(lm, hidden, head_out.lse, [req.before[k] for k in cand_site], req.cand_token)
    cand_lp_full = cand_lp_first + np.array(req.cand_continuation)
    cand_prior = np.array(req.cand_prior)
    lp_best = per_site(cand_lp_first, cand_site, n_sites, np.maximum)
    with np.errstate(divide="ignore"):
        soft_count = lp_best + np.log(per_site(np.exp(cand_lp_first - lp_best[cand_site]), cand_site, n_sites, np.add)) \
            - lp_text_first
    lp_best_full = per_site(cand_lp_full, cand_site, n_sites, np.maximum)
    open_best = first_of_best(opens.lp, opens.site, n_sites)
    related_max = np.fmax(lp_best_full, per_site(np.where(opens.related, opens.lp, -np.inf), opens.site, n_sites, np.maximum))
    related_max[~np.isfinite(related_max)] = np.nan
    return _Measures(
        lp_text=lp_text, lp_text_first=lp_text_first, lp_next=lp_next,
        entropy=head_out.entropy[torch.tensor(req.before)].numpy(),
        cand_site=cand_site, cand_lp_first=cand_lp_first, cand_lp_full=cand_lp_full, cand_prior=cand_prior,
        cand_cosine=cosines(lm, [req.text_first[k] for k in cand_site], req.cand_token),
        n_candidates=np.bincount(cand_site, minlength=n_sites),
        best=first_of_best(cand_lp_first, cand_site, n_sites), lp_best=lp_best, lp_best_full=lp_best_full,
        soft_count=soft_count,
        n_better=per_site((cand_lp_first > lp_text_first[cand_site]).astype(np.float64), cand_site, n_sites, np.add),
        prior_max=per_site(cand_prior, cand_site, n_sites, np.maximum),
        open_best=open_best, open_max=np.where(open_best >= 0, opens.lp[open_best], np.nan),
        open_n_better=per_site((opens.lp > lp_text_first[opens.site]).astype(np.float64), opens.site, n_sites,
                               np.add, 0.0),
        related_max=related_max)


@dataclass
class _Ranked:
    """Step 5: every candidate of the batch's sites, the table's [C] then the open ones (each
    open word once) [O], and how the ranker ranks them."""

    site: np.ndarray  # [C+O] its site index
    lp: np.ndarray  # [C+O] log P(its full wording), nats
    word: list[str]  # the table's case-matched, the open ones lower case
    rank_features: np.ndarray  # [C+O, len(RANK_FEATURES)]
    score: np.ndarray  # [C+O] the ranker's score (without a ranker: lp)
    prior: np.ndarray  # [C+O] the prior restoration adds, nats
    related: np.ndarray  # [C+O] bool: may be kept as a suggestion
    order: np.ndarray  # candidate indices by site, best ranked first
    starts: np.ndarray  # [n_sites] where each site's candidates start in `order`
    counts: np.ndarray  # [n_sites] how many they are

    def of_site(self, k: int) -> np.ndarray:
        """Site k's candidate indices, best ranked first."""
        return self.order[self.starts[k] : self.starts[k] + self.counts[k]]


def _rank_candidates(table, raw: list[Located], req: _Requests, lowered: list[str], measures: _Measures,
                     opens: _Open, ranker, related) -> _Ranked:
    """Step 5, per site, the candidates kept for restoration: all of them (the table's and the open
    ones) ranked by the model's ranker (ranking.py; without one, by log P alone)."""
    n_table, n_sites = len(measures.cand_site), len(raw)
    # Two tokens can be one open word ("Ġwar", "ĠWar"): its likelier one only.
    once = np.ones(len(opens.word), dtype=bool)
    seen_open: set[tuple[int, str]] = set()
    for m, key in enumerate(zip(opens.site.tolist(), opens.word)):
        once[m] = key not in seen_open
        seen_open.add(key)
    open_words = [w for w, o in zip(opens.word, once) if o]
    site = np.concatenate([measures.cand_site, opens.site[once]])
    lp = np.concatenate([measures.cand_lp_full, opens.lp[once]])
    word = [c for cands in req.candidates for c in cands] + open_words  # open ones case-matched once kept
    rank_x = _rank_features(table, req.wordings, lowered, measures.lp_text, site, lp, word, n_table,
                            np.concatenate([measures.cand_cosine, opens.cosine[once]]),
                            np.concatenate([measures.cand_prior, np.full(int(once.sum()), np.nan)]),
                            np.concatenate([np.zeros(n_table, bool), opens.linked[once]]),
                            [r.last - r.first for r in raw])
    rank_score = ranker.scores(rank_x) if ranker is not None else lp
    prior = ranker.weight * rank_score if ranker is not None else np.zeros(len(lp))
    # Only candidates related to the wording are kept as suggestions: every table candidate (the
    # thesaurus links it), an open one when `related` says so (vectors.Relatedness; None: all).
    open_kept = np.ones(int(once.sum()), dtype=bool) if related is None else related(
        [req.wordings[k] for k in opens.site[once]], open_words, opens.linked[once])
    order = np.lexsort((-rank_score, site))
    return _Ranked(site, lp, word, rank_x, rank_score, prior, np.concatenate([np.ones(n_table, bool), open_kept]),
                   order, np.searchsorted(site[order], np.arange(n_sites)), np.bincount(site, minlength=n_sites))


def _site_features(k: int, located: Located, first: int, req: _Requests, measures: _Measures, opens: _Open,
                   ranked: _Ranked, ranker) -> np.ndarray:
    """Step 6: site k's FEATURES [len(FEATURES)] float32 (`first`: the word index its sentence starts at)."""
    i, j, m = located.first, located.last, measures
    wording = req.wordings[k]
    starts_sentence = first == i
    best, open_best = m.best[k], m.open_best[k]
    has_table, has_open = best >= 0, open_best >= 0
    values = {
        "ratio": m.lp_best[k] - m.lp_text[k],
        "ratio_full": m.lp_best_full[k] - m.lp_text[k],
        "ratio_first": m.lp_best[k] - m.lp_text_first[k],
        "lp_text": m.lp_text[k],
        "lp_text_first": m.lp_text_first[k],
        "lp_best": m.lp_best[k],
        "lp_best_full": m.lp_best_full[k],
        "soft_count": m.soft_count[k] if has_table else np.nan,
        "n_better": m.n_better[k],
        "entropy": m.entropy[k],
        "lp_next": m.lp_next[k],
        "n_tokens": located.t1 - located.t0,
        "n_words": j - i,
        "prior_best": m.cand_prior[best] if has_table else np.nan,
        "prior_max": m.prior_max[k],
        "n_candidates": m.n_candidates[k],
        "zipf_text": zipf(wording),
        "zipf_best": zipf(req.candidates[k][best - np.searchsorted(m.cand_site, k)]) if has_table else np.nan,
        "capitalised": float(wording[:1].isupper() and not starts_sentence),
        "sentence_start": float(starts_sentence),
        "position": min(i - first, 10),
        "is_key": float(has_table),
        "open_ratio": m.open_max[k] - m.lp_text[k],
        "open_n_better": m.open_n_better[k],
        "open_cosine": opens.cosine[open_best] if has_open else np.nan,
        "open_linked": float(opens.linked[open_best]) if has_open else np.nan,
        "related_ratio": m.related_max[k] - m.lp_text[k],
        "cosine_best": m.cand_cosine[best] if has_table else np.nan,
    }
    mine = ranked.of_site(k)
    top = mine[0] if len(mine) else None  # the features read the best ranked of all
    values["ranked_ratio"] = ranked.lp[top] - m.lp_text[k] if top is not None else np.nan
    values["ranked_score"] = ranked.score[top] if top is not None and ranker is not None else np.nan
    return np.array([values[name] for name in FEATURES], dtype=np.float32)


def _site(k: int, located: Located, req: _Requests, ranked: _Ranked, features: np.ndarray, keep_all: bool) -> Site:
    """Step 7: site k with its KEPT_CANDIDATES best ranked related candidates (and, with keep_all,
    every candidate's ranking features)."""
    p, i, j, _, w, t0, t1 = located
    wording, (start, end), n_table = req.wordings[k], req.spans[k], len(req.cand_site)
    mine = ranked.of_site(k)
    kept = mine[ranked.related[mine]][:KEPT_CANDIDATES]
    site = Site(p, (i, j), start, end, wording, w, (t0, t1),
                [ranked.word[m] if m < n_table else match_case(wording, ranked.word[m]) for m in kept],
                [round(float(ranked.lp[m]), 4) for m in kept],
                [round(float(ranked.prior[m]), 4) for m in kept], features)
    if keep_all:
        site.ranking = ([ranked.word[m].lower() for m in mine], ranked.rank_features[mine])
    return site


def _features(lm, paragraphs, paragraph_words, firsts, windows, batch: Batch, raw: list[Located], continuation,
              table, ranker=None, keep_all: bool = False, related=None) -> list[Site]:
    """Sites and features of the `raw` sites of one batch, as array operations over all of them.

    Log-probabilities (nats) are a token's logit, as an fp32 dot product of its hidden state and
    output embedding, minus the log-sum-exp of the full next-token distribution there (the LM
    head's product in the served precision: `LanguageModel.normalizers`). A site's candidates are
    the table's (its entry, scored by first sub-token plus continuation) and, for a one-word
    site, its *open* candidates: the LM's OPEN_K likeliest whole next words there (one token
    each, so scored exactly)."""
    if not raw:
        return []
    allowed, vocab_word = open_vocabulary(lm)
    req = _site_requests(lm, paragraphs, paragraph_words, windows, batch, raw, continuation)
    hidden, head_out = _head_at(lm, batch, req, allowed)
    lowered = [w.lower() for w in req.wordings]
    opens = _open_candidates_at(lm, table, raw, req, head_out, vocab_word, lowered)
    measures = _measure(lm, raw, windows, req, hidden, head_out, opens)
    ranked = _rank_candidates(table, raw, req, lowered, measures, opens, ranker, related)
    sites = []
    for k, located in enumerate(raw):
        features = _site_features(k, located, firsts[located.paragraph][located.first], req, measures, opens,
                                  ranked, ranker)
        sites.append(_site(k, located, req, ranked, features, keep_all))
    return sites


def _rank_features(table, wordings: list[str], lowered: list[str], lp_text: np.ndarray, site: np.ndarray,
                   lp: np.ndarray, word: list[str], n_table: int, cosine: np.ndarray, prior: np.ndarray,
                   open_linked: np.ndarray, n_words: list[int]) -> np.ndarray:
    """ranking.RANK_FEATURES of every candidate [len(lp), len(RANK_FEATURES)]: `site` (each one's
    site index), `lp` (its log P, nats), `word`, the first `n_table` of them the table's, the rest
    open (`open_linked`: their thesaurus link back, already known); `table`: the candidate table
    (the link back of the table's ones), wordings and `lowered` (theirs in lower case): the sites'."""
    n_sites = len(wordings)
    if not len(lp):
        return np.zeros((0, len(RANK_FEATURES)))
    best = np.full(n_sites, -np.inf)
    np.maximum.at(best, site, lp)  # `site` is not sorted (the table's candidates, then the open ones)
    order = np.lexsort((-lp, site))
    rank = np.empty(len(lp))
    rank[order] = np.arange(len(lp)) - np.searchsorted(site[order], site[order])
    counts = np.bincount(site, minlength=n_sites)
    zipf_word = np.array([zipf(w) for w in word])
    zipf_text = np.array([zipf(w) for w in wordings])
    suffix = [inflection(w) for w in wordings]
    values = {
        "lp": lp,
        "lp_gap": lp - best[site],
        "lp_rank": rank,
        "ratio": lp - lp_text[site],
        "open": np.arange(len(lp)) >= n_table,
        "cosine": cosine,
        "prior": prior,
        "zipf": zipf_word,
        "zipf_gap": zipf_word - zipf_text[site],
        "same_suffix": [inflection(w) == suffix[k] for w, k in zip(word, site)],
        "length_ratio": [len(w) / max(len(wordings[k]), 1) for w, k in zip(word, site)],
        "linked": [bool(known) if m >= n_table else lowered[k] in table.originals(w)
                   for m, (w, k, known) in enumerate(zip(word, site, open_linked))],
        "n_candidates": counts[site],
        "n_words": np.array(n_words)[site],
    }
    return np.column_stack([np.asarray(values[name], dtype=np.float64) for name in RANK_FEATURES]).astype(np.float32)

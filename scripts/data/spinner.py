"""An article spinner that behaves like the ones content farms run, with exact labels.

Real spinners scan a paragraph, take the longest dictionary phrase at each position,
and swap it for a synonym regardless of sense ("last month" -> "final month"),
re-inflecting it and keeping its capitalisation; quotes, names and numbers survive.
Several PROFILES vary the dictionary, phrase length, rate and how a synonym is picked,
so a detector trained on them does not learn one spinner's quirks. Realism first:
the common profiles swap common words for common synonyms, and pairs seen in real
spinner output (tortured phrases) are favoured.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from random import Random

from unspin.scripts.data.inflection import analyze, inflect_phrase, split_possessive
from unspin.scripts.data.thesauri import FUNCTION_WORDS, _is_variant, zipf
from unspin.text import match_case, protected_ranges, words


@dataclass(frozen=True)
class Profile:
    """One spinner. `choice`: "common" favours frequent synonyms (what real spinners
    print), "uniform" takes any synonym not rarer than `min_zipf` (sense-blind, cruder)."""

    name: str
    sources: tuple[str, ...]  # moby, mythes, ppdb, tortured, glove; "close" = in Moby and MyThes
    rate: tuple[float, float]  # share of content words changed, drawn per article
    max_phrase: int  # longest dictionary phrase matched, in words
    choice: str = "common"
    min_zipf: float = 3.0
    pos_aware: bool = False  # MyThes senses filtered by a guessed part of speech
    mutual: bool = False  # keep a synonym only when its own entry lists the headword back
    weight: float = 1.0  # share among spun articles
    heldout: bool = False  # never in train/dev: measures generalisation to a new spinner
    phrases: bool = False  # phrase-heavy: multi-word synonyms favoured, not penalised ("in accordance with")


PROFILES = (
    Profile("moby-common", ("moby",), (0.10, 0.40), 4, mutual=True, weight=3.0),
    Profile("moby-uniform", ("moby",), (0.05, 0.30), 1, choice="uniform", min_zipf=2.5),
    Profile("mythes-pos", ("mythes",), (0.10, 0.40), 3, pos_aware=True, weight=2.0),
    Profile("close-common", ("close",), (0.10, 0.35), 3, weight=2.0),
    Profile("tortured-mined", ("tortured",), (0.30, 0.50), 3, choice="uniform", min_zipf=2.0),
    # word vectors, a dictionary the candidate table does not hold: teaches the open candidates
    Profile("glove-common", ("glove",), (0.10, 0.35), 1, weight=2.0),
    # phrase-heavy spinners, after real ones built on Moby-like thesauri ("according to" -> "in
    # accordance with"): one in training, and Moby's phrases held out (a style never trained on)
    Profile("mythes-phrases", ("mythes",), (0.10, 0.35), 4, phrases=True, weight=1.5),
    Profile("ppdb-heldout", ("ppdb",), (0.10, 0.40), 1, heldout=True, weight=1.5),
    Profile("moby-phrases-heldout", ("moby",), (0.10, 0.35), 4, phrases=True, heldout=True, weight=1.0),
)

_MAX_CANDIDATES = 15  # real spinner dictionaries list a handful of synonyms per entry
_TORTURED_BOOST = 8.0  # a pair seen in real spinner output is that much likelier
_CONFIRMED_BOOST = 4.0  # a Moby pair MyThes lists too is a closer synonym ("say" -> "state")
_MULTIWORD_PENALTY = 0.3  # one word -> phrase ("be a part of") happens, but less often
_MULTIWORD_BOOST = 4.0  # ... and in a phrase-heavy profile, more often
_ARTICLES = frozenset(("a", "an", "the"))
_MIN_INFLECTED_ZIPF = 1.5  # an inflected synonym must exist ("readed", "say-soed" do not)
_QUOTE_RE = re.compile(r'"[^"]*"?|“[^”]*”?|«[^»]*»?')
# Quantities and units count as numbers: "billion" -> "infinity" would change the facts.
_NUMBER_WORDS = frozenset("hundred hundreds thousand thousands million millions billion billions trillion "
                          "pct percent mln bln dlrs dlr cts".split())
_DETERMINERS = frozenset("a an the this that these those his her its their our my your some any each every no".split())
_VERB_CUES = frozenset("to will would can could should may might must not did does do".split())
_FORM_POS = {"s": {"noun", "verb"}, "ed": {"verb", "adj"}, "ing": {"verb", "noun", "adj"},
             "er": {"adj", "adv"}, "est": {"adj", "adv"}}

Entry = tuple[tuple[str, ...], tuple[float, ...], tuple[frozenset, ...]]  # candidates, cumulative weights, POS


def _sources(name: str, lex: dict) -> dict[str, list[tuple[str, frozenset]]]:
    """head -> [(synonym, parts of speech)] for one source; POS is empty when unknown."""
    if name == "mythes":
        out: dict[str, dict[str, set]] = {}
        for head, senses in lex["mythes_senses"].items():
            slot = out.setdefault(head, {})
            for pos, syns in senses:
                for s in syns:
                    slot.setdefault(s, set()).add(pos)
        return {h: [(s, frozenset(p)) for s, p in d.items()] for h, d in out.items()}
    if name == "close":
        moby, mythes = lex["moby"], lex["mythes"]
        both = {h: [s for s in syns if s in set(mythes.get(h, ()))] for h, syns in moby.items() if h in mythes}
        return {h: [(s, frozenset()) for s in syns] for h, syns in both.items() if syns}
    return {h: [(s, frozenset()) for s in syns] for h, syns in lex[name].items()}


def build_table(profile: Profile, lex: dict) -> dict[str, Entry]:
    """The profile's dictionary: head -> weighted candidates, junk and near-copies removed.

    `lex` holds the loaded thesauri by source name, "mythes_senses", and "tortured_pairs"
    (a set of real (original, spun) pairs used to favour candidates)."""
    real = lex.get("tortured_pairs", frozenset())
    table: dict[str, Entry] = {}
    for name in profile.sources:
        source = _sources(name, lex)
        back = {h: {s for s, _ in syns} for h, syns in source.items()} if profile.mutual else {}
        other = {h: set(v) for h, v in lex.get("mythes", {}).items()} if name == "moby" else {}
        for head, syns in source.items():
            if len(head.split()) > profile.max_phrase or head in FUNCTION_WORDS:
                continue
            scored = []
            for syn, pos in syns:
                if (syn in FUNCTION_WORDS or _is_variant(head, syn) or len(syn.split()) > 4
                        or syn.split()[0] in _ARTICLES and head.split()[0] not in _ARTICLES):
                    continue
                is_real = (head, syn) in real
                if profile.mutual and not is_real and head not in back.get(syn, ()):
                    continue
                z = zipf(syn)
                if z < profile.min_zipf:
                    continue
                w = (z - profile.min_zipf + 0.5) ** 2 if profile.choice == "common" else 1.0
                if profile.phrases:
                    w *= _MULTIWORD_BOOST if " " in syn else 1.0
                else:
                    w *= _MULTIWORD_PENALTY if " " in syn and " " not in head else 1.0
                w *= _CONFIRMED_BOOST if syn in other.get(head, ()) else 1.0
                scored.append((w * (_TORTURED_BOOST if is_real else 1.0), syn, pos))
            if not scored:
                continue
            scored.sort(key=lambda t: -t[0])
            scored = scored[:_MAX_CANDIDATES]
            cum, total = [], 0.0
            for w, _, _ in scored:
                total += w
                cum.append(total)
            table.setdefault(head, (tuple(s for _, s, _ in scored), tuple(cum), tuple(p for _, _, p in scored)))
    return table


def proper_nouns(paragraphs: list[str]) -> frozenset[str]:
    """Lowercased words an article capitalises mid-sentence: names, to be left alone
    even where they open a sentence ("Bush said" stays)."""
    found = set()
    for text in paragraphs:
        for w in words(text):
            if w.text[:1].isupper() and not _sentence_start(text, w.start):
                found.add(w.text.lower())
    return frozenset(found)


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\n\"“‘'([-–—")
    return not before or before[-1] in ".!?:;"


def _protected_ranges(text: str) -> list[tuple[int, int]]:
    return sorted([(m.start(), m.end()) for m in _QUOTE_RE.finditer(text)] + protected_ranges(text))


def _guess_pos(prev: str, word: str, form: str) -> set[str]:
    """A crude part-of-speech guess from the inflection and the previous word."""
    guess = set(_FORM_POS.get(form, ()))
    if prev in _DETERMINERS:
        guess = (guess or {"noun", "adj"}) & {"noun", "adj"} or {"noun", "adj"}
    elif prev in _VERB_CUES:
        guess = {"verb"}
    elif word.endswith("ly"):
        guess = {"adv"}
    return guess


class Spinner:
    """Spins paragraphs with one profile's dictionary; holds a per-word lookup memo."""

    def __init__(self, profile: Profile, table: dict[str, Entry]):
        self.profile = profile
        self.table = table
        self._memo: dict[str, tuple[str, str, Entry] | None] = {}

    def _lookup_word(self, lower: str) -> tuple[str, str, Entry] | None:
        """(lemma, form, entry) for one word, via its lemma when it is inflected."""
        if lower not in self._memo:
            stem, _ = split_possessive(lower)
            hit = None
            if stem not in FUNCTION_WORDS:
                # An inflected reading wins: "said" is looked up as "say" (-> "stated"),
                # not as the adjective "said" (-> "aforementioned").
                readings = sorted(analyze(stem, self.table.__contains__), key=lambda r: not r[1])
                if readings:
                    lemma, form = readings[0]
                    hit = (lemma, form, self.table[lemma])
            self._memo[lower] = hit
        return self._memo[lower]

    def _slots(self, text: str, ws, blocked: list[bool]) -> list[tuple[int, int, str, str, Entry]]:
        """Longest-match dictionary hits: (first word, word count, lemma, form, entry)."""
        slots, i = [], 0
        while i < len(ws):
            found = None
            for n in range(min(self.profile.max_phrase, len(ws) - i), 1, -1):
                span = range(i, i + n)
                if any(blocked[j] for j in span) or any(text[ws[j].end:ws[j + 1].start] != " " for j in span[:-1]):
                    continue
                key = " ".join(ws[j].text.lower() for j in span)
                if key in self.table:
                    found = (i, n, key, "", self.table[key])
                    break
            if found is None and not blocked[i]:
                hit = self._lookup_word(ws[i].text.lower())
                if hit:
                    found = (i, 1) + hit
            if found:
                slots.append(found)
                i += found[1]
            else:
                i += 1
        return slots

    def _choose(self, entry: Entry, prev: str, word: str, form: str, rng: Random) -> str:
        cands, cum, pos = entry
        if self.profile.pos_aware:
            guess = _guess_pos(prev, word, form)
            allowed = [k for k, p in enumerate(pos) if not guess or not p or p & guess]
            if allowed and len(allowed) < len(cands):
                weights = [cum[k] - (cum[k - 1] if k else 0.0) for k in allowed]
                return cands[rng.choices(allowed, weights)[0]]
        return cands[bisect.bisect_left(cum, rng.random() * cum[-1])]

    def spin(self, text: str, rng: Random, rate: float, proper: frozenset[str] = frozenset()) -> tuple[str, list[dict]]:
        """Spin one paragraph: (spun text, spans with code-point offsets into it)."""
        ws = words(text)
        ranges = _protected_ranges(text)
        blocked = []
        for k, w in enumerate(ws):
            cap = w.text[:1].isupper()
            name_follows = k + 1 < len(ws) and ws[k + 1].text[:1].isupper()  # "El Paso", "New York"
            blocked.append(
                any(s < w.end and w.start < e for s, e in ranges)
                or any(c.isdigit() for c in w.text) or w.text.lower() in _NUMBER_WORDS
                or (cap and (not _sentence_start(text, w.start) or name_follows
                             or w.text.lower() in proper or w.text.isupper()))
            )
        n_content = sum(1 for w in ws if w.text.lower() not in FUNCTION_WORDS and w.text.isalpha())
        slots = self._slots(text, ws, blocked)
        if not slots:
            return text, []
        p = min(1.0, rate * n_content / sum(n for _, n, *_ in slots))
        edits = []
        for i, n, _, form, entry in slots:
            if rng.random() >= p:
                continue
            start, end = ws[i].start, ws[i + n - 1].end
            old = text[start:end]
            for _ in range(3):  # a few tries for a synonym that inflects into a real word
                cand = self._choose(entry, ws[i - 1].text.lower() if i else "", ws[i].text.lower(), form, rng)
                new = inflect_phrase(cand, form)
                if not form or zipf(new) >= _MIN_INFLECTED_ZIPF:
                    break
            else:
                continue
            new = match_case(old, new + (split_possessive(old)[1] if n == 1 else ""))
            if new.lower() != old.lower():
                edits.append((start, end, new, old))
        return apply_edits(text, edits)


def apply_edits(text: str, edits: list[tuple[int, int, str, str]]) -> tuple[str, list[dict]]:
    """Rewrite `text` with sorted, non-overlapping (start, end, new, old) edits; edits
    separated only by spaces merge into one span ("army gear" <- "military equipment")."""
    out, spans, pos, shift = [], [], 0, 0
    for start, end, new, old in edits:
        gap = text[pos:start]
        out.append(gap)
        new_start = start + shift
        if spans and gap and gap.isspace():  # spans[-1] is always the previous edit
            last = spans[-1]
            last["text"] += gap + new
            last["original"] += gap + old
            last["end"] = new_start + len(new)
        else:
            spans.append({"start": new_start, "end": new_start + len(new), "text": new, "original": old})
        out.append(new)
        shift += len(new) - (end - start)
        pos = end
    out.append(text[pos:])
    return "".join(out), spans

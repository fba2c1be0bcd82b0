"""The restoration candidate table: spun wording -> wordings a spinner could have replaced.

A reverse thesaurus: every headword lists its synonyms, so a spun word's candidates are the
headwords whose lists contain it. Only shippable thesauri go in (Moby: public domain; MyThes:
permissive), only common headwords are kept as originals (spinners rewrite common words), and
inflected forms are expanded here ("officers" -> "officials") so the server needs a plain lookup.
Prior = how common the original is + how many thesauri agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from unspin.engine.model import CandidateTable
from unspin.engine.score import MAX_SITE_WORDS
from unspin.scripts.data.inflection import inflect_phrase
from unspin.scripts.data.thesauri import zipf

FORMS = ("", "s", "ed", "ing")
REAL_PAIR_BONUS = 2.0  # prior bonus of a pair seen in real spinner output
# Phrase rewrites real spinners make that no thesaurus lists (original -> spun wordings), seen in
# spun news: "according to" -> "in accordance with", "more" -> "a greater number of".
PHRASE_MAP = {
    "according to": ["in accordance with", "as indicated by", "as per", "in keeping with"],
    "more": ["a greater number of", "extra", "additional"],
    "recently": ["as of late", "lately", "of late"],
    "before": ["earlier than", "prior to"],
    "hearing": ["listening to"],
    "avoided": ["kept away from", "stayed away from"],
    "trying": ["making an attempt", "attempting"],
    "public health": ["general wellbeing", "public wellbeing", "general health"],
    "officials": ["authorities", "officers"],
    "national security": ["nationwide safety", "national safety"],
    "last month": ["final month", "past month"],
    "last week": ["final week", "past week"],
    "last year": ["final yr", "final year", "past year"],
    "on condition of anonymity": ["on the situation of anonymity"],
    "news agency": ["information company", "news company"],
    "thousands": ["hundreds"],
    "a lot of": ["plenty of", "a whole lot of"],
    "because of": ["due to", "on account of"],
    "as well as": ["in addition to", "along with"],
}


def with_readers_originals(table: CandidateTable, pairs: dict[str, set[str]], max_per_key: int = 50) -> CandidateTable:
    """The table with the originals readers confirmed (spun wording -> originals) ranked first
    for their wording, above every thesaurus candidate; a wording that was no key becomes one."""
    entries = {}
    for spun, originals in pairs.items():
        current = table.lookup(spun)
        top = max((p for _, p in current), default=0.0) + REAL_PAIR_BONUS
        confirmed = {o.lower() for o in originals}
        entries[spun.lower()] = ([(o, top) for o in sorted(confirmed)]
                                 + [(c, p) for c, p in current if c.lower() not in confirmed])[:max_per_key]
    return table.updated(entries)


def load_or_build(path: Path, mythes: Path | None, tortured: Path | None = None) -> CandidateTable:
    """The table at `path`; built there the first time from Moby, MyThes (when given), the pairs
    mined from real tortured phrases (when given) and PHRASE_MAP."""
    if path.exists():
        return CandidateTable.read(path)
    from unspin.scripts.data.thesauri import load_moby, load_mythes, mine_tortured

    thesauri = [load_moby()] + ([load_mythes(mythes)] if mythes and mythes.exists() else [])
    real = [PHRASE_MAP] + ([mine_tortured(tortured)] if tortured and tortured.exists() else [])
    print(f"building the candidate table from {len(thesauri) + len(real)} sources into {path} (about a minute)")
    table = build_candidate_table(thesauri, real)
    table.save(path)
    return table


def build_candidate_table(
    thesauri: list[dict[str, list[str]]],
    real: Sequence[dict[str, list[str]]] = (),
    min_zipf: float = 3.5,
    max_per_key: int = 50,
    max_words: int = MAX_SITE_WORDS,
) -> CandidateTable:
    """Reverse and merge thesauri; keep the `max_per_key` likeliest originals per spun wording.

    A pair listed both ways (warfare <-> war) is a closer synonym than a one-way link
    (army -> school), so it gets a bonus, like agreement between thesauri does; a pair seen in
    real spinner output (`real`: mined tortured phrases, PHRASE_MAP) gets REAL_PAIR_BONUS.
    """
    lookups = [{head: set(syns) for head, syns in t.items()} for t in thesauri]
    seen_real = {(spun, original) for t in real for original, syns in t.items() for spun in syns}
    sources: dict[tuple[str, str], int] = defaultdict(int)
    for thesaurus in [*thesauri, *real]:
        for original, synonyms in thesaurus.items():
            if len(original.split()) > max_words or zipf(original) < min_zipf:
                continue
            for spun in set(synonyms):
                if spun != original and len(spun.split()) <= max_words:
                    sources[(spun, original)] += 1
    entries: dict[str, dict[str, float]] = defaultdict(dict)
    for (spun, original), n in sources.items():
        mutual = any(original in lookup.get(spun, ()) for lookup in lookups)
        prior = 0.5 * zipf(original) + (n - 1) + mutual + REAL_PAIR_BONUS * ((spun, original) in seen_real)
        for form in FORMS:
            key, value = inflect_phrase(spun, form), inflect_phrase(original, form)
            if form and (key == spun or value == original or min(zipf(key), zipf(value)) < 2.0):
                continue  # the form does not apply to this pair, or makes a non-word ("countried")
            entries[key][value] = max(entries[key].get(value, prior), prior)
    return CandidateTable(
        {
            key: sorted(((c, round(p - 5.0, 2)) for c, p in cands.items()), key=lambda x: -x[1])[:max_per_key]
            for key, cands in entries.items()
        }
    )

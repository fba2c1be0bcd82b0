"""The restoration candidate table: spun wording -> wordings a spinner could have replaced.

A reverse thesaurus: every headword lists its synonyms, so a spun word's candidates are the
headwords whose lists contain it. Only shippable thesauri go in (Moby: public domain; MyThes:
permissive), only common headwords are kept as originals (spinners rewrite common words), and
inflected forms are expanded here ("officers" -> "officials") so the server needs a plain lookup.
Prior = how common the original is + how many thesauri agree.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from unspin.model import CandidateTable
from unspin.scripts.inflection import inflect_phrase
from unspin.scripts.thesauri import zipf

FORMS = ("", "s", "ed", "ing")


def load_or_build(path: Path, mythes: Path | None) -> CandidateTable:
    """The table at `path`; built there from Moby (and MyThes when given) the first time."""
    if path.exists():
        return CandidateTable.read(path)
    from unspin.scripts.thesauri import load_moby, load_mythes

    thesauri = [load_moby()] + ([load_mythes(mythes)] if mythes and mythes.exists() else [])
    print(f"building the candidate table from {len(thesauri)} thesauri into {path} (about a minute)")
    table = build_candidate_table(thesauri)
    table.save(path)
    return table


def build_candidate_table(
    thesauri: list[dict[str, list[str]]], min_zipf: float = 3.5, max_per_key: int = 20, max_words: int = 3
) -> CandidateTable:
    """Reverse and merge thesauri; keep the `max_per_key` likeliest originals per spun wording.

    A pair listed both ways (warfare <-> war) is a closer synonym than a one-way link
    (army -> school), so it gets a bonus, like agreement between thesauri does.
    """
    lookups = [{head: set(syns) for head, syns in t.items()} for t in thesauri]
    sources: dict[tuple[str, str], int] = defaultdict(int)
    for thesaurus in thesauri:
        for original, synonyms in thesaurus.items():
            if len(original.split()) > max_words or zipf(original) < min_zipf:
                continue
            for spun in set(synonyms):
                if spun != original and len(spun.split()) <= max_words:
                    sources[(spun, original)] += 1
    entries: dict[str, dict[str, float]] = defaultdict(dict)
    for (spun, original), n in sources.items():
        mutual = any(original in lookup.get(spun, ()) for lookup in lookups)
        prior = 0.5 * zipf(original) + (n - 1) + mutual
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

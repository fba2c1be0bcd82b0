"""The spinner and its thesauri, on tiny fixture dictionaries (no shared corpora needed)."""

from pathlib import Path
from random import Random

import pytest

from unspin.scripts.data import thesauri
from unspin.scripts.data.spinner import PROFILES, Profile, Spinner, apply_edits, build_table, proper_nouns
from unspin.text import words

DATA = Path(__file__).parent / "fixtures" / "data"


@pytest.fixture(scope="module")
def lex():
    """Every fixture thesaurus, loaded the way the dataset builder loads the real ones."""
    tortured = thesauri.mine_tortured(DATA / "tortured_tiny.tsv")
    return {"moby": thesauri.load_moby(DATA / "moby_tiny.txt"),
            "mythes": thesauri.load_mythes(DATA / "mythes_tiny.dat"),
            "mythes_senses": thesauri.load_mythes_senses(DATA / "mythes_tiny.dat"),
            "ppdb": thesauri.load_ppdb(DATA / "ppdb_tiny.txt"),
            "tortured": tortured,
            "tortured_pairs": frozenset((o, s) for o, v in tortured.items() for s in v)}


def make_spinner(lex, **overrides) -> Spinner:
    """A Moby spinner that changes every word it can, phrases of up to 3 words."""
    profile = Profile(**{"name": "test", "sources": ("moby",), "rate": (1.0, 1.0), "max_phrase": 3,
                         "min_zipf": 0.0, **overrides})
    return Spinner(profile, build_table(profile, lex))


def check_spans(text: str, spans: list[dict]) -> None:
    """The dataset contract: sorted, non-overlapping, exact code-point offsets."""
    end = 0
    for sp in spans:
        assert end <= sp["start"] < sp["end"]
        assert text[sp["start"]:sp["end"]] == sp["text"]
        end = sp["end"]


def test_loaders(lex):
    assert lex["moby"]["say"][:2] == ["state", "declare"]
    assert "national security adviser" in lex["moby"]
    assert lex["mythes"]["eastern"] == ["oriental", "japanese"]  # similar terms and antonyms dropped
    assert dict(lex["mythes_senses"]["state"])["verb"] == ["say", "tell"]
    assert lex["ppdb"]["war"][0] == "warfare" and "1800" not in lex["ppdb"]["war"]  # numbers filtered
    assert "reallocations" not in lex["ppdb"]  # only spelling variants: nothing left
    assert lex["tortured"]["area"] == ["region"]  # aligned word by word
    assert lex["tortured"]["according to"] == ["in accordance with"]
    assert "x" not in lex["tortured"]


def test_align_pair():
    assert thesauri.align_pair("surface area", "surface region") == [("area", "region")]
    assert thesauri.align_pair("hundreds or thousands", "tons of or hundreds") == [
        ("hundreds or thousands", "tons of or hundreds")]
    assert thesauri.align_pair("same", "same") == []


def test_zipf_and_common_words():
    assert thesauri.zipf("said") > 5 > thesauri.zipf("tidings")
    assert thesauri.zipf("national security") == thesauri.zipf("security")
    common = thesauri.common_content_words()
    assert len(common) == 1000 and "said" in common and "the" not in common


def test_offsets_exact_with_emoji_and_curly_quotes(lex):
    text = "😀 The national security adviser said last month, “officials lied”, that policies help 🇺🇦 eastern towns."
    spun, spans = make_spinner(lex).spin(text, Random(1), 1.0)
    assert spans
    check_spans(spun, spans)
    assert "“officials lied”" in spun and "😀" in spun and "🇺🇦" in spun


def test_quotes_names_numbers_and_urls_untouched(lex):
    text = ('Officials said "the war will stop last month" and Eastern Bank said 2 wars '
            'ended at https://example.com/last-month, per official@agency.org, costing a billion.')
    spun, spans = make_spinner(lex).spin(text, Random(3), 1.0)
    assert '"the war will stop last month"' in spun and spun.endswith("a billion.")
    assert "Eastern Bank" in spun and "https://example.com/last-month" in spun and "official@agency.org" in spun
    assert {sp["original"].lower() for sp in spans} >= {"said"}
    check_spans(spun, spans)


def test_sentence_start_names_are_protected(lex):
    assert proper_nouns(["He met Bush.", "Bush said no."]) == {"bush"}
    spun, _ = make_spinner(lex).spin("Eastern Bank said so. Last Month fell.", Random(0), 1.0)
    assert spun.startswith("Eastern Bank stated") or spun.startswith("Eastern Bank declared") \
        or spun.startswith("Eastern Bank uttered")
    assert "Last Month" in spun


def test_multiword_on_both_sides_and_inflection(lex):
    spinner = make_spinner(lex)
    for seed in range(5):
        spun, spans = spinner.spin("The national security adviser said policies help.", Random(seed), 1.0)
        verb, rest = spun.split(" adviser ")[1].rstrip(".").split(" ", 1)
        assert spun.startswith("The nationwide safety adviser ")
        assert verb in {"stated", "declared", "uttered"}
        assert rest in {"insurance policies serve to", "insurance policies assist", "plans serve to", "plans assist"}
        assert [sp["original"] for sp in spans] == ["national security adviser said policies help"]
    spun, spans = spinner.spin("According to reports, the party's war ended.", Random(0), 1.0)
    assert spun.startswith(("In accordance with reports", "As stated by reports"))  # capital carried over
    assert "celebration's" in spun or "festivity's" in spun
    check_spans(spun, spans)


def test_deterministic_for_a_seed(lex):
    spinner = make_spinner(lex, rate=(0.3, 0.3), choice="uniform")
    text = "Officials said the national policy would help the eastern agency join the war last month."
    runs = {str(spinner.spin(text, Random(7), 0.3)) for _ in range(3)}
    assert len(runs) == 1
    assert len({str(spinner.spin(text, Random(s), 0.3)) for s in range(20)}) > 1


def test_pos_aware_profile_keeps_the_part_of_speech(lex):
    spinner = make_spinner(lex, sources=("mythes",), pos_aware=True)
    for seed in range(5):
        spun, _ = spinner.spin("They will state it and the state agrees.", Random(seed), 1.0)
        verb, noun = spun.split()[2], spun.split()[6]
        assert verb in {"say", "tell"} and noun in {"nation", "country"}


def test_apply_edits_merges_adjacent_words():
    text, spans = apply_edits("the military equipment, said", [(4, 12, "army", "military"), (13, 22, "gear", "equipment")])
    assert text == "the army gear, said"
    assert spans == [{"start": 4, "end": 13, "text": "army gear", "original": "military equipment"}]


def test_profiles():
    heldout = [p for p in PROFILES if p.heldout]
    assert len(heldout) == 2 and all(p.sources != ("tortured",) for p in heldout)
    assert any(p.phrases for p in heldout) and any(p.phrases for p in PROFILES if not p.heldout)
    assert all(0.05 <= lo <= hi <= 0.5 for lo, hi in (p.rate for p in PROFILES))


def test_words_boundaries_are_the_shared_ones(lex):
    # "full-scale" and "don't" are one word each (text.WORD_RE): never split, and every span
    # starts and ends on a word boundary of the spun text.
    spun, spans = make_spinner(lex).spin("full-scale war, don't stop", Random(0), 1.0)
    assert [sp["original"] for sp in spans] == ["war", "stop"]
    bounds = {w.start for w in words(spun)}, {w.end for w in words(spun)}
    for sp in spans:
        assert sp["start"] in bounds[0] and sp["end"] in bounds[1]
        assert spun[sp["start"]:sp["end"]] == sp["text"]
    assert spun.startswith("full-scale ") and "don't" in spun

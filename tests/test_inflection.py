"""Inflection: the spinner and the candidate table give a synonym the form of the word it replaces."""

import pytest

from unspin.scripts.data.inflection import analyze, inflect, inflect_phrase, split_possessive


@pytest.mark.parametrize("lemma, form, expected", [
    ("state", "ed", "stated"), ("say", "ed", "said"), ("try", "ed", "tried"), ("stop", "ed", "stopped"),
    ("state", "s", "states"), ("policy", "s", "policies"), ("box", "s", "boxes"), ("person", "s", "people"),
    ("make", "ing", "making"), ("serve", "ing", "serving"), ("run", "ing", "running"), ("lie", "ing", "lying"),
    ("large", "er", "larger"), ("big", "er", "bigger"), ("happy", "est", "happiest"), ("good", "er", "better"),
    ("read", "ed", "read"), ("put", "ed", "put"),  # not "readed"
    ("beautiful", "er", "more beautiful"), ("full-scale", "s", "full-scales"), ("state", "", "state"),
])
def test_inflect(lemma, form, expected):
    assert inflect(lemma, form) == expected


def test_analyze_checks_the_lemma_exists():
    known = {"state", "say", "policy"}.__contains__
    assert ("state", "ed") in analyze("stated", known)
    assert ("say", "ed") in analyze("said", known)
    assert ("policy", "s") in analyze("policies", known)
    assert analyze("needed", known) == []


def test_possessive_and_phrases():
    assert split_possessive("party's") == ("party", "'s")
    assert split_possessive("news") == ("news", "")
    assert inflect_phrase("well known", "er") == "more well known"
    assert inflect_phrase("give up", "ed") == "gave up"
    assert inflect_phrase("take it", "ed") == "took it"  # verb forms go on the first word

"""Inflection transfer, both ways: the spinner inflects synonyms, a restorer inflects originals back."""

import pytest

from unspin.scripts.data.inflection import analyze, inflect, inflect_like, inflect_phrase, lemmatize, split_possessive


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


@pytest.mark.parametrize("phrase, template, expected", [
    ("state", "said", "stated"),                       # real pair: said -> stated
    ("officer", "officials", "officers"),              # officials -> officers
    ("insurance policy", "policies", "insurance policies"),  # noun phrase: inflect the last word
    ("serve to", "helping", "serving to"),             # verb phrase: inflect the first word
    ("be a part of", "joins", "is a part of"),
    ("celebration", "party's", "celebration's"),       # possessive carried over
    ("celebration", "party’s", "celebration’s"),
    ("information", "news", "information"),            # "news" is not a plural
    ("final", "last", "final"),
    ("large", "bigger", "larger"),
    ("say", "stated", "said"),                         # the reverse, for a restorer
])
def test_inflect_like(phrase, template, expected):
    assert inflect_like(phrase, template) == expected


def test_inflect_like_respects_a_known_lemma():
    # "left" read as the adjective stays as is, read as "leave" it is a past tense
    assert inflect_like("depart", "left", template_lemma="leave") == "departed"
    assert inflect_like("port", "left", template_lemma="left") == "port"


def test_analyze_checks_the_lemma_exists():
    known = {"state", "say", "policy"}.__contains__
    assert ("state", "ed") in analyze("stated", known)
    assert ("say", "ed") in analyze("said", known)
    assert ("policy", "s") in analyze("policies", known)
    assert analyze("needed", known) == []


def test_lemmatize_and_possessive():
    assert lemmatize("stated") == "state"
    assert lemmatize("policies") == "policy"
    assert split_possessive("party's") == ("party", "'s")
    assert split_possessive("news") == ("news", "")
    assert inflect_phrase("well known", "er") == "more well known"
    assert inflect_phrase("give up", "ed") == "gave up"
    assert inflect_phrase("take it", "ed") == "took it"  # verb forms go on the first word

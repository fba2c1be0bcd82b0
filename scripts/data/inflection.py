"""Inflection transfer: carry "-s/-ed/-ing/-er/-est" and a possessive from one word to a
synonym ("said" + "state" -> "stated", "policies" + "insurance policy" -> "insurance
policies").

Spinners look up the lemma and re-inflect the synonym; a restorer runs the same thing
backwards (lemma of the spun word, candidate originals inflected like it). Forms:
"" (base), "s" (plural or 3rd person), "ed" (past), "ing", "er", "est".
Rule-based with small irregular tables; like a real spinner it is sometimes wrong.
"""

from __future__ import annotations

import re
from typing import Callable

_IRREGULAR_VERBS = """be was been|have had had|do did done|say said said|go went gone|make made made
take took taken|give gave given|come came come|see saw seen|know knew known|get got got
find found found|think thought thought|tell told told|become became become|leave left left
feel felt felt|bring brought brought|begin began begun|keep kept kept|hold held held
write wrote written|stand stood stood|hear heard heard|mean meant meant|meet met met
run ran run|pay paid paid|sit sat sat|speak spoke spoken|lead led led|grow grew grown
lose lost lost|fall fell fallen|send sent sent|build built built|understand understood understood
draw drew drawn|break broke broken|spend spent spent|rise rose risen|drive drove driven
buy bought bought|wear wore worn|choose chose chosen|seek sought sought|throw threw thrown
catch caught caught|deal dealt dealt|win won won|fight fought fought|sell sold sold
teach taught taught|sink sank sunk|strike struck struck|forbid forbade forbidden|lend lent lent
freeze froze frozen|shake shook shaken|steal stole stolen|swear swore sworn|bear bore borne
fly flew flown|forget forgot forgotten|hide hid hidden|ride rode ridden|bind bound bound
undertake undertook undertaken|withdraw withdrew withdrawn|overcome overcame overcome
read read read|put put put|set set set|cut cut cut|hit hit hit|let let let|cost cost cost
shut shut shut|hurt hurt hurt|spread spread spread|quit quit quit|bet bet bet|cast cast cast
burst burst burst|upset upset upset|split split split"""
_IRREGULAR_NOUNS = {"man": "men", "woman": "women", "child": "children", "person": "people",
                    "foot": "feet", "tooth": "teeth", "mouse": "mice", "analysis": "analyses",
                    "crisis": "crises", "criterion": "criteria", "phenomenon": "phenomena"}
_IRREGULAR_ADJ = {"good": ("better", "best"), "bad": ("worse", "worst"), "far": ("further", "furthest"),
                  "little": ("less", "least"), "many": ("more", "most"), "much": ("more", "most")}

_PAST = {}
for _row in _IRREGULAR_VERBS.replace("\n", "|").split("|"):
    _base, _past, _part = _row.split()
    _PAST[_base] = _past

# inflected form -> (lemma, form); regular rules are tried after this table.
_IRREGULAR_FORMS: dict[str, tuple[str, str]] = {}
for _row in _IRREGULAR_VERBS.replace("\n", "|").split("|"):
    _base, _past, _part = _row.split()
    _IRREGULAR_FORMS.setdefault(_past, (_base, "ed"))
    _IRREGULAR_FORMS.setdefault(_part, (_base, "ed"))
_IRREGULAR_FORMS.update({"is": ("be", "s"), "has": ("have", "s"), "does": ("do", "s"), "was": ("be", "ed")})
_IRREGULAR_FORMS.update({pl: (sg, "s") for sg, pl in _IRREGULAR_NOUNS.items()})
for _adj, (_er, _est) in _IRREGULAR_ADJ.items():
    _IRREGULAR_FORMS.setdefault(_er, (_adj, "er"))
    _IRREGULAR_FORMS.setdefault(_est, (_adj, "est"))

# Words ending like an inflection that are not one.
_NOT_PLURAL_RE = re.compile(r"(ss|us|is|ics|ous|ws)$")
_UNINFLECTED = frozenset("news series species means always perhaps sometimes whereas towards afterwards "
                         "besides nevertheless headquarters lens gas bus yes this thus chaos during "
                         "thing nothing something anything everything morning evening king ring "
                         "spring string wing bring sing ceiling building feeling".split())

_VOWELS = "aeiou"
_POSSESSIVE_RE = re.compile(r"(['’]s)$")
# A phrase whose later words include one of these is verb-headed ("be a part of",
# "give up"): inflect its first word. Otherwise it is noun-headed: inflect its last.
_PARTICLES = frozenset("a an the of to up out in on off with for into away down over about as at by from back".split())


def _cvc(word: str) -> bool:
    """Short consonant-vowel-consonant words double their last letter ("stop"->"stopped")."""
    return (len(word) >= 3 and word[-1] not in _VOWELS + "wxy" and word[-2] in _VOWELS
            and word[-3] not in _VOWELS and sum(c in _VOWELS for c in word) == 1)


def inflect(word: str, form: str) -> str:
    """Inflect one lowercase lemma: inflect("state", "ed") -> "stated"."""
    if not form or not word.isalpha():
        return word if not form or word.isalpha() else _inflect_hyphenated(word, form)
    if form == "s":
        if word in _IRREGULAR_NOUNS:
            return _IRREGULAR_NOUNS[word]
        if word in ("be", "have", "do"):
            return {"be": "is", "have": "has", "do": "does"}[word]
        if word.endswith(("s", "x", "z", "ch", "sh")):
            return word + "es"
        if word.endswith("y") and word[-2:-1] not in _VOWELS:
            return word[:-1] + "ies"
        return word + "s"
    if form in ("er", "est"):
        if word in _IRREGULAR_ADJ:
            return _IRREGULAR_ADJ[word][form == "est"]
        if sum(c in _VOWELS for c in word.rstrip("y")) > 2 or len(word) > 7:
            return ("more " if form == "er" else "most ") + word
    if form == "ed" and word in _PAST:
        return _PAST[word]
    suffix = {"ed": "ed", "ing": "ing", "er": "er", "est": "est"}[form]
    if form == "ing":
        if word.endswith("ie"):
            return word[:-2] + "ying"
        if word.endswith("e") and not word.endswith(("ee", "ye", "oe")):
            return word[:-1] + "ing"
    elif word.endswith("e"):
        return word + suffix[1:]
    elif word.endswith("y") and word[-2:-1] not in _VOWELS:
        return word[:-1] + "i" + suffix
    if _cvc(word):
        return word + word[-1] + suffix
    return word + suffix


def _inflect_hyphenated(word: str, form: str) -> str:
    head, sep, last = word.rpartition("-")
    return head + sep + inflect(last, form) if last.isalpha() else word


def split_possessive(word: str) -> tuple[str, str]:
    """("party's") -> ("party", "'s"); words without one get an empty suffix."""
    m = _POSSESSIVE_RE.search(word)
    return (word[: m.start()], m.group()) if m and m.start() > 0 else (word, "")


def analyze(word: str, is_lemma: Callable[[str], bool]) -> list[tuple[str, str]]:
    """Possible (lemma, form) readings of a lowercase word, the word itself first when it
    is a lemma; a reading is kept when `is_lemma(lemma)` says the lemma exists."""
    out = [(word, "")] if is_lemma(word) else []
    if word in _IRREGULAR_FORMS:
        lemma, form = _IRREGULAR_FORMS[word]
        return out + [(lemma, form)] if is_lemma(lemma) else out
    if word in _UNINFLECTED or not word.isalpha():
        return out
    guesses: list[tuple[str, str]] = []
    if word.endswith("s") and not _NOT_PLURAL_RE.search(word):
        if word.endswith("ies"):
            guesses.append((word[:-3] + "y", "s"))
        if word.endswith("es"):
            guesses.append((word[:-2], "s"))
        guesses.append((word[:-1], "s"))
    for suffix in ("ed", "ing", "er", "est"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            if stem.endswith("i") and suffix != "ing":
                guesses.append((stem[:-1] + "y", suffix))
            if len(stem) > 2 and stem[-1] == stem[-2]:
                guesses.append((stem[:-1], suffix))
            guesses += [(stem, suffix), (stem + "e", suffix)]
    seen = {w for w, _ in out}
    for lemma, form in guesses:
        if lemma not in seen and is_lemma(lemma) and inflect(lemma, form) == word:
            seen.add(lemma)
            out.append((lemma, form))
    return out


def inflect_phrase(phrase: str, form: str) -> str:
    """Inflect a dictionary phrase on its head word: the first word of a verb phrase
    ("take it" -> "took it", "be a part of" -> "is a part of"), else the last
    ("insurance policy" -> "insurance policies")."""
    if not form:
        return phrase
    parts = phrase.split(" ")
    verbal = form in ("ed", "ing") or any(p in _PARTICLES for p in parts[1:])
    head = 0 if verbal else len(parts) - 1
    if parts[head] in _PARTICLES or parts[head] in ("more", "most"):
        return phrase
    if form in ("er", "est") and len(parts) > 1:
        return ("more " if form == "er" else "most ") + phrase
    parts[head] = inflect(parts[head], form)
    return " ".join(parts)

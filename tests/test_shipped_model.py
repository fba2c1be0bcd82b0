"""The shipped model (models/unspin-lm) on real inputs, at its default settings.

What it does, measured (see the model card): it finds most of the real spun paragraph's
substitutions with the right original among its suggestions, leaves clean sentences unmarked,
and gives one answer for one article however the article is split into paragraphs.
"""

from __future__ import annotations

import pytest

from unspin.api.app import create_app
from unspin.config import SHIPPED_MODEL
from unspin.scripts.evaluation.evaluate import CLEAN_SENTENCES, REAL_PAIRS, REAL_PARAGRAPH
from unspin.engine.score import sentences
from unspin.api.secret import bearer
from unspin.scripts.evaluation.bench import DEFAULT_TEXT

ARTICLE = DEFAULT_TEXT.read_text()


@pytest.fixture(scope="module")
def shipped_app():
    """The app serving the shipped model (loaded once for this module)."""
    return create_app({"MODEL_PATH": SHIPPED_MODEL})


def auth(app) -> dict:
    """The header with the app's secret."""
    return {"Authorization": bearer(app.config["SECRET"])}


def analyze(app, paragraphs, **options):
    response = app.test_client().post("/api/v1/analyze", json={"paragraphs": paragraphs, "offset_unit": "codepoint",
                                                                **options}, headers=auth(app))
    assert response.status_code == 200
    return response.json


def test_default_answer_follows_the_contract(shipped_app, check_contract):
    response = shipped_app.test_client().post("/api/v1/analyze", json={"paragraphs": [REAL_PARAGRAPH]},
                                              headers=auth(shipped_app))
    assert response.status_code == 200
    check_contract("POST", "/api/v1/analyze", 200, response.json)
    assert response.json["model"]["name"] == "unspin-lm"


def test_the_real_paragraph_is_marked_and_restored(shipped_app):
    spans = analyze(shipped_app, [REAL_PARAGRAPH])["paragraphs"][0]["spans"]
    found = restored = 0
    for spun, originals in REAL_PAIRS.items():
        start = REAL_PARAGRAPH.index(spun)
        over = [s for s in spans if s["start"] < start + len(spun) and start < s["end"]]
        suggested = " ".join(x["text"].lower() for s in over for x in s["suggestions"])
        found += bool(over)
        restored += any(all(w in suggested.split() for w in o.split()) for o in originals)
    assert found >= 4, spans
    assert restored >= 3, spans
    final = next(s for s in spans if s["text"].startswith("final"))
    assert final["suggestions"][0]["text"].startswith("last")


def test_clean_sentences_stay_unmarked(shipped_app):
    for text in CLEAN_SENTENCES:
        answer = analyze(shipped_app, [text])
        assert answer["paragraphs"][0]["spans"] == [], text
        assert answer["summary"]["verdict"] == "no sign of spinning"


def test_one_article_one_answer_however_it_is_split(shipped_app):
    """The 1,000-word spun article sent as 1, 4 and 12 paragraphs gets the same marks and verdict."""
    text = " ".join(ARTICLE.split())
    parts = [text[a:b] for a, b in sentences(text)]

    def as_paragraphs(n):
        size = -(-len(parts) // n)
        return [" ".join(parts[i : i + size]) for i in range(0, len(parts), size)]

    answers = []
    for n in (1, 4, 12):
        paragraphs = as_paragraphs(n)
        answer = analyze(shipped_app, paragraphs)
        offsets = [text.index(p) for p in paragraphs]
        marks = [(offsets[r["index"]] + s["start"], s["text"], tuple(x["text"] for x in s["suggestions"]))
                 for r in answer["paragraphs"] for s in r["spans"]]
        answers.append((marks, answer["summary"]["verdict"], answer["summary"]["spun_words"]))
    assert answers[0][0], "the spun article gets marks"
    assert answers[0][1] in ("likely spun", "possibly spun")
    assert answers[0] == answers[1] == answers[2]

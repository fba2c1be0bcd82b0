"""Offsets in both units are exact for any Unicode, or the request is refused with 400.

At threshold 0 the engine marks every word the candidate table knows (a site), so every site's
position is checked.
"""

from __future__ import annotations

import pytest

from unspin.engine.score import find_sites
from unspin.contract.offsets import utf16_offsets
from unspin.text import words

from test_api_contract import utf16_slice

ANALYZE = "/api/v1/analyze"

PARAGRAPHS = {
    "emoji": "😀 The final month 👍🏽 saw warfare resume.",
    "zwj family": "👨‍👩‍👧 Officers requested 🇺🇦 army gear.",
    "astral letters": "The 𝐟𝐢𝐧𝐚𝐥 month, 𝓌𝒶𝓇𝒻𝒶𝓇ℯ and help.",
    "combining marks": "Cafe\u0301 owners in Zu\u0308rich requested help; n\u0303 and a\u0300\u0301\u0302 too.",
    "precomposed": "Café owners in Zürich requested help.",
    "rtl": "قال المسؤولون final month שלום עולם warfare.",
    "rtl marks": "\u202bعربي\u202c final \u200fmonth\u200e officers.",
    "nul and controls": "final\x00month\twarfare\r\nhelp\x07 officers",
    "cjk": "俄罗斯 requested 中国 army gear 援助.",
    "only symbols": "😀 👍🏽 — … ✓",
}


def analyse(client, paragraphs, unit):
    response = client.post(ANALYZE, json={"paragraphs": paragraphs, "threshold": 0.0, "offset_unit": unit})
    assert response.status_code == 200, response.json
    assert response.json["offset_unit"] == unit
    return response.json


@pytest.mark.parametrize("name", list(PARAGRAPHS))
def test_offsets_exact_in_both_units(client, engine, check_contract, name):
    paragraph = PARAGRAPHS[name]
    by_unit = {unit: analyse(client, [paragraph], unit) for unit in ("utf16", "codepoint")}
    for data in by_unit.values():
        check_contract("POST", ANALYZE, 200, data)
    utf16_spans = by_unit["utf16"]["paragraphs"][0]["spans"]
    cp_spans = by_unit["codepoint"]["paragraphs"][0]["spans"]
    table = utf16_offsets(paragraph)
    assert len(utf16_spans) == len(cp_spans)
    for u, c in zip(utf16_spans, cp_spans):
        assert u["text"] == c["text"] == paragraph[c["start"]:c["end"]]
        assert utf16_slice(paragraph, u["start"], u["end"]) == u["text"]
        assert (u["start"], u["end"]) == (table[c["start"]], table[c["end"]])
        assert u["suggestions"] == c["suggestions"] and u["score"] == c["score"]
    covered = {i for c in cp_spans for i in range(c["start"], c["end"])}
    ws = words(paragraph)
    sites = [ws[i] for _, i, j, _ in find_sites([paragraph], [ws], engine.loaded.candidates) if j == i + 1]
    for word in sites:  # threshold 0: every one-word site (a table key or an open word) lies inside a span
        assert set(range(word.start, word.end)) <= covered, word
    assert bool(sites) == bool(cp_spans)


def test_an_emoji_shifts_utf16_offsets_by_two_units_per_astral_character(client):
    paragraph = "😀 final month"
    utf16 = analyse(client, [paragraph], "utf16")["paragraphs"][0]["spans"]
    codepoint = analyse(client, [paragraph], "codepoint")["paragraphs"][0]["spans"]
    assert codepoint[0]["start"] == 2  # "😀" is one code point ...
    assert utf16[0]["start"] == 3  # ... and two UTF-16 code units (a JavaScript string's indices)
    assert utf16[-1]["end"] == len(paragraph) + 1


def test_text_request_paragraph_positions_in_utf16(client):
    text = "😀😀 first paragraph\n\n  🇺🇦 second one 𝐟𝐢𝐧𝐚𝐥\n"
    data = client.post(ANALYZE, json={"text": text, "threshold": 0.0}).json
    starts = [(p["start"], p["end"]) for p in data["paragraphs"]]
    assert [utf16_slice(text, s, e) for s, e in starts] == ["😀😀 first paragraph", "🇺🇦 second one 𝐟𝐢𝐧𝐚𝐥"]


def test_surrogate_pairs_escaped_in_json_are_one_character(client):
    # JSON from JavaScript escapes astral characters as two \\u escapes; together they are valid.
    body = b'{"paragraphs": ["\\ud83d\\ude00 final month"], "threshold": 0.0, "offset_unit": "codepoint"}'
    response = client.post(ANALYZE, data=body, content_type="application/json")
    assert response.status_code == 200
    assert response.json["paragraphs"][0]["spans"][0]["start"] == 2


@pytest.mark.parametrize("raw", [
    b'{"paragraphs": ["final \\ud83d month"]}',  # high surrogate alone
    b'{"paragraphs": ["ok", "final \\ude00 month"]}',  # low surrogate alone, second paragraph
    b'{"paragraphs": ["\\ude00\\ud83d"]}',  # pair in the wrong order
    b'{"text": "a\\n\\nb \\udfff"}',
    b'{"paragraphs": ["end \\ud800"]}',
])
def test_lone_surrogates_are_refused(client, check_contract, raw):
    response = client.post(ANALYZE, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert "surrogate" in response.json["error"]["message"]
    check_contract("POST", ANALYZE, 400, response.json)

"""Re-analysing the same article is served from the engine's cache, with the same answer."""

from __future__ import annotations

import uuid

ANALYZE = "/api/v1/analyze"


def test_second_analysis_of_a_page_is_a_cache_hit(client, engine):
    page = {"paragraphs": [f"Fresh paragraph {uuid.uuid4()} about the final month.",
                           f"Another fresh one {uuid.uuid4()}."]}
    before = engine.cache_info()
    first = client.post(ANALYZE, json=page).json
    middle = engine.cache_info()
    second = client.post(ANALYZE, json=page).json
    after = engine.cache_info()
    assert middle["misses"] - before["misses"] == 1  # one article, one analysis
    assert after["hits"] - middle["hits"] == 1
    assert after["misses"] == middle["misses"]
    assert first == second


def test_cache_is_shared_by_offset_units_and_text_requests(client, engine):
    paragraph = f"😀 Cached {uuid.uuid4()} warfare."
    client.post(ANALYZE, json={"paragraphs": [paragraph]})
    before = engine.cache_info()
    client.post(ANALYZE, json={"paragraphs": [paragraph], "offset_unit": "codepoint"})
    client.post(ANALYZE, json={"text": f"\n{paragraph}\n"})
    after = engine.cache_info()
    assert after["hits"] - before["hits"] == 2
    assert after["misses"] == before["misses"]


def test_other_options_are_not_served_from_the_cache(client, engine):
    paragraph = f"Options {uuid.uuid4()} matter."
    client.post(ANALYZE, json={"paragraphs": [paragraph]})
    before = engine.cache_info()
    client.post(ANALYZE, json={"paragraphs": [paragraph], "threshold": 0.01})
    client.post(ANALYZE, json={"paragraphs": [paragraph], "max_suggestions": 7})
    after = engine.cache_info()
    assert after["misses"] - before["misses"] == 2


def test_the_caches_are_bounded_in_bytes(tiny_model):
    """However many entries the caches may hold, they stay under their byte budgets."""
    from unspin.engine.engine import ANSWER_CACHE_BYTES, SCORED_CACHE_BYTES, Engine, _bytes

    engine = Engine.load(tiny_model, cache_size=10_000)
    article = [" ".join(["The officers said the final month was calm."] * 60)]
    for n in range(12):
        engine.answer([f"{n}. {article[0]}"])
    scored = sum(size for _, size in engine._scored._items.values())
    answers = sum(size for _, size in engine._answers._items.values())
    assert 0 < scored <= SCORED_CACHE_BYTES and 0 < answers <= ANSWER_CACHE_BYTES
    one = _bytes(next(iter(engine._scored._items.values()))[0])
    assert len(engine._scored) < 12 or one * 12 <= SCORED_CACHE_BYTES

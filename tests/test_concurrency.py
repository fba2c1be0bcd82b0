"""Concurrent requests against a live waitress server all get their own, correct answer."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from unspin.api.app import create_app
from unspin.engine.engine import Engine

N = 16


RUN = uuid.uuid4().hex  # paragraphs new to the session's cache


def request_body(i: int) -> dict:
    # Articles of their own per request, with the site "officers" at a different offset in each.
    paragraphs = [f"Request {i} says the officers requested help {i * 7} times in the final month.",
                  f"Run {RUN}, request {i}: 😀 warfare resumed after the final month."]
    return {"paragraphs": paragraphs, "threshold": 0.0, "max_suggestions": 1 + i % 3,
            "offset_unit": "utf16" if i % 2 else "codepoint"}


def test_parallel_requests_are_all_correct(live_server, auth, sign_in, tiny_model):
    # Expected answers from a separate engine (own cache), one request at a time.
    reference = sign_in(create_app(engine=Engine.load(tiny_model, threads=1)))
    expected = [reference.post("/api/v1/analyze", json=request_body(i)).json for i in range(N)]

    def call(i: int):
        response = requests.post(f"{live_server}/api/v1/analyze", json=request_body(i), headers=auth, timeout=120)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=N) as pool:
        answers = list(pool.map(call, range(N)))

    for i, (status, data) in enumerate(answers):
        assert status == 200
        want = expected[i]
        assert data["offset_unit"] == want["offset_unit"]
        assert data["summary"] == want["summary"]
        for got, ref in zip(data["paragraphs"], want["paragraphs"], strict=True):
            assert [(s["start"], s["end"], s["text"]) for s in got["spans"]] == \
                   [(s["start"], s["end"], s["text"]) for s in ref["spans"]]
            assert [[x["text"] for x in s["suggestions"]] for s in got["spans"]] == \
                   [[x["text"] for x in s["suggestions"]] for s in ref["spans"]]
        own = request_body(i)["paragraphs"][0]  # the answer is for this request's own text
        assert any("officers" in own[s["start"]:s["end"]].split() for s in data["paragraphs"][0]["spans"])


def test_parallel_health_and_analyze_mix(live_server, auth):
    def call(i: int) -> int:
        if i % 2:
            return requests.get(f"{live_server}/api/v1/health", headers=auth, timeout=60).status_code
        body = {"text": "One page that every request shares, final month after final month."}
        return requests.post(f"{live_server}/api/v1/analyze", json=body, headers=auth, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=N) as pool:
        assert list(pool.map(call, range(N))) == [200] * N

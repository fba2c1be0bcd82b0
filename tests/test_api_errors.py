"""Every error is a JSON body {"error": {"code", "message"}} with the documented status."""

from __future__ import annotations

import logging
import time

import pytest

ANALYZE = "/api/v1/analyze"

# (what is wrong, request body as raw bytes or JSON value, status, code)
BAD_BODIES = [
    ("malformed JSON", b'{"paragraphs": [', 400, "bad_request"),
    ("not UTF-8", b'{"text": "caf\xe9"}', 400, "bad_request"),
    ("NaN is not JSON", b'{"paragraphs": ["a"], "threshold": NaN}', 400, "bad_request"),
    ("Infinity is not JSON", b'{"paragraphs": ["a"], "threshold": Infinity}', 400, "bad_request"),
    ("body is a list", ["a"], 400, "bad_request"),
    ("body is a string", "a", 400, "bad_request"),
    ("body is null", b"null", 400, "bad_request"),
    ("no paragraphs nor text", {}, 400, "bad_request"),
    ("both paragraphs and text", {"paragraphs": ["a"], "text": "a"}, 400, "bad_request"),
    ("paragraphs is a string", {"paragraphs": "a"}, 400, "bad_request"),
    ("paragraph is a number", {"paragraphs": ["a", 1]}, 400, "bad_request"),
    ("paragraph is null", {"paragraphs": [None]}, 400, "bad_request"),
    ("text is a list", {"text": ["a"]}, 400, "bad_request"),
    ("unknown field (typo)", {"paragraphs": ["a"], "treshold": 0.5}, 400, "bad_request"),
    ("threshold above 1", {"paragraphs": ["a"], "threshold": 1.5}, 400, "bad_request"),
    ("threshold below 0", {"paragraphs": ["a"], "threshold": -0.1}, 400, "bad_request"),
    ("threshold as string", {"paragraphs": ["a"], "threshold": "0.5"}, 400, "bad_request"),
    ("threshold as bool", {"paragraphs": ["a"], "threshold": True}, 400, "bad_request"),
    ("threshold null", {"paragraphs": ["a"], "threshold": None}, 400, "bad_request"),
    ("max_suggestions 0", {"paragraphs": ["a"], "max_suggestions": 0}, 400, "bad_request"),
    ("max_suggestions 11", {"paragraphs": ["a"], "max_suggestions": 11}, 400, "bad_request"),
    ("max_suggestions fraction", {"paragraphs": ["a"], "max_suggestions": 2.5}, 400, "bad_request"),
    ("max_suggestions bool", {"paragraphs": ["a"], "max_suggestions": True}, 400, "bad_request"),
    ("offset_unit unknown", {"paragraphs": ["a"], "offset_unit": "utf8"}, 400, "bad_request"),
    ("lone surrogate", b'{"paragraphs": ["a\\ud800b"]}', 400, "bad_request"),
]


def post(client, body, content_type="application/json"):
    if isinstance(body, bytes):
        return client.post(ANALYZE, data=body, content_type=content_type)
    return client.post(ANALYZE, json=body)


@pytest.mark.parametrize("what,body,status,code", BAD_BODIES, ids=[case[0] for case in BAD_BODIES])
def test_bad_request_bodies(client, check_contract, what, body, status, code):
    response = post(client, body)
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    check_contract("POST", ANALYZE, status, response.json)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_not_json_is_415(client, check_contract, content_type):
    response = client.post(ANALYZE, data=b'{"paragraphs": ["a"]}', content_type=content_type)
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"
    check_contract("POST", ANALYZE, 415, response.json)


def test_json_with_charset_is_accepted(client):
    response = client.post(ANALYZE, data=b'{"paragraphs": ["a"]}', content_type="application/json; charset=utf-8")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/", "/api", "/api/v2/analyze", "/api/v1/analyse", "/api/v1/health/"])
def test_unknown_path_is_404(client, check_contract, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    check_contract("GET", path, 404, response.json)


@pytest.mark.parametrize("method,path,allowed", [
    ("GET", ANALYZE, "POST"),
    ("PUT", ANALYZE, "POST"),
    ("DELETE", ANALYZE, "POST"),
    ("POST", "/api/v1/health", "GET"),
    ("PATCH", "/api/v1/openapi.json", "GET"),
])
def test_wrong_method_is_405(client, check_contract, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
    assert allowed in response.headers["Allow"]
    check_contract(method, path, 405, response.json)


# --- limits -------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    {"paragraphs": ["x" * 100_000, "y" * 100_001]},
    {"text": "x" * 200_001},
    {"paragraphs": ["a"] * 2_001},
    {"text": "a\n\n" * 2_001},
])
def test_default_limits_are_413(client, check_contract, body):
    response = client.post(ANALYZE, json=body)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    check_contract("POST", ANALYZE, 413, response.json)


def test_just_under_the_default_limits_is_analysed(client):
    # threshold 1: the random test model would otherwise mark (and suggest for) every word
    for body in ({"paragraphs": ["a"] * 2_000}, {"paragraphs": ["word " * 16_000]}):
        assert client.post(ANALYZE, json={**body, "threshold": 1.0}).status_code == 200


@pytest.mark.parametrize("text", [" ".join(["word"] * 16_500), "中国" * 10_000, "\U00020000" * 5_000],
                         ids=["english", "cjk", "plane-2"])
def test_the_limit_counts_language_model_tokens_in_any_script(client, engine, check_contract, text):
    """Memory and time grow with LM tokens, not characters: 5,000 plane-2 characters (within the
    character limit) are 10,000+ tokens. Refused from the token count, before any LM pass."""
    started = time.monotonic()
    response = client.post(ANALYZE, json={"text": text})
    assert response.status_code == 413 and time.monotonic() - started < 5
    error = response.json["error"]
    assert error["limit"] == 16_384 and error["tokens"] == engine.count_tokens([text]) > 16_384
    assert f"{error['tokens']} language-model tokens" in error["message"]
    check_contract("POST", ANALYZE, 413, response.json)


def test_limits_are_configurable(make_client):
    client = make_client(MAX_CHARS=10, MAX_PARAGRAPHS=2)
    assert client.post(ANALYZE, json={"paragraphs": ["0123456789"]}).status_code == 200
    assert client.post(ANALYZE, json={"paragraphs": ["0123456789a"]}).status_code == 413
    assert client.post(ANALYZE, json={"paragraphs": ["a", "b", "c"]}).status_code == 413
    assert client.post(ANALYZE, json={"text": "a\n\nb\n\nc"}).status_code == 413


def test_a_body_over_the_byte_limit_is_413_before_parsing(make_client, check_contract):
    client = make_client(MAX_CONTENT_LENGTH=1_000)
    response = client.post(ANALYZE, data=b'{"text": "' + b"a" * 2_000 + b'"}', content_type="application/json")
    assert response.status_code == 413
    check_contract("POST", ANALYZE, 413, response.json)


def test_escaped_emoji_at_the_char_limit_fit_in_the_byte_limit(client):
    # 200,000 emoji written as \ud83d\ude00 escapes: 12 bytes each, still 200,000 characters:
    # the body is read and parsed (not refused for its bytes), then refused for its tokens.
    body = b'{"text": "' + b"\\ud83d\\ude00" * 200_000 + b'"}'
    response = client.post(ANALYZE, data=body, content_type="application/json")
    assert response.status_code == 413 and response.json["error"]["tokens"] > 200_000


# --- 500 ----------------------------------------------------------------------------------

def test_unexpected_failure_is_json_500_without_trace_or_text(app, sign_in, caplog):
    # A failing route stands in for any bug: the caller gets JSON, the log gets no request text.
    @app.post("/api/v1/boom")
    def boom():
        from flask import request
        raise RuntimeError(f"cannot handle {request.get_json()['text']}")

    with caplog.at_level(logging.DEBUG):
        response = sign_in(app).post("/api/v1/boom", json={"text": "SECRET-ARTICLE-TEXT"})
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_error"
    assert "SECRET" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert "RuntimeError" in caplog.text  # the failure is logged ...
    assert "SECRET" not in caplog.text  # ... without the text


def test_error_messages_do_not_echo_request_values(client):
    response = client.post(ANALYZE, json={"paragraphs": ["a"], "offset_unit": "SECRET-VALUE"})
    assert response.status_code == 400
    assert "SECRET" not in response.get_data(as_text=True)


def test_an_integral_number_is_an_integer(client):
    # The schema says "integer", and JSON Schema counts 10.0 as one.
    response = client.post("/api/v1/analyze", json={"paragraphs": ["a"], "max_suggestions": 10.0})
    assert response.status_code == 200


@pytest.mark.parametrize("ignore", ["warfare", [1], [""], ["x" * 201], ["w"] * 1001])
def test_ignore_must_be_a_list_of_short_wordings(client, ignore):
    response = client.post("/api/v1/analyze", json={"paragraphs": ["a"], "ignore": ignore})
    assert response.status_code == 400
    assert "'ignore'" in response.json["error"]["message"]

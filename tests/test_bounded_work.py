"""Bounded work per request and under load: one analysis at a time with a bounded wait (503 with
Retry-After beyond it), health answered outside the queue, a deadline, work abandoned when the
client has gone, and a damaged converted language model caught before it is used."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time

import pytest
import requests

from unspin.lm import load
from unspin.lm.weights import CHECKSUMS, WEIGHTS, LanguageModelDamaged, sha256
from unspin.api.admission import Admission, Busy

ANALYZE = "/api/v1/analyze"


def long_text(name: str) -> str:
    """About 16,000 tokens, new to the session's shared engine (whose caches would answer at once)."""
    return f"{name}: " + " ".join(["The officers said the final month was calm."] * 1_800)


def test_a_request_that_would_wait_too_long_is_told_when_to_come_back():
    queue = Admission(max_wait_s=1.0, ms_per_token=100.0, max_queued=8, fixed_ms=0, min_learn_tokens=1)
    inside, leave = threading.Event(), threading.Event()

    def first():
        with queue.slot(50):  # 5 s of expected work
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(5)
    with pytest.raises(Busy) as refused:
        with queue.slot(1):
            pass
    assert refused.value.status == 503 and refused.value.headers["Retry-After"] == "5"
    assert queue.waiting_s() == pytest.approx(5.0)
    leave.set()
    thread.join()
    assert queue.waiting_s() == 0
    with queue.slot(1):  # free again; and the speed estimate learnt from the first analysis
        pass
    assert queue.ms_per_token < 100.0


def test_the_queue_keeps_server_threads_free_whatever_the_expected_wait():
    """Each waiting request holds a server thread: beyond max_queued the answer is 503 at once,
    even when the work ahead is short, so health checks always find a thread."""
    queue = Admission(max_wait_s=60.0, ms_per_token=1.0, max_queued=2)
    running, waiting, leave = threading.Event(), threading.Event(), threading.Event()

    def first():
        with queue.slot(10):
            running.set()
            leave.wait(10)

    def second():
        waiting.set()
        with queue.slot(10):
            pass

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert running.wait(5)
    threads[1].start()
    assert waiting.wait(5)
    deadline = time.monotonic() + 5
    while len(queue) < 2 and time.monotonic() < deadline:  # the second has joined the queue
        time.sleep(0.01)
    with pytest.raises(Busy) as refused:
        with queue.slot(1):
            pass
    assert refused.value.status == 503 and int(refused.value.headers["Retry-After"]) >= 1
    leave.set()
    for thread in threads:
        thread.join()
    with queue.slot(1):  # room again
        pass


@pytest.fixture
def serve(live_app):
    """Start a live server on the tiny model with config overrides; returns (its base URL, its app)."""

    def start(**config):
        app = live_app(**config)
        return f"http://127.0.0.1:{app.config['PORT']}", app

    return start


def test_under_load_health_answers_at_once_and_extra_analyses_get_503(serve, auth):
    url, _ = serve(MAX_QUEUE_WAIT_S=1.0)
    results = []

    def analyse():
        results.append(requests.post(url + ANALYZE, json={"text": long_text("load"), "threshold": 1.0}, headers=auth, timeout=120))

    first = threading.Thread(target=analyse)
    first.start()
    deadline = time.monotonic() + 10
    while requests.get(url + "/api/v1/health", headers=auth, timeout=5).json()["queue"]["waiting_s"] == 0:
        assert time.monotonic() < deadline, "the first analysis never started"
    started = time.monotonic()
    health = requests.get(url + "/api/v1/health", headers=auth, timeout=5)
    assert health.status_code == 200 and time.monotonic() - started < 1.0
    busy = requests.post(url + ANALYZE, json={"text": "The officers left."}, headers=auth, timeout=30)
    assert busy.status_code == 503 and busy.json()["error"]["code"] == "busy"
    assert int(busy.headers["Retry-After"]) >= 1
    first.join(120)
    assert results[0].status_code == 200
    assert requests.post(url + ANALYZE, json={"text": "The officers left."}, headers=auth, timeout=30).status_code == 200


def test_an_analysis_past_its_deadline_is_abandoned(make_client):
    client = make_client(ANALYSIS_DEADLINE_S=0.0)
    response = client.post(ANALYZE, json={"text": long_text("deadline")})
    assert response.status_code == 503
    assert "deadline" in response.json["error"]["message"] and "Retry-After" in response.headers


def test_work_stops_when_the_client_has_gone(serve, engine, monkeypatch):
    stopped = []
    answer = engine.answer

    def recording(*args, **kwargs):
        try:
            return answer(*args, **kwargs)
        except Exception as exc:
            stopped.append(str(exc))
            raise

    monkeypatch.setattr(engine, "answer", recording)
    url, app = serve()
    body = json.dumps({"text": long_text("gone"), "threshold": 1.0}).encode()
    with socket.create_connection(("127.0.0.1", app.config["PORT"])) as sock:
        sock.sendall(f"POST {ANALYZE} HTTP/1.1\r\nHost: 127.0.0.1:{app.config['PORT']}\r\n"
                     f"Authorization: Bearer {app.config['SECRET']}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        time.sleep(0.2)
    deadline = time.monotonic() + 30
    while not stopped:
        assert time.monotonic() < deadline, "the analysis went on after its client had gone"
        time.sleep(0.05)
    assert stopped == ["the client went away"]


# --- a damaged converted language model -------------------------------------------------------


@pytest.fixture
def converted(tiny_model, tmp_path):
    """A converted-LM folder (the tiny model's LM) with the checksums conversion writes."""
    folder = tmp_path / "converted"
    shutil.copytree(tiny_model / "lm", folder)
    (folder / CHECKSUMS).write_text(json.dumps({WEIGHTS["fp32"]: sha256(folder / WEIGHTS["fp32"])}))
    return folder


@pytest.mark.parametrize("damage", ["zeros", "truncated"])
def test_a_damaged_weights_file_is_refused_with_one_clear_error(converted, damage):
    weights = converted / WEIGHTS["fp32"]
    data = bytearray(weights.read_bytes())
    if damage == "zeros":
        data[len(data) // 2 : len(data) // 2 + 4096] = bytes(4096)
    else:
        data = data[: len(data) // 2]
    weights.write_bytes(bytes(data))
    with pytest.raises(LanguageModelDamaged, match="does not match the checksum written when it was converted"):
        load.load_lm(converted)


def test_a_damaged_cache_is_converted_again(converted, monkeypatch, capsys, tmp_path):
    good = tmp_path / "good"
    shutil.copytree(converted, good)
    weights = converted / WEIGHTS["fp32"]
    data = bytearray(weights.read_bytes())
    data[100:5000] = bytes(4900)
    weights.write_bytes(bytes(data))
    conversions = []

    def convert(out=None, log=None):
        out = out or converted
        if not out.exists():  # what a real conversion writes again
            conversions.append(out)
            shutil.copytree(good, out)
        return out

    monkeypatch.setattr(load, "convert", convert)
    loaded = load.load_lm()
    assert conversions == [converted] and loaded.path == converted
    lines = [line for line in capsys.readouterr().err.splitlines() if "damaged" in line]
    assert len(lines) == 1 and "converting it again" in lines[0]

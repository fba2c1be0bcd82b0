"""Load a running server as several readers at once, and watch its health check meanwhile.

    unspin load [--url http://127.0.0.1:8765] [--clients 8] [--seconds 120] [--min-words 300]
                [--max-words 5000] [--out load.json]

Each client sends, one after another, spun articles of a random length between --min-words and
--max-words (the data factory's spinner over the bench article, each text new), as a program
would (no Origin; this user's secret, from --data-dir); a 503 is a documented answer (the queue is full: Retry-After) and is counted,
not retried. Meanwhile /api/v1/health is asked every half second. Printed: answers by status,
errors (anything but 200 and 503), latency p50/p95/max of analyses and of health checks. The
project's target: no errors but 503s, every health check within 1 s.
"""

from __future__ import annotations

import json
import random
import statistics
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path


def add_arguments(parser) -> None:
    from unspin.config import server_url

    parser.add_argument("--url", default=server_url(), help="the server (default: $UNSPIN_SERVER or the default port)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--min-words", type=int, default=300)
    parser.add_argument("--max-words", type=int, default=5000)
    parser.add_argument("--out", help="also write the figures here as JSON")
    parser.add_argument("--data-dir", default=None,
                        help="where the server keeps its secret (default: $UNSPIN_DATA_DIR, else ~/.local/share/unspin)")


def call(url: str, secret: str, body: dict | None = None, timeout: float = 300.0) -> tuple[int, float]:
    """(HTTP status, seconds) of a GET, or of a JSON POST of `body`, carrying `secret`; status 0
    when the connection failed."""
    from unspin.api.secret import bearer

    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json", "Authorization": bearer(secret)})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return status, time.monotonic() - started


def articles(count: int, min_words: int, max_words: int, seed: int = 7) -> list[list[str]]:
    """`count` different spun articles of random lengths (paragraph lists)."""
    from unspin.scripts.evaluation.bench import DEFAULT_TEXT, long_document

    rng = random.Random(seed)
    text = DEFAULT_TEXT.read_text(encoding="utf-8")
    out = []
    for n in range(count):
        words = rng.randint(min_words, max_words)
        doc, total = [], 0
        for paragraph in long_document(text, words, 5000 + 10 * n):
            doc.append(paragraph)
            total += len(paragraph.split())
            if total >= words:
                break
        out.append(doc)
    return out


def percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)
    return {"p50_s": round(statistics.median(ordered), 3),
            "p95_s": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
            "max_s": round(ordered[-1], 3), "n": len(ordered)}


def main(args) -> int:
    from unspin.feedback import default_data_dir
    from unspin.api.secret import read, secret_path

    data_dir = args.data_dir or default_data_dir()
    secret = read(data_dir)
    if secret is None:
        print(f"error: no secret at {secret_path(data_dir)}: start the server first (or give its --data-dir)")
        return 2
    pool = articles(4 * args.clients, args.min_words, args.max_words)
    print(f"{len(pool)} spun articles of {min(map(len, pool))}-{max(map(len, pool))} paragraphs; "
          f"{args.clients} clients for {args.seconds:.0f} s against {args.url}", flush=True)
    stop = time.monotonic() + args.seconds
    lock = threading.Lock()
    analyses: list[tuple[int, float]] = []
    health: list[tuple[int, float]] = []

    def client(k: int) -> None:
        rng = random.Random(k)
        while time.monotonic() < stop:
            result = call(args.url + "/api/v1/analyze", secret, {"paragraphs": rng.choice(pool)})
            with lock:
                analyses.append(result)
            if result[0] == 503:
                time.sleep(1.0)  # a polite client waits before its next article

    def watch() -> None:
        while time.monotonic() < stop:
            result = call(args.url + "/api/v1/health", secret, timeout=10.0)
            with lock:
                health.append(result)
            time.sleep(0.5)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
    threads.append(threading.Thread(target=watch))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = Counter(status for status, _ in analyses)
    figures = {
        "clients": args.clients,
        "seconds": args.seconds,
        "analyses_by_status": {str(k): v for k, v in sorted(statuses.items())},
        "errors": sum(v for k, v in statuses.items() if k not in (200, 503)),
        "analysis_latency_200": percentiles([s for status, s in analyses if status == 200]),
        "health_latency": percentiles([s for _, s in health]),
        "health_not_ok": sum(1 for status, _ in health if status != 200),
        "health_over_1s": sum(1 for _, s in health if s > 1.0),
    }
    print(json.dumps(figures, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if figures["errors"] == 0 and figures["health_over_1s"] == 0 and figures["health_not_ok"] == 0 else 1

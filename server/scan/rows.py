"""One document in, one result row out: article extraction, the engine, the restored text.

The same `RowMaker` runs in the single-process scan and in each Ray worker (cluster.py), so both
give the same rows. A row is a dict with the columns of store.PART_SCHEMA: those of the final
articles.parquet but its groups, plus the text's MinHash signature and two timings.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

from .groups import signature
from .inputs import Document

MIN_PAGE_WORDS = 20  # a page whose main text is shorter is a menu, a gallery or an error page


def extract(document: Document, page: bytes) -> None:
    """Fill `document.text` (paragraphs separated by blank lines) and its title and date from its
    `html`, `page` (then dropped from the document), with trafilatura (main text only: no
    navigation, comments or tables); sets `error` when the page holds no article text (under
    MIN_PAGE_WORDS words)."""
    import trafilatura

    from trafilatura.settings import Document as Extracted

    document.html = None
    try:
        found = trafilatura.bare_extraction(page, url=document.url, with_metadata=True, include_comments=False,
                                            include_tables=False)
    except Exception as exc:  # noqa: BLE001 - a page the extractor cannot parse is that page's error
        document.error = f"the page could not be parsed: {type(exc).__name__}"
        return
    found = cast(Extracted | None, found)  # with_metadata: the Document (a dict only with the older as_dict)
    text = found.text if found is not None and found.text else ""
    if found is None or len(text.split()) < MIN_PAGE_WORDS:
        document.error = "no article text found in the page"
        return
    document.text = "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
    document.title = document.title or found.title
    document.date = document.date or found.date


class LMClock:
    """Seconds spent in the language model (its body's forward passes and the LM head's
    products, `normalizers` and `log_probs`) of one engine, added up since it was attached."""

    def __init__(self, lm):
        self.seconds = 0.0
        self._started: list[float] = []
        lm.body.register_forward_pre_hook(lambda *_: self._started.append(time.perf_counter()))
        lm.body.register_forward_hook(lambda *_: self._stop())
        for name in ("normalizers", "log_probs"):
            setattr(lm, name, self._timed(getattr(lm, name)))

    def _stop(self) -> None:
        self.seconds += time.perf_counter() - self._started.pop()

    def _timed(self, method):
        def timed(*args, **kwargs):
            self._started.append(time.perf_counter())
            try:
                return method(*args, **kwargs)
            finally:
                self._stop()

        return timed


class RowMaker:
    """Analyses documents with one loaded engine (Engine.load's errors are raised by __init__).

    max_tokens: a longer article (in LM tokens, the unit that costs) is recorded as an error."""

    def __init__(self, model_dir: str | Path, max_tokens: int, threads: int | None = None, precision: str | None = None):
        from ..engine.engine import Engine

        self.engine = Engine.load(model_dir, threads=threads, cache_size=0, precision=precision)
        self.max_tokens = max_tokens
        self.clock = LMClock(self.engine.loaded.lm)

    @property
    def model_version(self) -> str:
        return self.engine.loaded.meta.version

    def __call__(self, document: Document) -> dict:
        """The row of one document (never raises for a bad document: its `error` says why)."""
        started, lm_started = time.perf_counter(), self.clock.seconds
        if document.html is not None:
            extract(document, document.html)
        row = {"key": document.key, "seq": document.seq, "id": document.id, "source": document.source,
               "url": document.url, "title": document.title, "date": document.date, "text": document.text,
               "words": None, "verdict": None, "score": None, "spun_words": None, "spans": [], "restored": None,
               "minhash": None, "model_version": self.model_version, "error": document.error}
        if document.error is None:
            assert document.text is not None, "a document without an error has its text (read, or extracted)"
            try:
                self._analyze(document.text, row)
            except Exception as exc:  # noqa: BLE001 - recorded with the document; the scan goes on
                row["error"] = f"{type(exc).__name__}: {exc}"
        row["analysis_ms"] = round(1000 * (time.perf_counter() - started), 1)
        row["lm_ms"] = round(1000 * (self.clock.seconds - lm_started), 1)
        return row

    def _analyze(self, text: str, row: dict) -> None:
        from ..contract.answers import analysis_response
        from ..contract.errors import ApiError
        from ..contract.requests import text_body, text_request

        try:
            request = text_request(text_body(text))
        except ApiError as exc:
            row["error"] = exc.message
            return
        if not request.paragraphs:
            row["error"] = "no text to analyse"
            return
        tokens = self.engine.count_tokens(request.paragraphs)
        if tokens > self.max_tokens:
            row["error"] = f"too long: {tokens} language-model tokens (limit {self.max_tokens})"
            return
        response = analysis_response(self.engine, request, caller="scan")
        spans = [
            {"start": paragraph["start"] + span["start"], "end": paragraph["start"] + span["end"], "text": span["text"],
             "score": span["score"], "suggestions": span["suggestions"]}
            for paragraph in response["paragraphs"] for span in paragraph["spans"]
        ]
        summary = response["summary"]
        row.update(words=summary["words"], verdict=summary["verdict"], score=summary["score"],
                   spun_words=summary["spun_words"], spans=spans, restored=restored_text(text, spans))
        row["minhash"] = signature(row["restored"])


def restored_text(text: str, spans: list[dict]) -> str:
    """The text with each span replaced by its first suggestion (kept when it has none). spans:
    code-point offsets into `text`, in order, not overlapping."""
    out, pos = [], 0
    for span in spans:
        out.append(text[pos : span["start"]])
        out.append(span["suggestions"][0]["text"] if span["suggestions"] else span["text"])
        pos = span["end"]
    out.append(text[pos:])
    return "".join(out)

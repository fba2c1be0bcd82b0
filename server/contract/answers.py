"""Build the v1 analysis response from the engine's answer: offset units, paragraph positions.

The engine speaks code points; JavaScript speaks UTF-16 code units. This is the one
place where offsets change unit, so the API and `unspin analyze --json` agree.
"""

from __future__ import annotations

from ..text import utf16_offsets


def _converter(text: str, unit: str):
    if unit == "codepoint":
        return lambda i: i
    table = utf16_offsets(text)
    return table.__getitem__


def span_report(paragraph: str, span: dict, at, max_suggestions: int) -> dict:
    """One span of the engine's answer (code points in `paragraph`) with its offsets through `at`
    (`_converter`)."""
    start, end = span["start"], span["end"]
    suggestions = span["suggestions"]
    return {
        "start": at(start),
        "end": at(end),
        "text": paragraph[start:end],  # the exact substring, whatever the engine echoed
        "score": span["score"],
        "suggestions": None if suggestions is None else [{"text": s["text"], "score": s["score"]}
                                                         for s in suggestions[:max_suggestions]],
    }


def paragraph_report(paragraph: str, result: dict, unit: str, max_suggestions: int) -> dict:
    """One paragraph of the response, its span offsets in `unit`."""
    at = _converter(paragraph, unit)
    return {"index": result["index"], "score": result["score"], "words": result["words"],
            "spun_words": result["spun_words"],
            "spans": [span_report(paragraph, span, at, max_suggestions) for span in result["spans"]]}


def placed_spans(request, spans: list[tuple[int, dict]]) -> list[dict]:
    """[(paragraph, span)] of the engine (code points) -> PlacedSpan objects in the request's unit
    (each paragraph's offset table made once, however many of its spans there are)."""
    converters: dict[int, object] = {}
    out = []
    for p, span in spans:
        if p not in converters:
            converters[p] = _converter(request.paragraphs[p], request.offset_unit)
        out.append({"paragraph": p, **span_report(request.paragraphs[p], span, converters[p], request.max_suggestions)})
    return out


def analysis_response(engine, request, caller: str = "", deadline: float | None = None, cancelled=None,
                      progress=None) -> dict:
    """Analyse an AnalyzeRequest (see validation.py) for `caller` (see Engine.analyze; deadline
    and cancelled too) and build the v1 response body. progress(event): with it, called with a
    StreamEvent "marks" (openapi.json) after each batched pass. Raises admission.Abandoned."""
    paragraphs = request.paragraphs
    answer = engine.analyze(paragraphs, threshold=request.threshold, max_suggestions=request.max_suggestions,
                            caller=caller, ignore=request.ignore, deadline=deadline, cancelled=cancelled,
                            suggest=request.suggest, first=request.first,
                            progress=None if progress is None else
                            lambda spans: progress({"event": "marks", "spans": placed_spans(request, spans)}))
    reports = [paragraph_report(p, r, request.offset_unit, request.max_suggestions)
               for p, r in zip(paragraphs, answer["paragraphs"])]
    if request.text is not None:  # where each paragraph lies in the submitted text
        at = _converter(request.text, request.offset_unit)
        for report, paragraph, start in zip(reports, paragraphs, request.paragraph_starts):
            report["start"], report["end"] = at(start), at(start + len(paragraph))
    return {
        "offset_unit": request.offset_unit,
        "model": model_info(engine),
        "paragraphs": reports,
        "summary": answer["summary"],
    }


def suggestions_response(engine, request, caller: str = "", deadline: float | None = None, cancelled=None) -> dict:
    """The SuggestResponse body of a SuggestRequest (validation.py; see Engine.suggest). Raises
    admission.Abandoned."""
    article = request.article
    spans = engine.suggest(article.paragraphs, request.spans, threshold=article.threshold,
                           max_suggestions=article.max_suggestions, caller=caller, ignore=article.ignore,
                           deadline=deadline, cancelled=cancelled)
    return {"offset_unit": article.offset_unit, "model": model_info(engine), "spans": placed_spans(article, spans)}


def model_info(engine) -> dict:
    info = engine.info
    return {key: info[key] for key in ("name", "version", "base", "threshold", "metrics")}

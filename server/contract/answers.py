"""Build the v1 responses from the engine's answers: offsets in the caller's unit (offsets.py),
paragraph positions. The engine's spans are kept as they are (their text sliced and their
suggestions cut there, once).
"""

from __future__ import annotations

from .offsets import Offsets


def placed(span: dict, offsets: Offsets) -> dict:
    """One span of the engine's answer (code points) with its offsets in the caller's unit."""
    return {**span, "start": offsets.outward(span["start"]), "end": offsets.outward(span["end"])}


def paragraph_response(paragraph: str, result: dict, unit: str) -> dict:
    """One paragraph of the response, its span offsets in `unit`."""
    offsets = Offsets(paragraph, unit)
    return {**result, "spans": [placed(span, offsets) for span in result["spans"]]}


def placed_spans(request, spans: list[tuple[int, dict]]) -> list[dict]:
    """[(paragraph, span)] of the engine (code points) -> PlacedSpan objects in the request's unit
    (each paragraph's offset table made once, however many of its spans there are)."""
    offsets: dict[int, Offsets] = {}
    out = []
    for p, span in spans:
        if p not in offsets:
            offsets[p] = Offsets(request.paragraphs[p], request.offset_unit)
        out.append({"paragraph": p, **placed(span, offsets[p])})
    return out


def analysis_response(engine, request, caller: str = "", deadline: float | None = None, cancelled=None,
                      progress=None) -> dict:
    """Analyse an AnalyzeRequest (see requests.py) for `caller` (see Engine.answer; deadline
    and cancelled too) and build the v1 response body. progress(event): with it, called with a
    StreamEvent "marks" (openapi.json) after each batched pass. Raises engine.Abandoned."""
    paragraphs = request.paragraphs
    answer = engine.answer(paragraphs, threshold=request.threshold, max_suggestions=request.max_suggestions,
                            caller=caller, ignore=request.ignore, deadline=deadline, cancelled=cancelled,
                            suggest=request.suggest, first=request.first,
                            progress=None if progress is None else
                            lambda spans: progress({"event": "marks", "spans": placed_spans(request, spans)}))
    placed_paragraphs = [paragraph_response(p, r, request.offset_unit) for p, r in zip(paragraphs, answer["paragraphs"])]
    if request.text is not None:  # where each paragraph lies in the submitted text
        offsets = Offsets(request.text, request.offset_unit)
        for placed_paragraph, paragraph, start in zip(placed_paragraphs, paragraphs, request.paragraph_starts):
            placed_paragraph["start"], placed_paragraph["end"] = offsets.outward(start), offsets.outward(start + len(paragraph))
    return {
        "offset_unit": request.offset_unit,
        "model": model_info(engine),
        "paragraphs": placed_paragraphs,
        "summary": answer["summary"],
    }


def suggestions_response(engine, request, caller: str = "", deadline: float | None = None, cancelled=None) -> dict:
    """The SuggestResponse body of a SuggestRequest (requests.py; see Engine.suggest). Raises
    engine.Abandoned."""
    article = request.article
    spans = engine.suggest(article.paragraphs, request.spans, threshold=article.threshold,
                           max_suggestions=article.max_suggestions, caller=caller, ignore=article.ignore,
                           deadline=deadline, cancelled=cancelled)
    return {"offset_unit": article.offset_unit, "model": model_info(engine), "spans": placed_spans(article, spans)}


def model_info(engine) -> dict:
    info = engine.info
    return {key: info[key] for key in ("name", "version", "base", "threshold", "metrics")}

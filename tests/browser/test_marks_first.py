"""What a reader waits for: marks first (per part the server reads, what is in view first), then
the likely originals, the one the reader points at first (the server API: `stream`, `first`,
`suggestions: false`, POST /api/v1/suggestions).

The timing of the first marks is printed as a ratio to a raw fp32 forward pass of the same
language model over the same article (the yardstick of `unspin bench`), for the closing figures;
the assertions are about order and content, never about the machine's speed."""

from __future__ import annotations

import time

from conftest import LOW_THRESHOLD, article, restored_spans, server_spans, wait_for

# Marks restored on demand whose best suggestion is the one a whole answer gives, at least: the
# language model's pass over a window is repeated in another batch, whose bf16 rounding differs
# (docs/api.md), which may swap two near-equal candidates or take one across the minimum chance.
SAME_BEST = 0.9

# Where each visible mark lies: its paragraph's index among the article's <p>, and whether it is
# in the viewport now.
MARK_PLACES_JS = """() => {
  const paragraphs = [...document.querySelectorAll('article p')];
  const out = [];
  for (const level of ['low', 'mid', 'high']) {
    const h = CSS.highlights.get('unspin-' + level);
    if (h) for (const r of h) if (!r.collapsed) {
      const p = r.startContainer.parentElement.closest('p');
      const box = r.getBoundingClientRect();
      out.push({paragraph: paragraphs.indexOf(p), inView: box.bottom > 0 && box.top < innerHeight});
    }
  }
  return out;
}"""


def yardstick_ms(paragraphs: list[str]) -> float:
    """A raw fp32 forward of the LM over the article (bench.forward_ms), the median of 3."""
    from unspin.lm.load import load_lm
    from unspin.scripts.evaluation.bench import forward_ms

    lm = load_lm(precision="fp32", threads=2)
    forward_ms(lm, paragraphs)  # warm-up
    return sorted(forward_ms(lm, paragraphs) for _ in range(3))[1]


def test_marks_come_per_part_read_the_screenful_first_then_the_answer(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    page = ext.context.new_page()
    started = time.monotonic()
    page.goto(f"{pages_url}/long.html#middle")
    first_seen = {}  # paragraph -> seconds from navigation until its first mark
    first_mark_s = None
    status = None
    while status != "done":
        assert time.monotonic() - started < 300, "no answer within 300 s"
        now = time.monotonic() - started
        for place in page.evaluate(MARK_PLACES_JS):
            first_seen.setdefault(place["paragraph"], now)
            if first_mark_s is None:
                first_mark_s = now
                status_at_first = ext.page_state(page)["status"]
        status = ext.page_state(page)["status"]
        time.sleep(0.05)
    answered_s = time.monotonic() - started
    assert first_mark_s is not None and first_mark_s < answered_s
    assert status_at_first == "analysing", "marks shown only with the answer: nothing came per part"
    # The screenful came before the rest below it.
    in_view = [p["paragraph"] for p in page.evaluate(MARK_PLACES_JS) if p["inView"]]
    assert in_view, "no mark in view at #middle"
    last = max(first_seen)
    below = [t for p, t in first_seen.items() if p > max(in_view) + (last - max(in_view)) // 2]
    assert below and min(first_seen[p] for p in in_view) < min(below)
    # Then every mark's suggestions, and the page shows the server's full answer, as if the
    # article had been analysed whole with its suggestions.
    shown = restored_spans(ext, page)
    want = server_spans(ext, page, server_url)
    assert [(s["start"], s["end"], s["text"], s["score"]) for s in shown] == \
        [(s["start"], s["end"], s["text"], s["score"]) for s in want]
    best = [(x["suggestions"][:1], y["suggestions"][:1]) for x, y in zip(shown, want)]
    same = sum(a[0]["text"] == b[0]["text"] if a and b else a == b for a, b in best) / len(best)
    assert same >= SAME_BEST, f"the best suggestion is the whole answer's for {same:.0%} of the marks"
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    forward = yardstick_ms(texts) / 1000
    print(f"\n{sum(len(t.split()) for t in texts)} words: first marks {first_mark_s:.2f} s after navigation "
          f"({first_mark_s / forward:.2f}x the fp32 forward of the article, {forward:.2f} s), all marks "
          f"{answered_s:.2f} s ({answered_s / forward:.2f}x)")


def test_the_card_finds_the_original_of_the_mark_pointed_at(ext, pages_url):
    ext.use_threshold(LOW_THRESHOLD)
    page = ext.context.new_page()
    page.goto(f"{pages_url}/long.html")
    ext.wait_status(page, timeout=300, restored=False)
    # Point at the last mark (its suggestions are asked last in the background) right away.
    place = page.evaluate("""() => {
      const ranges = [];
      for (const level of ['low', 'mid', 'high']) {
        const h = CSS.highlights.get('unspin-' + level);
        if (h) for (const r of h) if (!r.collapsed) ranges.push(r);
      }
      ranges.sort((a, b) => a.compareBoundaryPoints(Range.START_TO_START, b));
      const r = ranges.at(-1);
      r.startContainer.parentElement.scrollIntoView({block: 'center'});
      const box = r.getClientRects()[0];
      return {x: box.left + Math.min(box.width / 2, 20), y: box.top + box.height / 2};
    }""")
    page.mouse.move(place["x"], place["y"])
    card = wait_for(lambda: (lambda c: c if c["open"] else None)(ext.page_state(page)["overlay"]["card"]),
                    message="the card open")
    if "Finding the original" in card["text"]:
        card = wait_for(lambda: (lambda c: c if "Finding the original" not in c["text"] else None)(
            ext.page_state(page)["overlay"]["card"]), timeout=60, message="the card's original")
    assert card["open"] and ("Likely original:" in card["text"] or "Original unknown" in card["text"])
    spans = restored_spans(ext, page)
    assert spans and all(s["suggestions"] is not None for s in spans)
    assert len(article(ext, page)["paragraphs"]) > 40

"""Accessibility: the popup lists the page's marks (spun wording → likely original) and activating one
takes keyboard focus to that mark with its card open; every text of the popup and of the card meets
WCAG's 4.5:1 contrast (computed from the browser's computed colours); in forced-colors (high
contrast) mode the marks are painted in the system's colours."""

from __future__ import annotations

import re

from conftest import LOW_THRESHOLD, card_ready, open_marked, overlay, wait_for, wait_marks

MIN_CONTRAST = 4.5  # WCAG 2 AA, normal text

# Colours of each element of the popup that shows text of its own: its colour and the opaque
# colour under it (its own background over its ancestors', white below them all).
POPUP_COLOURS_JS = """() => {
  const rgba = (c) => { const [r, g, b, a = 1] = c.match(/[\\d.]+/g).map(Number); return {r, g, b, a}; };
  const under = (el) => {
    const layers = [];
    for (let at = el; at; at = at.parentElement) {
      const c = rgba(getComputedStyle(at).backgroundColor);
      if (c.a > 0) layers.push(c);
      if (c.a >= 1) break;
    }
    let out = {r: 255, g: 255, b: 255};
    for (const c of layers.reverse()) {
      out = {r: c.r * c.a + out.r * (1 - c.a), g: c.g * c.a + out.g * (1 - c.a), b: c.b * c.a + out.b * (1 - c.a)};
    }
    return `rgb(${Math.round(out.r)}, ${Math.round(out.g)}, ${Math.round(out.b)})`;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.data).join('').trim();
    if (!own || !el.getClientRects().length || el.closest('[hidden]')) continue;
    const style = getComputedStyle(el);
    // A disabled control's text is exempt (WCAG 1.4.3); none is expected once the page is analysed.
    out.push({text: own, color: style.color, background: under(el), opacity: style.opacity, disabled: !!el.closest(':disabled')});
  }
  return out;
}"""


def channels(colour: str) -> tuple[float, float, float, float]:
    values = [float(v) for v in re.findall(r"[\d.]+", colour)]
    return (*values[:3], values[3] if len(values) > 3 else 1.0)


def luminance(rgb) -> float:
    def linear(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of text in `foreground` (alpha blended) over an opaque `background`."""
    fr, fg, fb, fa = channels(foreground)
    br, bg, bb, _ = channels(background)
    text = (fr * fa + br * (1 - fa), fg * fa + bg * (1 - fa), fb * fa + bb * (1 - fa))
    lighter, darker = sorted((luminance(text), luminance((br, bg, bb))), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def low_contrast(items: list[dict]) -> list[tuple]:
    return [(i["text"], i["color"], i["background"], round(contrast(i["color"], i["background"]), 2))
            for i in items if contrast(i["color"], i["background"]) < MIN_CONTRAST]


def test_popup_lists_the_marks_and_takes_focus_to_one(ext, pages_url, server_url):
    page, spans = open_marked(ext, f"{pages_url}/spun.html", server_url)
    assert len(spans) >= 2
    popup = ext.popup(page)
    items = popup.locator("#marks li button")
    want = [f"{s['text']} → {s['suggestions'][0]['text']}" if s["suggestions"] else f"{s['text']} (original unknown)" for s in spans]
    wait_for(lambda: items.all_inner_texts() == want, message=f"the list of marks {want}")
    assert popup.get_by_role("list", name="Marks on this page").count() == 1
    items.nth(1).focus()
    popup.keyboard.press("Enter")
    state = wait_for(lambda: (lambda o: o if o["focused"] == spans[1]["text"] else None)(overlay(ext, page)),
                     message="focus on the second mark")
    assert state["card"]["open"] and state["card"]["by"] == "focus"
    assert f"Spun wording: {spans[1]['text']}" in state["card"]["text"]
    assert page.evaluate("() => document.activeElement?.localName") == "unspin-overlay"


def test_every_text_of_the_popup_and_the_card_has_enough_contrast(ext, pages_url):
    ext.use_threshold(LOW_THRESHOLD)
    page, _ = ext.open_done(f"{pages_url}/spun.html")
    wait_marks(page, 2)
    # The card, with its actions and a status line (computed inside the content script: the
    # card's shadow root is closed).
    assert ext.sw("([name, id]) => unspin.onCommand(name, {id})", ["next-mark", ext.tab_id(page)]) is True
    page.keyboard.press("Enter")
    card_ready(ext, page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Spun — restore as …": the status line shows
    card = wait_for(lambda: (lambda c: c if c["status"] else None)(overlay(ext, page)["card"]), message="card status")
    texts = {c["text"] for c in card["colours"]}
    assert any(t.startswith("Unspin ·") for t in texts) and any(t.startswith("Spun — restore as") for t in texts)
    assert card["status"] in texts
    assert low_contrast(card["colours"]) == []
    # The popup (the page analysed, so no control is disabled).
    popup = ext.popup(page)
    wait_for(lambda: popup.locator("#restored").is_enabled(), message="restored view enabled")
    wait_for(lambda: popup.locator("#marks li").count() >= 2, message="marks listed")
    items = popup.evaluate(POPUP_COLOURS_JS)
    assert {"Show restored article", "Options"} <= {i["text"] for i in items}
    assert [i["text"] for i in items if i["disabled"] or float(i["opacity"]) < 1] == []
    assert low_contrast(items) == []


def test_forced_colors_paint_marks_in_system_colours(ext, pages_url):
    ext.use_threshold(LOW_THRESHOLD)
    page, _ = ext.open_done(f"{pages_url}/spun.html")
    wait_marks(page, 1)
    styles = """() => {
      const p = document.getElementById('p1');
      const probe = document.createElement('span');
      probe.style.cssText = 'background-color: Mark; color: MarkText';
      document.body.append(probe);
      const mark = getComputedStyle(probe);
      const out = {mark: mark.backgroundColor, markText: mark.color};
      for (const level of ['low', 'mid', 'high', 'active']) {
        const s = getComputedStyle(p, `::highlight(unspin-${level})`);
        out[level] = [s.backgroundColor, s.color];
      }
      probe.style.cssText = 'background-color: Highlight; color: HighlightText';
      out.highlight = [getComputedStyle(probe).backgroundColor, getComputedStyle(probe).color];
      probe.remove();
      return out;
    }"""
    normal = page.evaluate(styles)
    page.emulate_media(forced_colors="active")
    assert page.evaluate("() => matchMedia('(forced-colors: active)').matches")
    forced = page.evaluate(styles)
    for level in ("low", "mid", "high"):
        assert forced[level] == [forced["mark"], forced["markText"]], level
        assert normal[level][0] != forced["mark"]  # the normal shade is not the system colour
    assert forced["active"] == forced["highlight"]

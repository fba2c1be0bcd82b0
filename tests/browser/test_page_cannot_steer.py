"""What a page cannot do to Unspin (security review, second round): learn what the reader read on
another site from the extension's caches, restyle or remove the card's host, or steer the
reader's click into the card's actions by covering it."""

from __future__ import annotations

from conftest import LOW_THRESHOLD, card_ready, mark_rect, overlay, sent, wait_card, wait_for, wait_marks


def test_a_page_of_another_site_gets_nothing_from_what_the_reader_read(ext, pages_url):
    # The same article on site A (127.0.0.1), then on site B (localhost): B's page is analysed
    # anew, as if A had never been read (no answer, and so no speed, from A's cache entry).
    ext.use_threshold(LOW_THRESHOLD)
    first, _ = ext.open_done(f"{pages_url}/spun.html")
    wait_for(lambda: sent(ext)["inFlight"] == 0, message="no request in flight")
    again, _ = ext.open_done(f"{pages_url}/spun.html")  # the same site: from the cache
    wait_for(lambda: sent(ext)["inFlight"] == 0, message="no request in flight")
    before = sent(ext)
    again.reload()
    ext.wait_status(again)
    assert sent(ext)["requests"] == before["requests"]
    other, _ = ext.open_done(pages_url.replace("127.0.0.1", "localhost") + "/spun.html")
    wait_for(lambda: sent(ext)["requests"] == before["requests"] + 1, message="site B asks the server itself")
    wait_marks(other)
    first.close()


def open_card_by_hover(ext, page) -> dict:
    wait_marks(page)
    rect = mark_rect(page, 0)
    page.mouse.move(rect["x"], rect["y"])
    return wait_card(ext, page)


def test_the_page_cannot_restyle_or_remove_the_cards_host(ext, pages_url):
    ext.use_threshold(LOW_THRESHOLD)
    page, _ = ext.open_done(f"{pages_url}/spun.html")
    open_card_by_hover(ext, page)
    style = page.evaluate("() => document.querySelector('unspin-overlay').getAttribute('style')")
    assert "opacity: 1 !important" in style
    page.evaluate("() => document.querySelector('unspin-overlay').style.setProperty('opacity', '0', 'important')")
    wait_for(lambda: page.evaluate("() => document.querySelector('unspin-overlay').getAttribute('style')") == style,
             message="the host's style put back")
    page.evaluate("() => document.querySelector('unspin-overlay').remove()")
    wait_for(lambda: page.evaluate("() => !!document.querySelector('unspin-overlay')"), message="the host put back")
    assert page.evaluate("() => document.querySelector('unspin-overlay').getAttribute('style')") == style


def test_a_click_through_a_page_element_covering_the_card_does_nothing(ext, pages_url):
    # A page lays an opaque decoy over the card that lets clicks through (pointer-events: none):
    # the reader sees the decoy, the click lands on "Never flag" and then on its confirmation.
    ext.use_threshold(LOW_THRESHOLD)
    page, _ = ext.open_done(f"{pages_url}/spun.html")
    open_card_by_hover(ext, page)
    card = card_ready(ext, page)  # uncovered, the card is ready
    never = next(a for a in card["actions"] if a["name"].startswith("Never flag"))
    x, y = never["rect"]["x"] + never["rect"]["width"] / 2, never["rect"]["y"] + never["rect"]["height"] / 2
    page.mouse.move(x, y)  # onto the card: it stays open
    page.evaluate("""() => {
      const decoy = document.createElement('div');
      decoy.textContent = 'Click twice to claim your prize';
      decoy.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:#fff;pointer-events:none';
      document.documentElement.append(decoy);
    }""")
    wait_for(lambda: not overlay(ext, page)["card"]["ready"], message="the covered card is not ready")
    assert page.evaluate(f"() => document.elementFromPoint({x}, {y}).localName") == "unspin-overlay"  # clicks go through
    for _ in range(2):
        page.mouse.click(x, y)
    status = wait_for(lambda: overlay(ext, page)["card"]["status"], message="a status line")
    assert status.startswith("Ignored"), status
    assert [a["name"] for a in overlay(ext, page)["card"]["actions"] if a["name"].startswith("Yes")] == []
    assert ext.stored("ignore", []) == []

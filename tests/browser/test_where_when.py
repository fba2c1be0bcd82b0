"""Where and when Unspin runs: the per-site switch (a site is the registrable domain, so www. and
subdomains are one site) with the options page's site lists, opt-in mode, analysis on demand
(the popup's "Analyse this page" and the analyze-page command) and the per-tab pause.

Pages on example.com and its subdomains are the local test pages too: the browser resolves
those names to 127.0.0.1 (conftest). Marks are compared with the server's own answer for the
article the extension sent, at LOW_THRESHOLD."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

from conftest import LOW_THRESHOLD, ROOT, article, expected_span_texts, manifest_text, marks, sent, wait_for, wait_marks

MANIFEST = json.loads((ROOT / "extension" / "src" / "manifest.json").read_text())
QUIET_S = 1.5  # longer than the page observer's debounce (400 ms) and a round trip


def on_host(pages_url: str, host: str, page: str) -> str:
    return f"http://{host}:{urlsplit(pages_url).port}/{page}"


def shows_server_spans(ext, page, server_url) -> list[str]:
    """Wait until the page's marks are the server's spans for the article it sent; returns them."""
    ext.wait_status(page)
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    want = expected_span_texts(server_url, texts, LOW_THRESHOLD)
    assert want, "the server marks nothing on this article at LOW_THRESHOLD"
    wait_for(lambda: [m["text"] for m in marks(page)] == want, timeout=60, message=f"marks {want}")
    return want


def open_status(ext, url: str, status: str):
    page = ext.context.new_page()
    page.goto(url)
    ext.wait_status(page, want=(status,), timeout=30)
    return page


def options(ext):
    page = ext.context.new_page()
    page.goto(f"chrome-extension://{ext.id}/options.html")
    page.wait_for_selector("input[name=siteMode]:checked")
    return page


def test_site_switch_covers_www_and_subdomains_and_the_options_list(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    www, _ = ext.open_done(on_host(pages_url, "www.example.com", "spun.html"))
    shows_server_spans(ext, www, server_url)
    popup = ext.popup(www)
    assert popup.locator("#site").inner_text() == "example.com"
    assert popup.locator("#enable-row").is_hidden()
    popup.locator("#disable-site").check()
    wait_for(lambda: ext.page_state(www)["status"] == "disabled", message="www.example.com off")
    assert not marks(www)
    wait_for(lambda: ext.stored("disabledSites") == ["example.com"], message="site list stored")
    # The same site under other names is off too; another site is not.
    for host, name in (("news.example.com", "link-split.html"), ("example.com", "clean.html")):
        other = open_status(ext, on_host(pages_url, host, name), "disabled")
        assert not marks(other), host
    elsewhere, _ = ext.open_done(f"{pages_url}/link-split.html")
    assert marks(elsewhere)

    # The options page lists it; Remove turns the site back on (the open page analyses again).
    opts = options(ext)
    assert opts.locator("#disabled-sites-list .site").all_inner_texts() == ["example.com"]
    assert opts.locator("#enabled-sites").is_hidden()
    opts.get_by_role("button", name="Remove example.com").click()
    wait_for(lambda: opts.locator("#disabled-sites-list .site").count() == 0, message="list emptied")
    shows_server_spans(ext, www, server_url)
    # Adding by any address of the site stores the site, and the page goes off again.
    opts.locator("#disabled-sites-input").fill("https://news.example.com/world/story")
    opts.locator("#disabled-sites-form button[type=submit]").click()
    wait_for(lambda: opts.locator("#disabled-sites-list .site").all_inner_texts() == ["example.com"], message="added")
    wait_for(lambda: ext.page_state(www)["status"] == "disabled", message="off again")
    assert not marks(www)


def test_opt_in_mode_analyses_only_sites_the_reader_enabled(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    opts = options(ext)
    opts.locator("input[name=siteMode][value=opt-in]").check()
    wait_for(lambda: ext.stored("siteMode") == "opt-in", message="opt-in stored")
    assert opts.locator("#disabled-sites").is_hidden() and opts.locator("#enabled-sites").is_visible()
    before = sent(ext)["requests"]
    page = open_status(ext, f"{pages_url}/spun.html", "disabled")
    time.sleep(QUIET_S)
    assert not marks(page) and sent(ext)["requests"] == before
    # In opt-in mode the popup's switch enables the site.
    popup = ext.popup(page)
    assert popup.locator("#disable-row").is_hidden()
    assert popup.locator("#enable-site-name").inner_text() == "127.0.0.1"
    assert not popup.locator("#enable-site").is_checked()
    popup.locator("#enable-site").check()
    shows_server_spans(ext, page, server_url)
    wait_for(lambda: ext.stored("enabledSites") == ["127.0.0.1"], message="site list stored")
    wait_for(lambda: opts.locator("#enabled-sites-list .site").all_inner_texts() == ["127.0.0.1"], message="options list")
    # Another site stays off until enabled.
    other = open_status(ext, on_host(pages_url, "news.example.com", "spun.html"), "disabled")
    assert not marks(other)
    # Back to every site: the other site runs.
    opts.locator("input[name=siteMode][value=all]").check()
    shows_server_spans(ext, other, server_url)


def test_analyse_on_demand_from_the_popup_and_the_command(ext, pages_url, server_url):
    declared = {c["name"]: c["description"] for c in ext.sw("() => chrome.commands.getAll()")}
    assert declared["analyze-page"] == manifest_text(MANIFEST["commands"]["analyze-page"]["description"])
    keys = [c["suggested_key"]["default"] for c in MANIFEST["commands"].values()]
    assert MANIFEST["commands"]["analyze-page"]["suggested_key"]["default"] == "Alt+Shift+U"
    assert len(keys) == len(set(keys))  # no two commands share a shortcut

    ext.use_threshold(LOW_THRESHOLD)
    opts = options(ext)
    opts.locator("input[name=analyseOn][value=demand]").check()
    wait_for(lambda: ext.stored("analyseOn") == "demand", message="on-demand stored")
    before = sent(ext)["requests"]
    page = open_status(ext, f"{pages_url}/spun.html", "on-demand")
    time.sleep(QUIET_S)
    assert not marks(page) and sent(ext)["requests"] == before
    popup = ext.popup(page)
    assert popup.locator("#verdict").inner_text() == "Unspin analyses this page when you ask"
    popup.locator("#analyze-page").click()
    shows_server_spans(ext, page, server_url)
    wait_for(lambda: popup.locator("#analyze-page").count() == 0, message="button gone once analysed")

    # The keyboard command (what the browser calls for Alt+Shift+U) does the same.
    other = open_status(ext, f"{pages_url}/link-split.html", "on-demand")
    assert not marks(other)
    assert ext.sw("([name, id]) => unspin.onCommand(name, {id})", ["analyze-page", ext.tab_id(other)]) is True
    shows_server_spans(ext, other, server_url)


def test_pause_in_this_tab_until_resume_or_reload(ext, pages_url, server_url):
    ext.use_threshold(LOW_THRESHOLD)
    page, _ = ext.open_done(f"{pages_url}/append.html")
    wait_for(lambda: page.evaluate("document.documentElement.dataset.appended") == "yes", message="append")
    wait_for(lambda: (lambda s: s["status"] == "done" and s["paragraphs"] == 5)(ext.page_state(page)), message="all analysed")
    shows_server_spans(ext, page, server_url)
    other, _ = ext.open_done(f"{pages_url}/spun.html")  # another tab of the same site
    count = len(wait_marks(other))
    popup = ext.popup(page)
    popup.locator("#pause-tab").check()
    wait_for(lambda: ext.page_state(page)["status"] == "paused", message="paused")
    wait_for(lambda: not marks(page), message="marks removed")
    wait_for(lambda: ext.badge(page) == "", message="badge cleared")
    assert len(marks(other)) == count  # only this tab
    # Nothing is sent while paused, even when the article changes.
    before = sent(ext)["requests"]
    page.evaluate("""() => { const p = document.createElement('p');
      p.textContent = 'Officials said the talks would continue this week, and that no decision had been made.';
      document.getElementById('feed').append(p); }""")
    time.sleep(QUIET_S)
    assert sent(ext)["requests"] == before and not marks(page)
    assert popup.locator("#verdict").inner_text() == "Unspin is paused in this tab"
    # Resume: the changed article is sent and marked.
    popup.locator("#pause-tab").uncheck()
    wait_for(lambda: sent(ext)["requests"] > before, message="sent after resume")
    shows_server_spans(ext, page, server_url)
    # Paused until reload: a reload analyses again.
    popup.locator("#pause-tab").check()
    wait_for(lambda: not marks(page), message="paused again")
    page.reload()
    wait_for(lambda: page.evaluate("document.documentElement.dataset.appended") == "yes", message="append")
    wait_for(lambda: (lambda s: s["status"] == "done" and s["paragraphs"] == 5)(ext.page_state(page)), message="all analysed")
    shows_server_spans(ext, page, server_url)

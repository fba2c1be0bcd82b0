"""The scan's report opens in Chromium: its plots load, its tables and groups are there, marks are
shaded by the extension's levels with the suggestions on hover, and page text (a hostile article,
a javascript: URL) is shown as text, never run. The report is written from an articles.parquet
made the way a scan makes it (store.Parts, then store.finish), with real MinHash signatures."""

from __future__ import annotations

import pytest
from conftest import mark_level, wait_for

from unspin.scan.groups import signature
from unspin.scan.report import write_report
from unspin.scan.rows import restored_text
from unspin.scan.store import Parts, finish

STORY = ("The prime minister said on Tuesday that the government would raise spending on schools and hospitals "
         "next year, after a review found that many buildings needed repairs. ") * 4
HOSTILE = '<img src=x onerror="document.title=\'pwned\'"><script>document.title = "pwned"</script> final month'


def _row(seq: int, url: str, text: str, spans: list[dict], verdict: str, score: float) -> dict:
    restored = restored_text(text, spans)
    return {"key": f"k:{seq}", "seq": seq, "id": f"id{seq}", "source": "crawl.warc", "url": url, "title": f"Story {seq}",
            "date": "2026-05-03", "text": text, "words": len(text.split()), "verdict": verdict, "score": score,
            "spun_words": len(spans), "spans": spans, "restored": restored, "minhash": signature(restored),
            "analysis_ms": 1000.0, "lm_ms": 800.0, "model_version": "test", "error": None}


@pytest.fixture
def report(tmp_path):
    spun = STORY.replace("government", "authorities", 1).replace("hospitals", "infirmaries", 1)
    spans = [{"start": spun.index("authorities"), "end": spun.index("authorities") + 11, "text": "authorities",
              "score": 0.9, "suggestions": [{"text": "government", "score": 0.7}]},
             {"start": spun.index("infirmaries"), "end": spun.index("infirmaries") + 11, "text": "infirmaries",
              "score": 0.65, "suggestions": [{"text": "hospitals", "score": 0.5}, {"text": "clinics", "score": 0.2}]}]
    at = HOSTILE.index("final month")
    hostile = [{"start": at, "end": at + 11, "text": "final month", "score": 0.5,
                "suggestions": [{"text": "last month", "score": 0.9}]}]
    parts = Parts(tmp_path)
    parts.add([
        _row(0, "https://www.citytribune.com/a", STORY, [], "no sign of spinning", 0.0),
        _row(1, "https://dailynewsnow.com/1", spun, spans, "likely spun", 0.2),
        _row(2, "https://news.worldreport24.net/2", spun, spans, "likely spun", 0.2),
        _row(3, "javascript:document.title='pwned'", HOSTILE, hostile, "possibly spun", 0.05),
        {**_row(4, "https://x.example/4", "", [], "no sign of spinning", 0.0), "error": "no article text found in the page",
         "verdict": None, "score": None, "text": None, "restored": None, "minhash": None},
    ])
    parts.flush()
    out = tmp_path / "report.html"
    write_report(finish(tmp_path), out, {"model_version": "test", "articles": 5, "analysed": 4, "errors": 1,
                                         "articles_per_minute_per_engine": 60.0, "lm_share": 0.8})
    return out


def test_the_report_renders_with_its_plots_tables_groups_and_marks(browser, report):
    page = browser.context.new_page()
    page.goto(report.as_uri())
    images = wait_for(lambda: page.evaluate(
        "() => [...document.images].every(i => i.complete && i.naturalWidth > 0) && document.images.length"),
        message="the plots to load")
    assert images == 2 and page.locator("#plot-scores").is_visible() and page.locator("#plot-sites").is_visible()
    sites = page.locator("#sites tr").all_inner_texts()
    assert any(row.startswith("dailynewsnow.com") for row in sites)
    assert any(row.startswith("worldreport24.net") for row in sites)  # the registrable domain
    substitutions = page.locator("#substitutions tr").all_inner_texts()
    assert "authorities\tgovernment\t2" in substitutions
    group = page.locator(".group").first.inner_text()
    assert "2 page(s) look like copies of" in group and "Story 0" in group
    marks = page.locator(".article mark")
    assert marks.count() == 5  # 2 + 2 + the hostile article's
    first = page.locator(".article").first.locator("mark").first
    assert first.inner_text() == "authorities" and first.get_attribute("class") == mark_level(0.9)
    assert first.get_attribute("title") == "likely original: government (70%)"
    assert page.locator("#errors").inner_text().count("no article text found in the page") == 1
    page.close()


def test_page_text_in_the_report_is_text(browser, report):
    page = browser.context.new_page()
    page.goto(report.as_uri())
    hostile = page.locator(".article", has_text="final month")
    wait_for(lambda: hostile.count() == 1, message="the hostile article")
    assert HOSTILE.replace(" final month", "") in hostile.inner_text()  # shown, not parsed
    assert page.title() == "Unspin scan report"
    assert page.locator("a[href^='javascript:']").count() == 0
    page.close()

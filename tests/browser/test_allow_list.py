"""The allow-list (words and phrases never to flag): kept on the options page (a textarea, remove
buttons, import and export as a plain text file, one wording per line), added from the card with
"Never flag", and sent to the server as `ignore` with every analyze request; a change re-analyses
open pages. The page then shows exactly the server's answer with the list, which differs from its
answer without it."""

from __future__ import annotations

from conftest import LOW_THRESHOLD, article, auth, card_ready, open_marked, overlay, shown, wait_for


def span_texts(answer: dict) -> list[str]:
    return [s["text"] for p in answer["paragraphs"] for s in p["spans"]]


def with_ignore(server_url: str, texts: list[str], ignore: list[str]) -> list[str]:
    import requests

    body = {"paragraphs": texts, "offset_unit": "utf16", "threshold": LOW_THRESHOLD, "ignore": ignore}
    answer = requests.post(f"{server_url}/api/v1/analyze", json=body, headers=auth(server_url), timeout=120)
    answer.raise_for_status()
    return span_texts(answer.json())


def stored_list(ext) -> list[str]:
    return ext.stored("ignore", [])


def spun_page_with_marks(ext, pages_url, server_url):
    """The spun page analysed at LOW_THRESHOLD: (page, the texts it sent, the server's span texts)."""
    page, spans = open_marked(ext, f"{pages_url}/spun.html", server_url)
    texts = [p["text"] for p in article(ext, page)["paragraphs"]]
    return page, texts, [s["text"] for s in spans]


def test_a_word_in_the_allow_list_is_not_marked(ext, pages_url, server_url):
    page, texts, without = spun_page_with_marks(ext, pages_url, server_url)
    word = without[0]
    expected = with_ignore(server_url, texts, [word])
    assert word in without and word not in expected and expected != without
    # The options page: type it in, save; the open page is analysed again with the list.
    options = ext.context.new_page()
    options.goto(f"chrome-extension://{ext.id}/options.html")
    options.locator("#allow-list").fill(f"# never flag\n{word.upper()}\n")
    options.locator("#allow-list-save").click()
    wait_for(lambda: stored_list(ext) == [word.upper()], message="list stored")
    assert options.locator("#allow-list-result").inner_text() == "Saved 1 wording."
    wait_for(lambda: shown(page) == expected, timeout=60, message=f"marks with the allow-list: {expected}")
    # A new page load sends it too.
    page.reload()
    ext.wait_status(page)
    wait_for(lambda: shown(page) == expected, timeout=60, message="marks after a reload")
    # Removed from the list: the marks come back.
    options.get_by_role("button", name=f"Remove “{word.upper()}”").click()
    wait_for(lambda: stored_list(ext) == [], message="list emptied")
    wait_for(lambda: shown(page) == without, timeout=60, message="marks without the allow-list")


def test_never_flag_from_the_card(ext, pages_url, server_url):
    page, texts, without = spun_page_with_marks(ext, pages_url, server_url)
    word = without[0]
    assert ext.sw("([name, id]) => unspin.onCommand(name, {id})", ["next-mark", ext.tab_id(page)]) is True
    page.keyboard.press("Enter")
    wait_for(lambda: overlay(ext, page)["card"]["active"], message="focus in the card")
    page.keyboard.press("Shift+Tab")  # round to the last action
    assert overlay(ext, page)["card"]["active"] == f"Never flag “{word}”"
    card_ready(ext, page)
    page.keyboard.press("Enter")  # it asks first, on another button, which waits in its turn
    sure = f"Yes, never flag “{word}” on any site"
    wait_for(lambda: overlay(ext, page)["card"]["active"] == sure, message="the confirmation focused")
    assert stored_list(ext) == []
    wait_for(lambda: any(a["name"] == sure and a["ready"] for a in overlay(ext, page)["card"]["actions"]),
             message="the confirmation ready")
    page.keyboard.press("Enter")
    wait_for(lambda: stored_list(ext) == [word], message="added to the list")
    expected = with_ignore(server_url, texts, [word])
    wait_for(lambda: shown(page) == expected, timeout=60, message=f"marks with the allow-list: {expected}")


def test_import_and_export_as_a_text_file(ext, tmp_path):
    ext.set_storage({"ignore": ["officers"]})
    options = ext.context.new_page()
    options.goto(f"chrome-extension://{ext.id}/options.html")
    wait_for(lambda: options.locator("#allow-list").input_value() == "officers\n", message="list shown")
    upload = tmp_path / "list.txt"
    upload.write_text("# from unspin analyze --ignore\nfinal month\r\n\nOfficers\nwarfare\n", encoding="utf-8")
    options.locator("#allow-list-import").set_input_files(str(upload))
    wait_for(lambda: stored_list(ext) == ["officers", "final month", "warfare"], message="imported, merged")
    assert options.locator("#allow-list-result").inner_text() == "Imported 3 wordings from list.txt."
    assert options.locator("#allow-list-items li span").all_inner_texts() == ["officers", "final month", "warfare"]
    with options.expect_download() as download:
        options.locator("#allow-list-export").click()
    saved = tmp_path / "export.txt"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "unspin-allow-list.txt"
    assert saved.read_text(encoding="utf-8") == "officers\nfinal month\nwarfare\n"

"""The extension in German: Chromium and Firefox run with a German interface, and the popup, the
card on a mark (with its actions and what screen readers hear), the restored view, the options and
first-run pages, the toolbar button's title and the keyboard commands' descriptions show the German
messages (extension/src/_locales/de/messages.json, read here, never written out), with German
plurals, numbers and quotation marks.

Chromium on Linux takes its interface language from LANGUAGE (`launch_chromium(language=...)`)
and has German with Debian's chromium-l10n; Firefox asks for it with the pref
intl.locale.requested (extension/test/firefox/driver.mjs, job.locale) and has it with the language
pack of firefox-esr-l10n-de. Without those packages these tests skip, unless
UNSPIN_REQUIRE_BROWSER=1: then they fail (conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from conftest import (ARTIFACTS, FIREFOX, FIREFOX_EXTENSION_ORIGIN, FIREFOX_EXTENSION_UUID, LOW_THRESHOLD, MARK_RECT_JS,
                      MARKS_JS, SECRETS, auth, card_ready, chromium_speaks, firefox_langpack, launch_chromium, message,
                      fresh, open_marked, overlay, wait_for)
from test_firefox import MARK_EDGES_JS, RUN_TIMEOUT_S, run_driver

LANGUAGE = "de"  # conftest.py skips these tests without this language's files

VERDICTS = {"likely spun": "likely_spun", "possibly spun": "possibly_spun", "no sign of spinning": "no_sign"}
COMMANDS = ("next-mark", "previous-mark", "analyze-page")
ALLOW_ORIGIN_COMMAND = f"unspin serve --allow-origin {FIREFOX_EXTENSION_ORIGIN}"


def de(key: str, *substitutions: str) -> str:
    """The German message `key` with its placeholders filled in."""
    return message(key, *substitutions, locale=LANGUAGE)


def number(n: int) -> str:
    """A count as German writes it: 12.500."""
    return f"{n:,}".replace(",", ".")


def percent(share: float) -> str:
    """A share as German writes it: 42 % (a no-break space before the sign)."""
    return f"{round(share * 100)}\u00a0%"


def count(key: str, n: int, *substitutions: str) -> str:
    """A counting message: German has the forms one (1) and other."""
    return de(f"{key}_{'one' if n == 1 else 'other'}", number(n), *substitutions)


def plain(text: str) -> str:
    """Text with its no-break spaces as spaces (browsers' innerText differ there)."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def model(server_url: str) -> dict:
    answer = requests.get(f"{server_url}/api/v1/health", headers=auth(server_url), timeout=10)
    answer.raise_for_status()
    return answer.json()


def figures(summary: dict) -> str:
    """The popup's figures for the server's summary, in German."""
    return " · ".join([de("popup_figures_spun", percent(summary["spun_ratio"])), count("count_spans", summary["spans"]),
                       count("count_words", summary["words"])])


# --- Chromium ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def german(playwright, extension_dir, tmp_path_factory):
    """A second Chromium, its interface in German."""
    if not chromium_speaks(LANGUAGE):
        pytest.fail(f"Chromium has no {LANGUAGE} interface and UNSPIN_REQUIRE_BROWSER=1: apt-get install chromium-l10n")
    launched = launch_chromium(playwright, tmp_path_factory.mktemp("chromium-de"), extension_dir, language=LANGUAGE)
    yield launched
    launched.context.close()


@pytest.fixture
def ext_de(german, server_url):
    """The German browser with default settings pointing at the test server."""
    yield from fresh(german, server_url)


def test_chromium_gives_the_extension_its_german_messages(ext_de):
    language, tag = ext_de.sw("() => [chrome.i18n.getUILanguage(), chrome.i18n.getMessage('language_tag')]")
    assert language.startswith(LANGUAGE) and tag == LANGUAGE
    declared = {c["name"]: c["description"] for c in ext_de.sw("() => chrome.commands.getAll()")}
    for name in COMMANDS:
        assert declared[name] == de(f"command_{name.replace('-', '_')}")
    assert de("command_next_mark") != message("command_next_mark")  # the premise: it is German


def test_chromium_popup_restored_view_and_button_title_in_german(ext_de, pages_url, server_url):
    ext_de.use_threshold(LOW_THRESHOLD)
    page, state = ext_de.open_done(f"{pages_url}/spun.html")
    summary = state["summary"]
    assert summary["spans"] > 0
    title = ext_de.sw("id => chrome.action.getTitle({tabId: id})", ext_de.tab_id(page))
    assert title == de(f"button_title_{VERDICTS[summary['verdict']]}", count("count_spans", summary["spans"]))
    popup = ext_de.popup(page)
    text = lambda selector: plain(popup.locator(selector).text_content())  # noqa: E731
    assert popup.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == ["de", "ltr"]
    assert text("#verdict") == de(f"verdict_{VERDICTS[summary['verdict']]}")
    assert text("#figures") == plain(figures(summary))
    health = model(server_url)["model"]
    assert text("#server-status") == de("server_running", server_url, f"{health['name']} {health.get('version', '')}".strip())
    # The sensitivity scale's point, with a German decimal comma.
    assert text("#threshold-value").split(" · ")[0] == de("popup_sensitivity_point", f"{LOW_THRESHOLD:.2f}".replace(".", ","))
    assert popup.locator("#threshold").get_attribute("aria-label") == de("popup_sensitivity_slider")
    assert text("#disable-row").strip() == de("popup_disable_site", "127.0.0.1")
    assert text("#highlights + span") == de("popup_highlights")
    assert text("#restored") == de("popup_show_restored")
    assert text("footer") == de("popup_footer", de("popup_options"))
    assert popup.locator("#threshold-reset").get_attribute("title") == de("popup_threshold_reset_title")
    # German is longer than English: nothing runs out of the popup's width.
    assert popup.evaluate("() => document.body.scrollWidth <= document.body.clientWidth")
    popup.screenshot(path=str(ARTIFACTS / "popup-de.png"), full_page=True)

    restored = ext_de.context.new_page()
    restored.goto(f"chrome-extension://{ext_de.id}/restored.html?tab={ext_de.tab_id(page)}")
    banner = restored.locator("#banner")
    changed = restored.locator("mark.unspin-changed")
    wait_for(lambda: changed.count() > 0, message="the restored article")
    assert plain(banner.text_content()) == count("restored_banner_count", changed.count())
    assert changed.first.get_attribute("title").startswith(de("restored_page_said", ""))
    assert restored.title().endswith(de("restored_document_title", "").strip())


def test_chromium_card_and_announcement_in_german(ext_de, pages_url, server_url):
    page, spans = open_marked(ext_de, f"{pages_url}/spun.html", server_url)
    first = spans[0]
    assert first["suggestions"], first
    best = first["suggestions"][0]["text"]
    assert ext_de.sw("([name, id]) => unspin.onCommand(name, {id})", ["next-mark", ext_de.tab_id(page)]) is True
    state = wait_for(lambda: (lambda o: o if o["card"]["open"] else None)(overlay(ext_de, page)), message="the card open")
    assert state["live"]["text"] == de("announce_mark", first["text"], best)
    card = card_ready(ext_de, page)
    assert card["label"] == de("card_label")
    shown = plain(card["text"])
    for line in (de("card_likely_original", best), de("card_spun_wording", first["text"]),
                 de("card_confidence", percent(first["score"])), de("card_footer", "Enter", "Esc")):
        assert plain(line) in shown, line
    quoted = de("quoted", first["text"])
    assert quoted == f"„{first['text']}“"
    want = [("button", de("actions_not_spun_label", quoted))]
    want += [("button", de("actions_restore_as", de("quoted", s["text"]))) for s in first["suggestions"][:3]]
    want += [("input", de("actions_type_label", quoted)), ("button", de("actions_restore_typed")),
             ("button", de("find_original")), ("button", de("actions_never_flag", quoted))]
    assert [(a["tag"], a["name"]) for a in card["actions"]] == want


def test_chromium_options_and_first_run_pages_in_german(ext_de, server_url):
    health = model(server_url)
    options = ext_de.context.new_page()
    options.goto(f"chrome-extension://{ext_de.id}/options.html")
    text = lambda page, selector: plain(page.locator(selector).text_content())  # noqa: E731
    assert options.title() == de("options_title")
    assert text(options, "label[for=server-url]") == de("options_server_url")
    help_ = options.locator("label[for=server-url] ~ .muted").first
    assert plain(help_.text_content()) == de("options_server_url_help", "make serve", "unspin serve", "127.0.0.1", "localhost")
    assert help_.locator("code").all_text_contents() == ["make serve", "unspin serve", "127.0.0.1", "localhost"]
    assert text(options, "#where-and-when-heading") == de("options_where_heading")
    site = options.locator("#disabled-sites-input")
    assert (site.get_attribute("aria-label"), site.get_attribute("placeholder")) == (de("options_disabled_input"), "example.com")
    options.locator("#test").click()
    wait_for(lambda: text(options, "#result") == de("options_connected", health["version"], health["model"]["name"]),
             message="the connection test in German")

    welcome = ext_de.context.new_page()
    welcome.goto(f"chrome-extension://{ext_de.id}/welcome.html")
    assert text(welcome, "h1") == de("welcome_title")
    assert [plain(t) for t in welcome.locator("#kept li").all_text_contents()] == [
        de(f"welcome_kept_{item}") for item in ("paragraph", "span", "answer", "original", "time", "no_address")]
    assert text(welcome, "#where") == de("welcome_where", "~/.local/share/unspin/feedback.sqlite3", "unspin feedback clear")
    wait_for(lambda: text(welcome, "#server-state") == de("welcome_server_found", server_url, health["model"]["name"]),
             message="the server found, in German")
    assert text(welcome, "#feedback-state") == de("welcome_feedback_off")
    welcome.screenshot(path=str(ARTIFACTS / "welcome-de.png"), full_page=True)


# --- Firefox -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def firefox_de(extension_dir, pages_url, server_url, tmp_path_factory) -> dict:
    """What Firefox, in German, showed: the driver's report (driver.mjs) on the spun page."""
    if not Path(FIREFOX).exists():
        pytest.fail(f"{FIREFOX} is missing and UNSPIN_REQUIRE_BROWSER=1: apt-get install firefox-esr")
    if not firefox_langpack(LANGUAGE):
        pytest.fail(f"Firefox has no {LANGUAGE} language pack and UNSPIN_REQUIRE_BROWSER=1: "
                    f"apt-get install firefox-esr-l10n-{LANGUAGE}")
    ARTIFACTS.mkdir(exist_ok=True)
    job = {
        "firefox": FIREFOX,
        "extension": str(extension_dir.parent / "firefox"),
        "uuid": FIREFOX_EXTENSION_UUID,
        "locale": LANGUAGE,
        "shots": f"firefox-{LANGUAGE}",
        "settings": {"serverUrl": server_url, "secret": SECRETS[server_url], "threshold": LOW_THRESHOLD},
        "pageUrl": f"{pages_url}/spun.html?{LANGUAGE}",
        "timeoutS": RUN_TIMEOUT_S,
        "artifacts": str(ARTIFACTS),
        "scripts": {"marks": MARKS_JS, "markRect": MARK_RECT_JS, "markEdges": MARK_EDGES_JS},
    }
    return run_driver(job, tmp_path_factory.mktemp("firefox-de"))


def test_firefox_gives_the_extension_its_german_messages(firefox_de):
    i18n = firefox_de["i18n"]
    assert i18n["uiLanguage"].startswith(LANGUAGE), i18n
    assert (i18n["lang"], i18n["dir"], i18n["title"]) == ("de", "ltr", de("options_title"))
    assert i18n["commands"] == {name: de(f"command_{name.replace('-', '_')}") for name in COMMANDS}


def test_firefox_popup_and_card_in_german(firefox_de, server_url):
    summary = firefox_de["state"]["summary"]
    popup = {k: plain(v) for k, v in firefox_de["popup"].items()}
    assert popup["verdict"] == de(f"verdict_{VERDICTS[summary['verdict']]}")
    assert popup["figures"] == plain(figures(summary))
    assert popup["server-status"].startswith(de("server_running", server_url, ""))
    # The pointer and the first Tab onto the marks both reach the first mark.
    first = [s for p in firefox_de["article"]["paragraphs"] for s in p["spans"]][0]
    assert firefox_de["hover"]["mark"] == first["text"]
    assert first["suggestions"], first
    best = first["suggestions"][0]["text"]
    assert firefox_de["focus"]["label"] == de("announce_mark", first["text"], best)
    for how in ("hover", "focus"):
        shown = plain(firefox_de[how]["card"]["text"])
        for line in (de("card_likely_original", best), de("card_spun_wording", first["text"]),
                     de("card_confidence", percent(first["score"]))):
            assert plain(line) in shown, (how, line)


@pytest.mark.parametrize("where", ["firstRun", "options"])
def test_firefox_allow_origin_help_in_german(firefox_de, where):
    """Firefox's own help: the command placed inside the German sentence (shared/i18n.js parts)."""
    help_ = firefox_de[where]["allowOrigin"]
    assert not help_["hidden"]
    assert help_["command"] == ALLOW_ORIGIN_COMMAND
    assert plain(help_["text"]) == plain(de("allow_origin_help", ALLOW_ORIGIN_COMMAND))

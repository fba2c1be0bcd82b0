"""The engine's stages on the tiny model: score (sentences, windows, sites), decide, restore, summarize."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from unspin.engine.decide import SCALE, Decision, decide
from unspin.engine.engine import Engine, paragraph_score
from unspin.engine.model import CandidateTable, load_model
from unspin.engine.restore import JOINT_PER_SITE, RIGHT_TOKENS, joined, merge, restore, restore_sites
from unspin.engine.score import WINDOW_TOKENS, build_windows, find_sites, score, sentences
from unspin.text import INVISIBLE_RE, words

ARTICLE = (
    "WASHINGTON — Russia requested China to provide it army gear and help for the warfare in Ukraine after "
    "President Vladimir V. Putin started a full-scale invasion final month, in accordance with U.S. officers. "
    "The officers said so on Monday. 😀 Talks in the final month were tense. "
    "Mr. Smith, the agency's chief, disagreed with the officers. The final month ended quietly."
)


def split(text: str, n: int) -> list[str]:
    """The article as n paragraphs, cut at sentence ends."""
    parts = [text[a:b] for a, b in sentences(text)]
    size = -(-len(parts) // n)
    return [" ".join(parts[i : i + size]) for i in range(0, len(parts), size)]


def test_sentences_skip_initials_and_abbreviations():
    text = "President Vladimir V. Putin spoke. Mr. Smith left at 5 p.m. on Monday! Then what? Nothing."
    assert [text[a:b] for a, b in sentences(text)] == [
        "President Vladimir V. Putin spoke.", "Mr. Smith left at 5 p.m. on Monday!", "Then what?", "Nothing."
    ]


def test_windows_map_every_token_back_to_its_paragraph_text(engine):
    paragraphs = split(ARTICLE, 3) + [" ".join(["The officers met again."] * 60)]
    windows = build_windows(engine.loaded.lm, paragraphs)
    assert all(len(w.ids) <= WINDOW_TOKENS for w in windows)
    tokenizer = engine.loaded.lm.tokenizer
    covered = [set() for _ in paragraphs]
    for w in windows:
        for i, span in zip(w.ids, w.spans):
            if span is not None:
                p, s, e = span
                covered[p].update(range(s, e))
                piece = tokenizer.decode([i])
                if "\ufffd" not in piece:  # one byte of a multi-byte character (the emoji) decodes to U+FFFD
                    assert paragraphs[p][s:e].strip() == piece.strip()
    for p, text in enumerate(paragraphs):
        assert {k for k, ch in enumerate(text) if not ch.isspace()} <= covered[p]


@pytest.mark.parametrize("n", [4, 12])
def test_the_same_article_split_otherwise_gets_the_same_windows_and_marks(engine, n):
    whole = [ARTICLE]
    parts = split(ARTICLE, n)
    assert len(parts) > 1
    lm = engine.loaded.lm
    assert [w.ids for w in build_windows(lm, whole)] == [w.ids for w in build_windows(lm, parts)]
    one = engine.answer(whole, threshold=0.3)
    many = engine.answer(parts, threshold=0.3)

    def marks(answer, paragraphs):
        offset = {i: ARTICLE.index(p) for i, p in enumerate(paragraphs)}
        return [(offset[r["index"]] + s["start"], s["text"], [x["text"] for x in s["suggestions"]])
                for r in answer["paragraphs"] for s in r["spans"]]

    assert marks(one, whole) == marks(many, parts)
    assert marks(one, whole), "nothing marked: the comparison would hold on nothing"
    assert one["summary"]["verdict"] == many["summary"]["verdict"]
    assert one["summary"]["spun_words"] == many["summary"]["spun_words"]


def test_sites_are_table_keys_and_open_words_but_never_in_urls_code_or_names():
    table = CandidateTable({"final": [("last", 0.0)], "liberty": [("freedom", 0.0)], "news": [("information", 0.0)],
                            "final month": [("last month", 0.0)], "officers": [("officials", 0.0)]})
    paragraphs = ["Officers met at the New Liberty Playhouse the final month, see https://example.org/news?id=42 "
                  "or `final` and #final."]
    found = find_sites(paragraphs, [words(p) for p in paragraphs], table)
    texts = [(" ".join(w.text for w in words(paragraphs[0])[i:j]), bool(entry)) for _, i, j, entry in found]
    # keys of the table with their entries; other words but the most frequent (at, the, see, or,
    # and) as open sites with none; nothing in the name, the URL, the code or the hashtag
    assert texts == [("Officers", True), ("met", False), ("final month", True), ("final", True), ("month", False)]


def test_article_level_decision_marks_the_same_score_only_in_a_spun_article():
    decision = Decision(threshold=0.9, spun_threshold=0.4, evidence=0.05, prior_words=100)
    site = lambda p, w: SimpleNamespace(paragraph=p, words=(w, w + 1))  # noqa: E731
    # A clean article: one site at 0.6 among 100 words -> no evidence, nothing marked.
    marked, used, ev, spun = decide([100], [site(0, 3)], np.array([0.6]), decision)
    assert marked == [] and used == 0.9 and ev < 0.05 and not spun
    # A spun article: 15 sites at 0.7 and the same 0.6 site -> evidence; the 0.6 site is marked too.
    sites = [site(0, k) for k in range(0, 30, 2)] + [site(0, 31)]
    p = np.array([0.7] * 15 + [0.6])
    marked, used, ev, spun = decide([100], sites, p, decision)
    assert used == 0.4 and ev >= 0.05 and spun and 15 in marked and len(marked) == 16


def test_a_short_text_is_spun_on_enough_evidence_words_and_share():
    """decide.Decision.is_spun: at least min_hits evidence words, and their smoothed share."""
    decision = Decision(threshold=0.95, spun_threshold=0.3, evidence=0.03, prior_words=0, min_hits=3)
    site = lambda w: SimpleNamespace(paragraph=0, words=(w, w + 1))  # noqa: E731
    # 40 words, two evidence words: 5 % of the text, but fewer than 3 words -> not spun
    assert decide([40], [site(0), site(5)], np.array([0.9, 0.9]), decision)[3] is False
    # three evidence words: spun, and the 0.4 site is marked at the spun-article threshold
    marked, used, _, spun = decide([40], [site(0), site(5), site(9), site(20)], np.array([0.9, 0.9, 0.9, 0.4]), decision)
    assert spun and used == 0.3 and len(marked) == 4
    # the same three words among 2,000: too small a share
    assert decide([2000], [site(0), site(5), site(9)], np.array([0.9, 0.9, 0.9]), decision)[3] is False


def test_overlapping_sites_keep_the_likelier_one():
    sites = [SimpleNamespace(paragraph=0, words=(0, 2)), SimpleNamespace(paragraph=0, words=(1, 2))]
    marked = decide([10], sites, np.array([0.95, 0.99]), Decision(0.9, 0.5, 0.5, 100))[0]
    assert marked == [1]


def test_decision_scales_with_the_user_threshold():
    d = Decision(threshold=0.9, spun_threshold=0.45, evidence=0.03, prior_words=100)
    assert d.scaled(None) == d
    assert d.scaled(0.6) == Decision(0.6, 0.3, 0.03, 100)


def test_restore_reuses_the_kv_cache_exactly(engine):
    """A variant scored after the batch's cached keys and values (packed with other windows'
    variants) equals the scoring pass's own log-probabilities of the text, and restoring after
    the pass (its window passed again) gives the same scores."""
    lm = engine.loaded.lm
    kept = {}

    def on_batch(sites, batch):
        for site in sites:
            if site.text == "officers":
                site.candidates, site.candidate_lp = [site.text, "officials"], [0.0, 0.0]  # first sub-token: 0
                site.candidate_prior = [0.0, 0.0]
                kept[id(site)] = (site, batch.hidden[batch.row(site.window)].clone())
                restore_sites(lm, [site], batch, {})

    scored = score(lm, engine.loaded.candidates, [ARTICLE, ARTICLE], on_batch=on_batch)
    assert len({s.window for s, _ in kept.values()}) > 1, "sites in more than one window"
    for site, hidden in kept.values():
        ids = scored.windows[site.window].ids
        t0, t1 = site.tokens
        logp = lm.log_probs(hidden)
        expected = sum(float(logp[t - 1, ids[t]]) for t in range(t0 + 1, min(t1 + RIGHT_TOKENS, len(ids))))
        (own, own_lp), (other, other_lp) = site.restored
        assert own == site.text and own_lp == pytest.approx(expected, abs=2e-3)
        site.restored = None  # as for a site the pass did not restore: its window is passed again
        k = scored.sites.index(site)
        restore(lm, scored, [k], 3, {}, engine.loaded.candidates)
        assert [lp for _, lp in site.restored] == pytest.approx([own_lp, other_lp], abs=2e-3)


def test_answer_offsets_text_and_suggestion_case(engine):
    text = "😀 Final month the officers left. 😀 The final month was calm."
    answer = engine.answer([text], threshold=0.0)
    spans = answer["paragraphs"][0]["spans"]
    assert spans, "threshold 0 marks every site"
    for span in spans:
        assert text[span["start"] : span["end"]] == span["text"]
        assert 1 <= len(span["suggestions"]) <= 3
    final = next(s for s in spans if s["text"].startswith("Final"))
    assert all(s["text"][0].isupper() for s in final["suggestions"])
    assert [s["start"] for s in spans] == sorted(s["start"] for s in spans)
    assert all(a["end"] <= b["start"] for a, b in zip(spans, spans[1:]))


def test_summary_verdict_follows_the_marks(engine):
    none = engine.answer(["The cat sat on the mat."], threshold=1.0)
    assert none["summary"]["spans"] == 0 and none["summary"]["verdict"] == "no sign of spinning"
    some = engine.answer([ARTICLE], threshold=0.0)
    assert some["summary"]["spans"] > 0 and some["summary"]["verdict"] in ("likely spun", "possibly spun")
    assert some["summary"]["spun_words"] == sum(p["spun_words"] for p in some["paragraphs"])


@pytest.mark.parametrize("threshold", [None, 0.0, 0.3, 0.62, 1.0])
def test_the_summary_counts_the_words_marked_at_every_point_of_the_scale(engine, threshold):
    """What the popup's sensitivity scale shows before the reader lets go: each point's count is
    what an analysis at that threshold marks (the entry at the asked threshold, and a few others
    asked again), highest threshold first."""
    answer = engine.answer([ARTICLE], threshold=threshold, ignore=("officers",))
    counts = answer["summary"]["spun_words_by_threshold"]
    thresholds = [c["threshold"] for c in counts]
    default = engine.loaded.decision.threshold
    assert thresholds == sorted(set(thresholds), reverse=True)
    assert set(SCALE) | {default, default if threshold is None else threshold} == set(thresholds)
    by = {c["threshold"]: c["spun_words"] for c in counts}
    assert by[default if threshold is None else threshold] == answer["summary"]["spun_words"]
    for t in (0.05, 0.5, 0.95):
        again = engine.answer([ARTICLE], threshold=t, ignore=("officers",))
        assert by[t] == again["summary"]["spun_words"]
    assert [by[t] for t in thresholds] == sorted(by.values())  # more sensitive, never fewer words


def test_paragraph_score_is_the_mean_of_the_top_tenth():
    assert paragraph_score(np.zeros(0)) == 0.0
    assert paragraph_score(np.array([0.0] * 19 + [1.0])) == 0.5


def test_candidate_table_round_trip(tmp_path):
    table = CandidateTable({"final": [("last", -1.0), ("concluding", -2.0)], "in accordance with": [("according to", 0.5)]})
    table.save(tmp_path / "c.tsv.gz")
    again = CandidateTable.read(tmp_path / "c.tsv.gz")
    assert len(again) == 2
    assert again.lookup("Final") == [("last", -1.0), ("concluding", -2.0)]
    assert again.lookup("in accordance with") == [("according to", 0.5)]
    assert again.lookup("missing") == []


def test_load_model_refuses_a_folder_without_a_model(tmp_path):
    with pytest.raises(FileNotFoundError, match="no Unspin model"):
        load_model(tmp_path)


def test_load_model_refuses_a_detector_of_other_features(tiny_model, tmp_path):
    import json
    import shutil

    copy = shutil.copytree(tiny_model, tmp_path / "m")
    config = json.loads((copy / "config.json").read_text())
    config["unspin"]["features"] = ["something", "else"]
    (copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="other features"):
        Engine.load(copy)


@pytest.mark.timeout(60)  # quadratic scanning of these texts takes hours
def test_protected_text_is_found_without_quadratic_backtracking():
    """URLs, e-mail addresses, handles, hashtags and code are found, and 200,000 characters of a
    hostile page without any of them are scanned in linear time."""
    from unspin.text import protected_ranges

    text = "mail jane.doe+news@example.co.uk, https://example.org/a?b=1 @unspin #spin `code` www.x.org"
    assert [text[a:b] for a, b in protected_ranges(text)] == [
        "jane.doe+news@example.co.uk", "https://example.org/a?b=1", "@unspin", "#spin", "`code`", "www.x.org"]
    for hostile in ("😀" * 200_000, "a" * 200_000, "a." * 100_000):
        assert protected_ranges(hostile) == []


def test_a_language_model_file_with_another_hash_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    from unspin.lm import convert as conversion

    impostor = tmp_path / conversion.GGUF_NAME
    impostor.write_bytes(b"GGUF" + bytes(64))  # a GGUF header, not the expected file
    monkeypatch.setattr(conversion, "gguf_path", lambda: impostor)
    with pytest.raises(conversion.LanguageModelMissing, match=f"expected {conversion.GGUF_SHA256}.*not loaded"):
        conversion.convert(tmp_path / "converted")
    assert not (tmp_path / "converted").exists() and not (tmp_path / "converted.tmp").exists()


def test_invisible_characters_inside_words_are_read_past(engine):
    # Web pages put soft hyphens and zero-width characters inside words: the marks and their
    # suggestions are those of the plain text, each mark covering the whole word as written.
    plain = "Russia requested army gear and help for the warfare final month, in accordance with officers."
    hidden = (plain.replace("warfare", "war\u00adfare").replace("final", "fi\u200bnal")
              .replace("officers", "offi\u2060cers").replace("army", "ar\u200dmy"))
    expected = engine.answer([plain], threshold=0.0)["paragraphs"][0]["spans"]
    got = engine.answer([hidden], threshold=0.0)["paragraphs"][0]["spans"]
    assert {"warfare", "final", "officers"} <= {w for s in expected for w in s["text"].split()}  # runs: one mark
    assert [INVISIBLE_RE.sub("", s["text"]) for s in got] == [s["text"] for s in expected]
    assert [s["suggestions"] for s in got] == [s["suggestions"] for s in expected]
    for span in got:
        assert hidden[span["start"]:span["end"]] == span["text"]
    assert {"war\u00adfare", "fi\u200bnal", "offi\u2060cers"} <= {w for s in got for w in s["text"].split()}


def test_combining_marks_stay_inside_their_word():
    assert [w.text for w in words("a cafe\u0301 au lait")] == ["a", "cafe\u0301", "au", "lait"]


def test_ignored_wordings_are_never_flagged(engine):
    text = "Russia requested army gear and help for the warfare final month, in accordance with officers."
    marked = {w for s in engine.answer([text], threshold=0.0)["paragraphs"][0]["spans"] for w in s["text"].split()}
    assert {"warfare", "officers"} <= marked
    answer = engine.answer([text], threshold=0.0, ignore=("WARFARE", "  Officers "))
    kept = [s["text"] for s in answer["paragraphs"][0]["spans"]]
    assert kept and not {"warfare", "officers"} & {w for k in kept for w in k.lower().split()}
    assert answer["summary"]["spans"] == len(kept)
    # a phrase that contains an ignored word is not flagged either
    assert not any("final" in s for s in {s["text"] for s in engine.answer(
        [text], threshold=0.0, ignore=("final",))["paragraphs"][0]["spans"]})


def test_adjacent_marked_words_are_one_mark_when_joined(engine):
    """Marked one-word sites next to each other are restored one by one and together (restore.runs,
    restore.merge); they are one mark, whose suggestions combine their candidates, exactly when
    restore.joined says so, else a mark each; a run restored during the scoring pass and one
    restored after it get the same marks and scores."""
    from dataclasses import replace

    paragraph = "The army held a final warfare drill in the hills."  # table: final -> last, concluding; warfare -> war
    lm, continuation, table = engine.loaded.lm, engine.loaded.continuation, engine.loaded.candidates
    scored = score(lm, table, [paragraph])
    run = sorted(k for k, s in enumerate(scored.sites) if s.text in ("final", "warfare"))
    alone = [k for k, s in enumerate(scored.sites) if s.text == "army"]
    decided = replace(engine.decide(scored), marked=sorted(run + alone))
    marks = restore(lm, scored, decided.marked, 10, continuation, table)
    members = [scored.sites[k] for k in run]
    assert all(site.restored for site in members), "a run's sites are restored one by one too"
    final, warfare = (site.candidates for site in members)
    if any(m.site.text == "final warfare" for m in marks):
        assert [m.site.text for m in marks] == ["army", "final warfare"]
        joint = marks[1]
        assert joint.sites == tuple(run) and (joint.site.start, joint.site.end) == (16, 29)
        assert joined(table, members, joint.site)
        texts = [s["text"] for s in joint.suggestions]
        assert set(texts) <= {f"{a} {b}" for a in final[:JOINT_PER_SITE] for b in warfare[:JOINT_PER_SITE]}
    else:
        assert [m.site.text for m in marks] == ["army", "final", "warfare"]
        whole = merge(members, continuation)
        marks_again = restore(lm, replace(scored, merged={(0, *whole.words): whole}), run, 10, continuation, table)
        assert not joined(table, members, whole) and len(marks_again) == 2

    merged = {}

    def on_batch(sites, batch):  # as the engine's scoring pass does for the runs it expects
        keep = [s for s in sites if s.text in ("final", "warfare")]
        restore_sites(lm, keep, batch, continuation)
        site = merge(keep, continuation)
        restore_sites(lm, [site], batch, continuation)
        merged[(site.paragraph, *site.words)] = site

    during = score(lm, table, [paragraph], continuation, on_batch=on_batch)
    during.merged = merged
    again = restore(lm, during, run, 10, continuation, table)
    before = [m for m in marks if m.site.text != "army"]
    assert [m.site.text for m in again] == [m.site.text for m in before]
    for a, b in zip(again, before):
        assert [s["text"] for s in a.suggestions] == [s["text"] for s in b.suggestions]
        assert [s["score"] for s in a.suggestions] == pytest.approx([s["score"] for s in b.suggestions], abs=2e-3)


def test_a_run_is_joined_when_its_wording_is_a_key_or_reads_better_together():
    """restore.joined: a table key, or a joint best wording other than the words' own best ones."""
    from unspin.engine.score import Site

    def site(text, restored):
        return Site(0, (0, 1), 0, len(text), text, 0, (0, 1), [], [], [], np.zeros(0), restored)

    table = CandidateTable({"army gear": [("military equipment", -1.0)]})
    following, binary = site("following", [("after", -1.0), ("next", -2.0)]), site("binary", [("double", -1.0)])
    together = site("following binary", [("after double", -5.0), ("next double", -6.0)])
    assert not joined(table, [following, binary], together)  # the same words either way: a mark each
    together.restored = [("after double", -5.0), ("next double", -4.0)]
    assert joined(table, [following, binary], together)  # together, another wording reads better
    army, gear = site("army", [("military", -1.0)]), site("gear", [("equipment", -1.0)])
    assert joined(table, [army, gear], site("army gear", [("military equipment", -9.0)]))  # a key

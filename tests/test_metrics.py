"""Word figures per profile group, profile and stratum, and the false-highlight targets (metrics.py)."""

from unspin.scripts.evaluation.metrics import meets_false_highlight_targets, word_metrics


def article(profiles, gold, marked, short, density, words=None):
    return {"words": words or [20] * len(profiles), "profiles": profiles, "gold": gold, "marked": marked,
            "short": short, "density": density}


def test_strata_count_every_word_of_a_spun_page_and_clean_short_texts_count_marks():
    articles = [
        # a short, lightly spun page: one of its two substituted words marked, and a mark in its
        # untouched paragraph, which counts against the strata's precision
        article(["moby-common", "clean"], [[3, 7], []], [(0, 3, 4), (1, 5, 6)], True, "light"),
        # a long page spun at the profile's rate: both words found
        article(["ppdb-heldout"], [[1, 2]], [(0, 1, 3)], False, "normal", [400]),
        # clean short texts: one with a false mark, one without
        article(["clean"], [[]], [(0, 2, 3)], True, "none", [50]),
        article(["clean"], [[]], [], True, "none", [50]),
    ]
    m = word_metrics(articles)
    assert m["strata"]["short"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "gold_words": 2}
    assert m["strata"]["short or light"]["recall"] == 0.5 and "partial" not in m["strata"]
    assert m["strata"]["long, normal"]["recall"] == 1.0
    assert m["training profiles"]["precision"] == 1.0  # spun paragraphs only
    assert m["profiles"]["ppdb-heldout"]["f1"] == 1.0
    assert m["false_highlights_per_1000_words"] == 10.0 and m["false_marks_per_20_clean_short_texts"] == 10.0
    assert m["clean_short_texts"] == 2 and not meets_false_highlight_targets(m)
    assert meets_false_highlight_targets(word_metrics(articles[:2] + articles[3:]))

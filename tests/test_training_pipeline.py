"""Data -> candidates -> training -> model -> evaluation -> benchmark, end to end on fixture data.

Slow-ish (a few minutes on 2 cores): every stage runs the real language model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unspin.cli import main
from unspin.engine.engine import Engine
from unspin.feedback import FeedbackStore
from unspin.scripts.data.candidates import PHRASE_MAP, build_candidate_table
from unspin.scripts.data.thesauri import load_moby, load_mythes, mine_tortured
from unspin.scripts.evaluation.metrics import GROUPS
from unspin.scripts.training.train import RANKER_WEIGHTS

DATA = Path(__file__).parent / "fixtures" / "data"


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """The candidate table of the fixture thesauri and real pairs, written to a file."""
    real = [PHRASE_MAP, mine_tortured(DATA / "tortured_tiny.tsv")]
    table = build_candidate_table([load_moby(DATA / "moby_tiny.txt"), load_mythes(DATA / "mythes_tiny.dat")], real,
                                  min_zipf=0)
    path = tmp_path_factory.mktemp("table") / "candidates.tsv.gz"
    table.save(path)
    return table, path


@pytest.fixture(scope="module")
def trained(tmp_path_factory, table):
    root = tmp_path_factory.mktemp("pipeline")
    data, model = root / "data", root / "model"
    # Seed 6 puts a paragraph spun by the held-out profile into the test split of these fixtures.
    assert main(["dataset", "--corpus", str(DATA / "corpus_tiny.jsonl"), str(DATA / "reuters_tiny.jsonl"),
                 str(DATA / "news_small.jsonl"), "--out", str(data), "--seed", "6", "--rate", "0.4",
                 "--moby", str(DATA / "moby_tiny.txt"), "--mythes", str(DATA / "mythes_tiny.dat"),
                 "--ppdb", str(DATA / "ppdb_tiny.txt"), "--tortured", str(DATA / "tortured_tiny.tsv")]) == 0
    assert main(["train", "--data", str(data), "--out", str(model), "--quick", "--candidates", str(table[1])]) == 0
    return data, model, root


def test_candidate_table_reverses_thesauri_inflects_and_keeps_real_pairs(table):
    table, _ = table
    # Moby lists "final" under "last": the spun word maps back to its headword, in every form.
    assert "last" in [c for c, _ in table.lookup("final")]
    assert "officials" in [c for c, _ in table.lookup("officers")]  # official -> officer, plural
    assert "said" in [c for c, _ in table.lookup("stated")]  # say -> state, past tense
    # A real pair (mined from tortured phrases, or the phrase map) outranks thesaurus-only originals.
    assert table.lookup("in accordance with")[0][0] == "according to"
    assert table.lookup("region")[0][0] == "area"  # "surface region" <- "surface area"
    for key in ("final", "officers", "stated", "region"):
        priors = [p for _, p in table.lookup(key)]
        assert priors and priors == sorted(priors, reverse=True)  # best first


def test_quick_training_writes_a_servable_model(trained):
    _, model, _ = trained
    assert {"config.json", "detector.txt", "ranker.txt", "candidates.tsv.gz", "README.md"} <= {
        p.name for p in model.iterdir()}
    config = json.loads((model / "config.json").read_text())["unspin"]
    assert config["ranker_weight"] in RANKER_WEIGHTS and Engine.load(model).loaded.ranker is not None
    decision = config["decision"]
    assert 0 < decision["spun_threshold"] <= decision["threshold"] < 1 and decision["evidence"] > 0
    assert "dev" in config["metrics"] and "training" in config["metrics"]
    assert "## Measured" in (model / "README.md").read_text()
    answer = Engine.load(model).answer(["Officials said the war would end final month."])
    assert answer["paragraphs"][0]["words"] == 8


def test_training_resumes_from_the_features_already_scored(trained, table, capsys):
    data, model, _ = trained
    assert main(["train", "--data", str(data), "--out", str(model), "--quick", "--candidates", str(table[1])]) == 0
    printed = capsys.readouterr().out
    assert "0 to go" in printed and "scoring" not in printed


def test_evaluate_reports_both_profile_groups_and_the_real_inputs(trained, capsys):
    data, model, root = trained
    out = root / "metrics.json"
    assert main(["evaluate", "--data", str(data), "--model", str(model), "--articles", "6", "--profile-articles", "6",
                 "--out", str(out), "--tortured", str(DATA / "tortured_tiny.tsv"), "--update-card"]) == 0
    metrics = json.loads(out.read_text())
    test = metrics["test"]
    # Half held-out-spun and half clean test articles, plus any spun by the training profiles (the
    # fixture data's test split has none).
    assert {GROUPS[1], "false_highlights_per_1000_words", "restoration", "verdicts", "calibration"} <= set(test)
    assert 1 <= test["articles"] <= 12
    calibration = test["calibration"]
    assert calibration["sites"] > 10 and 0 <= calibration["sites_ece"] <= 1
    coverage = test["coverage"][GROUPS[1]]
    assert coverage["spans"] > 0
    assert max(coverage["original_among_candidates"], coverage["original_among_open_candidates"]) \
        <= coverage["original_among_either"] <= 1
    assert all((model / name).stat().st_size > 1000 for name in test["plots"])  # the PNGs, beside the card
    assert metrics["real_inputs"]["real paragraph"]["of"] == 7
    assert metrics["real_inputs"]["real-pair sentences together"]["substituted_words"] == 15
    assert metrics["tortured_pairs"]["n"] > 0
    assert {"strata", "profiles", "suggestions", "false_marks_per_20_clean_short_texts"} <= set(test)
    assert test["suggestions"]["marks"] == 0 or 0 <= test["suggestions"]["unrelated"] <= 1
    assert metrics["tortured_in_sentences"]["sentences"] >= 0
    for figures in test["restoration"].values():  # the one held-out span here is seldom marked: see below
        assert_restoration(figures)
    card = (model / "README.md").read_text()
    assert "### test" in card and "real inputs" in card and "![reliability](reliability.png)" in card


def assert_restoration(figures: dict, at_least: int = 0) -> None:
    """A group's restoration figures are well formed: top-1 and top-3 shares in [0, 1] (top-1 no
    more than top-3) over the correctly detected spans, none without such spans."""
    spans = figures["detected_spans"]
    assert isinstance(spans, int) and spans >= at_least, figures
    if spans == 0:
        assert figures["top1"] is None and figures["top3"] is None, figures
    else:
        assert 0 <= figures["top1"] <= figures["top3"] <= 1, figures


def test_evaluate_restores_the_spans_it_detects(trained):
    # The fixture data's test split holds one spun paragraph, which a quick model seldom marks, so
    # restoration is measured on the training split's spun articles (seen in training: this checks
    # restoration and its measurement, not how well they generalise). Leaving every mark's spun
    # wording as it is restores none: the quick model restored all 6 of the 6 spans it detected
    # (every run measured); two misses still pass.
    data, model, root = trained
    out = root / "metrics-train.json"
    assert main(["evaluate", "--data", str(data), "--model", str(model), "--split", "train", "--articles", "0",
                 "--profile-articles", "12", "--out", str(out)]) == 0
    restoration = json.loads(out.read_text())["test"]["restoration"]
    assert set(restoration) == {GROUPS[0]}  # the held-out profiles spin the test split only
    figures = restoration[GROUPS[0]]
    assert_restoration(figures, at_least=4)
    assert figures["top1"] >= 2 / 3 and figures["top3"] >= 2 / 3, figures


def test_bench_prints_speed_memory_and_the_fp32_yardstick(trained, capsys):
    _, model, _ = trained
    assert main(["bench", "--model", str(model), "--runs", "1", "--long-words", "1500", "--soak", "12",
                 "--token-limit"]) == 0
    printed = capsys.readouterr().out
    figures = json.loads(printed[printed.rindex("\n{") + 1 :])
    assert figures["words"] >= 1000 and figures["runs"] == 1 and figures["cold_start_s"] > 0
    assert figures["precision"] in ("fp32", "bf16", "autocast", "int8") and figures["precision_why"]
    for kind in ("article", "spun"):
        measured = figures[kind]
        assert measured["analysis_median_ms"] > 0 and measured["fp32_forward_median_ms"] > 0
        assert measured["ratio_to_fp32_forward"] == pytest.approx(
            measured["analysis_median_ms"] / measured["fp32_forward_median_ms"], abs=0.002)
    assert figures["long"]["words"] >= 1500 and figures["long"]["peak_rss_mb"] > 0
    assert figures["soak"]["analyses"] == 12 and figures["soak"]["rss_after_all_mb"] > 0
    from unspin.config import DEFAULTS

    assert set(figures["token_limit"]) == {"english", "cjk", "plane 2"}
    for script, measured in figures["token_limit"].items():  # just under the limit, and within the deadline
        assert 0.9 * DEFAULTS["MAX_TOKENS"] < measured["tokens"] <= DEFAULTS["MAX_TOKENS"], script
        assert measured["outcome"].startswith(("answered", "abandoned")) and measured["peak_rss_mb"] > 0
        assert measured["s"] < DEFAULTS["ANALYSIS_DEADLINE_S"] + 30, measured


def test_retraining_on_a_dismissal_stops_flagging_that_word(trained, table, tmp_path, capsys):
    # A reader dismissed "Officers" in a clean sentence; a --quick retrain with that correction
    # must stop flagging it there, and `evaluate --feedback --baseline` shows the change.
    data, model, _ = trained
    sentence = "Officers from the tactical unit fired at the suspect's car."
    FeedbackStore(tmp_path / "corrections").add(sentence, 0, 8, "not_spun")

    def officers(folder):
        engine = Engine.load(folder)
        marked = [s["text"] for s in engine.answer([sentence], threshold=0.5)["paragraphs"][0]["spans"]]
        scored = engine.score([sentence])
        p = engine.decide(scored).probabilities[[s.text for s in scored.sites].index("Officers")]
        return marked, float(p)

    marked, before = officers(model)
    assert marked == ["Officers"], before
    retrained = tmp_path / "retrained"
    assert main(["train", "--data", str(data), "--out", str(retrained), "--quick", "--candidates", str(table[1]),
                 "--feedback", str(tmp_path / "corrections")]) == 0
    assert "1 corrections to learn from (0 held out)" in capsys.readouterr().out
    marked, after = officers(retrained)
    assert marked == [] and after < before / 3, (before, after)
    assert json.loads((retrained / "config.json").read_text())["unspin"]["metrics"]["training"]["feedback_sites"] == 1

    out = tmp_path / "metrics.json"
    assert main(["evaluate", "--model", str(retrained), "--baseline", str(model), "--out", str(out),
                 "--feedback", str(tmp_path / "corrections")]) == 0
    printed = capsys.readouterr().out
    assert "too few to hold any out" in printed and "before -> after" in printed
    figures = json.loads(out.read_text())
    assert figures["feedback"]["dismissed"] == 1 and figures["baseline"]["feedback"]["dismissed"] == 1
    assert "real_inputs" in figures["baseline"]


def test_confirmed_originals_join_the_candidate_table(trained, table, tmp_path):
    data, _, _ = trained
    sentence = "The war ended final month, the agency said."
    store = FeedbackStore(tmp_path / "corrections")
    store.add(sentence, sentence.index("agency"), sentence.index("agency") + 6, "spun", "bureau")
    retrained = tmp_path / "retrained"
    assert main(["train", "--data", str(data), "--out", str(retrained), "--quick", "--candidates", str(table[1]),
                 "--feedback", str(tmp_path / "corrections")]) == 0
    assert Engine.load(retrained).loaded.candidates.lookup("agency")[0][0] == "bureau"


def test_a_crafted_original_cannot_rewrite_the_candidate_table(trained, table, tmp_path, capsys):
    # Security review: "last\nmonth\thijacked" as an original (the API now refuses it; a store
    # written by an older version or an export edited by hand may still hold it) became new lines
    # and fields of the table: lookup("month") gave "hijacked", lookup("final") raised.
    data, model, _ = trained
    sentence = "The war ended final month, the agency said."
    store = FeedbackStore(tmp_path / "corrections")
    store.add(sentence, sentence.index("final"), sentence.index("final") + 5, "spun", "last\nmonth\thijacked")
    store.add(sentence, sentence.index("agency"), sentence.index("agency") + 6, "spun", "bureau")
    before = Engine.load(model).loaded.candidates
    retrained = tmp_path / "retrained"
    assert main(["train", "--data", str(data), "--out", str(retrained), "--quick", "--candidates", str(table[1]),
                 "--feedback", str(tmp_path / "corrections")]) == 0
    assert "1 correction(s) with control or invisible characters left out" in capsys.readouterr().err
    after = Engine.load(retrained)  # the folder loads
    assert after.loaded.candidates.lookup("agency")[0][0] == "bureau"  # the good correction still counts
    for key in ("month", "final", "last", "war"):
        assert after.loaded.candidates.lookup(key) == before.lookup(key)
    assert all("hijacked" not in wording for wording in after.loaded.continuation)
    after.answer([sentence])  # no 500 for text with that wording

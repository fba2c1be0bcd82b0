"""Data -> training -> model -> evaluation -> benchmark, end to end on fixture data (`--quick`).

Slow-ish (about a minute on 2 cores): it fine-tunes the real base encoder for a few steps.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unspin.cli import main
from unspin.engine import Engine
from unspin.scripts.candidates import build_candidate_table
from unspin.scripts.thesauri import load_moby, load_mythes

DATA = Path(__file__).parent / "fixtures" / "data"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    data, model = root / "data", root / "model"
    # Seed 6 puts a paragraph spun by the held-out profile into the test split of these fixtures.
    assert main(["dataset", "--corpus", str(DATA / "corpus_tiny.jsonl"), str(DATA / "reuters_tiny.jsonl"),
                 str(DATA / "news_small.jsonl"), "--out", str(data), "--seed", "6", "--rate", "0.4",
                 "--moby", str(DATA / "moby_tiny.txt"), "--mythes", str(DATA / "mythes_tiny.dat"),
                 "--ppdb", str(DATA / "ppdb_tiny.txt"), "--tortured", str(DATA / "tortured_tiny.tsv")]) == 0
    table = build_candidate_table([load_moby(DATA / "moby_tiny.txt"), load_mythes(DATA / "mythes_tiny.dat")], min_zipf=0)
    table.save(root / "candidates.tsv.gz")
    assert main(["train", "--data", str(data), "--out", str(model), "--quick", "--candidates",
                 str(root / "candidates.tsv.gz"), "--checkpoints", str(root / "ckpt")]) == 0
    return data, model, root


def test_candidate_table_reverses_and_inflects(trained):
    _, model, _ = trained
    from unspin.model import load_model

    table = load_model(model).candidates
    assert len(table) > 0
    # every key maps to originals, best first
    assert all(p >= q for key in ("stated",) for (_, p), (_, q) in zip(table.lookup(key), table.lookup(key)[1:]))


def test_quick_training_writes_a_servable_model(trained):
    _, model, root = trained
    assert {"config.json", "model.safetensors", "tokenizer.json", "candidates.tsv.gz", "README.md"} <= {
        p.name for p in model.iterdir()
    }
    assert (root / "ckpt" / "checkpoint.pt").exists()
    config = json.loads((model / "config.json").read_text())["unspin"]
    assert 0 < config["threshold"] < 1
    assert "dev" in config["metrics"] and "training" in config["metrics"]
    assert "## Measured" in (model / "README.md").read_text()
    [result] = Engine.load(model).analyze(["Officials said the war would end final month."])
    assert result["words"] == 8


def test_resume_continues_from_the_checkpoint(trained, capsys):
    data, model, root = trained
    assert main(["train", "--data", str(data), "--out", str(model), "--quick", "--resume", "--steps", "32",
                 "--candidates", str(root / "candidates.tsv.gz"), "--checkpoints", str(root / "ckpt")]) == 0
    assert "resumed from" in capsys.readouterr().out
    import torch

    assert torch.load(root / "ckpt" / "checkpoint.pt", weights_only=False)["step"] == 32


def test_evaluate_reports_every_profile_and_the_heldout_one(trained, capsys):
    data, model, root = trained
    out = root / "metrics.json"
    assert main(["evaluate", "--data", str(data), "--model", str(model), "--out", str(out),
                 "--tortured", str(DATA / "tortured_tiny.tsv"), "--update-card"]) == 0
    printed = capsys.readouterr().out
    metrics = json.loads(out.read_text())
    assert "held-out profiles" in metrics["profiles"] and "held-out profiles" in printed
    for m in metrics["profiles"].values():
        assert set(m) >= {"word", "span", "false_highlights_per_1000_words", "paragraph_auc",
                          "restoration_gold_spans", "restoration_detected_spans"}
    assert metrics["tortured_pairs"]["n"] > 0
    assert "### test" in (model / "README.md").read_text()


def test_calibrate_on_dev_stores_the_threshold(trained):
    data, model, _ = trained
    assert main(["evaluate", "--data", str(data), "--model", str(model), "--split", "dev", "--calibrate"]) == 0
    config = json.loads((model / "config.json").read_text())["unspin"]
    assert config["threshold"] == config["metrics"]["dev"]["threshold"]


def test_bench_prints_speed_and_memory(trained, capsys):
    _, model, _ = trained
    assert main(["bench", "--model", str(model), "--runs", "2"]) == 0
    printed = capsys.readouterr().out
    figures = json.loads(printed[printed.index("{"):])
    assert figures["words"] >= 1000 and figures["runs"] == 2
    assert figures["analysis_median_ms"] > 0 and figures["raw_fp32_encoder_median_ms"] > 0
    assert figures["peak_rss_mb"] > 0 and figures["model_folder_mb"] > 0

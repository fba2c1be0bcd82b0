"""The inference engine's pieces: windows, word/token alignment, span grouping, scores, model files."""

from __future__ import annotations

import pytest

from unspin.engine import Engine, group_spans, paragraph_score, verdict, windows, word_tokens
from unspin.model import CandidateTable, load_model
from unspin.text import words


def test_windows_cover_every_token_with_overlap():
    assert windows(10, 64, 16) == [(0, 10)]
    spans = windows(300, 64, 16)
    assert spans[0][0] == 0 and spans[-1][1] == 300
    assert all(b - a == 64 for a, b in spans)
    assert all(nxt[0] <= cur[1] - 16 for cur, nxt in zip(spans, spans[1:]))


def test_word_tokens_skip_punctuation_and_emoji():
    text = "Final month, 😀 officers."
    paragraph_words = words(text)
    # tokens: final | month | , | [UNK] (emoji) | officers | .
    offsets = [(0, 5), (6, 11), (11, 12), (13, 14), (15, 23), (23, 24)]
    assert word_tokens(paragraph_words, offsets) == [[0], [1], [4]]


def test_group_spans_joins_neighbours_but_not_across_punctuation_or_new_spans():
    text = "tons of or hundreds, final month"
    w = words(text)
    spun = [0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
    begins = [True, False, False, False, False, True]
    assert group_spans(text, w, spun, begins, 0.5) == [[0, 1, 2, 3], [4], [5]]
    assert group_spans(text, w, [0.1] * 6, begins, 0.5) == []


def test_paragraph_score_and_verdict():
    assert paragraph_score([]) == 0.0
    assert paragraph_score([0.0] * 19 + [1.0]) == 0.5  # top tenth = 2 words
    assert verdict(0.9) == "likely spun" and verdict(0.35) == "possibly spun" and verdict(0.1) == "no sign of spinning"


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


def test_long_paragraph_is_windowed_not_truncated(engine):
    """The tiny model's windows hold 62 tokens: a 600-word paragraph needs many."""
    text = " ".join(["officers final month said the agency"] * 100)
    [result] = engine.analyze([text], threshold=0.0)
    assert result["words"] == 600
    assert result["spun_words"] == 600  # threshold 0: every word flagged, the last ones too
    assert result["spans"][-1]["end"] == len(text)


def test_table_suggestions_keep_capitalisation(engine):
    [result] = engine.analyze(["Final"], threshold=0.0)
    [span] = result["spans"]
    assert [s["text"] for s in span["suggestions"]] == ["Last", "Concluding"]
    assert abs(sum(s["score"] for s in span["suggestions"]) - 1.0) < 1e-3


def test_fallback_suggestions_never_repeat_the_spun_word(engine):
    [result] = engine.analyze(["warfare"], threshold=0.0, max_suggestions=10)
    suggestions = [s["text"].lower() for s in result["spans"][0]["suggestions"]]
    assert len(suggestions) == 10 and "warfare" not in suggestions


def test_summary_is_word_weighted(engine):
    results = [
        {"score": 1.0, "words": 30, "spun_words": 6, "spans": [{}] * 4},
        {"score": 0.0, "words": 10, "spun_words": 0, "spans": []},
    ]
    summary = Engine.summarize(results)
    assert summary == {"paragraphs": 2, "words": 40, "spans": 4, "spun_words": 6, "spun_ratio": 0.15,
                       "score": 0.75, "verdict": "likely spun"}


def test_a_paragraph_scores_the_same_whatever_its_request_mates(engine):
    """Regression: batch-wide activation scales of the int8 encoder made results depend on
    the other paragraphs of the request (and the cache kept whichever came first)."""
    engine.cache_size = 0
    try:
        alone = engine.analyze(["Officials said the war would end final month."], threshold=0.0)[0]
        mates = engine.analyze(["A much longer paragraph about something else entirely, with many words.",
                                "Officials said the war would end final month."], threshold=0.0)[1]
    finally:
        engine.cache_size = 4096
    assert alone == {**mates, "index": 0}


def test_a_model_on_another_encoder_family_saves_loads_and_analyses(tmp_path):
    """`unspin train --base` accepts any BERT-family encoder (DistilBERT for the quire experiment)."""
    from transformers import DistilBertConfig

    from unspin.model import ModelMeta, SpinModel, default_tokenizer_file, load_tokenizer, save_model

    vocab_size = load_tokenizer(default_tokenizer_file()).get_vocab_size()
    config = DistilBertConfig(vocab_size=vocab_size, dim=32, hidden_dim=64, n_layers=2, n_heads=2, max_position_embeddings=128)
    meta = ModelMeta(name="tiny-distilbert", version="0.0.0-test", base="random", max_length=64, stride=16)
    folder = save_model(tmp_path / "distil", SpinModel(config), default_tokenizer_file(), meta, CandidateTable({}))
    loaded = load_model(folder)
    assert loaded.model.encoder.config.model_type == "distilbert"
    [result] = Engine(loaded).analyze(["Officials said the war would end final month."], threshold=0.0)
    assert result["words"] == 8 and result["spans"]


def test_load_model_refuses_weights_of_another_model(tmp_path):
    from safetensors.torch import load_file, save_file

    from unspin.model import build_tiny_model

    folder = build_tiny_model(tmp_path / "bad")
    weights = load_file(str(folder / "model.safetensors"))
    del weights["detect.weight"]
    save_file(weights, str(folder / "model.safetensors"))
    with pytest.raises(RuntimeError, match="detect.weight"):
        load_model(folder)


def test_vocabulary_guesses_fill_the_limit_even_when_the_span_s_own_words_rank_first(tmp_path):
    import torch

    from unspin.model import build_tiny_model

    engine = Engine.load(build_tiny_model(tmp_path / "tiny"), threads=1)
    spun = "alpha beta gamma delta epsilon zeta theta kappa"
    own = engine.loaded.tokenizer.encode(spun, add_special_tokens=False).ids
    with torch.no_grad():
        engine.loaded.model.restore_bias[own] = 100.0  # the head's favourites are the span's own words
    queries = engine.loaded.model.span_queries(torch.zeros(1, engine.loaded.model.encoder.config.hidden_size))
    [guesses] = engine.vocabulary_guesses([spun], queries, 10)
    assert len(guesses) == 10
    assert not {engine.loaded.tokenizer.token_to_id(word) for word, _ in guesses} & set(own)

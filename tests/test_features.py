"""Label alignment between dataset spans, words and sub-word tokens (what training learns from)."""

from __future__ import annotations

import random

import pytest

from unspin.model import LABELS, load_tokenizer
from unspin.model import default_tokenizer_file
from unspin.scripts.features import IGNORE, collate, encode_record, word_labels

O, B, I = (LABELS.index(x) for x in "OBI")


def record(text: str, *phrases: tuple[str, str]) -> dict:
    spans = []
    for spun, original in phrases:
        start = text.index(spun)
        spans.append({"start": start, "end": start + len(spun), "text": spun, "original": original})
    return {"text": text, "spans": sorted(spans, key=lambda s: s["start"])}


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(default_tokenizer_file())


def test_word_labels_multiword_and_emoji():
    r = record("😀 Tons of or hundreds died final month.", ("Tons of or hundreds", "hundreds or thousands"), ("final", "last"))
    assert word_labels(r["text"], r["spans"]) == [B, I, I, I, O, B, O]


def test_encode_record_labels_first_subtoken_only(tokenizer):
    r = record("The unbelievably nationwide adviser “stated” it.", ("nationwide", "national"))
    example = encode_record(tokenizer, r, 128, 0.0, random.Random(0))
    tokens = [tokenizer.id_to_token(i) for i in example.input_ids]
    labelled = {tokens[i]: label for i, label in enumerate(example.labels) if label != IGNORE}
    assert labelled["nationwide"] == B and labelled["adviser"] == O and labelled["the"] == O
    assert sum(1 for label in example.labels if label != IGNORE) == 6  # one per word
    [span] = example.spans
    assert [tokens[t] for t in span.tokens] == ["nationwide"] and span.original == "national"


def test_masking_targets_clean_words_only(tokenizer):
    r = record("army gear and help for the war in the east", ("army gear", "military equipment"))
    example = encode_record(tokenizer, r, 128, 1.0, random.Random(0))  # mask every clean word
    mask_id = tokenizer.token_to_id("[MASK]")
    tokens = [tokenizer.id_to_token(i) for i in example.input_ids]
    assert tokens[1:3] == ["army", "gear"]  # spun words stay visible
    assert all(i == mask_id for i in example.input_ids[3:-1])
    assert [tokenizer.id_to_token(t) for t in example.mlm_targets[3:-1]] == "and help for the war in the east".split()


def test_collate_pads_to_longest(tokenizer):
    rng = random.Random(0)
    examples = [encode_record(tokenizer, record(t), 128, 0.0, rng) for t in ("one two", "one two three four")]
    batch = collate(examples)
    assert batch["input_ids"].shape == (2, 6)
    assert batch["attention_mask"].sum().item() == 4 + 6
    assert (batch["labels"][0, 4:] == IGNORE).all()

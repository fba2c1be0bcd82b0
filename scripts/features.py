"""Dataset records -> model inputs: token ids, O/B/I labels, masked-LM targets, restoration targets.

Module-level functions so the tests can pin label alignment without running a training loop.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import torch
from tokenizers import Tokenizer

from unspin.model import LABELS
from unspin.text import words

IGNORE = -100
NOT_IN_TABLE_PRIOR = -5.0  # prior given to a true original the candidate table does not know


@dataclass
class SpanTarget:
    """One spun span of a training example: its token positions and what it replaced."""

    tokens: list[int]  # positions in the example's input_ids
    spun: str
    original: str


@dataclass
class Example:
    input_ids: list[int]
    labels: list[int]  # O/B/I per first sub-token of each word, IGNORE elsewhere
    mlm_targets: list[int]  # original token id where a clean word was masked, IGNORE elsewhere
    spans: list[SpanTarget] = field(default_factory=list)


def word_labels(text: str, spans: list[dict]) -> list[int]:
    """O/B/I label of every word of `text` (unspin.text.words) given code-point spans."""
    labels = []
    for word in words(text):
        inside = next((s for s in spans if s["start"] <= word.start < s["end"]), None)
        if inside is None:
            labels.append(LABELS.index("O"))
        else:
            labels.append(LABELS.index("B" if word.start == inside["start"] else "I"))
    return labels


def encode_record(
    tokenizer: Tokenizer, record: dict, max_length: int, mask_prob: float, rng: random.Random
) -> Example:
    """Tokenise one record; mask a share of its clean words for the masked-LM objective."""
    text, spans = record["text"], record["spans"]
    enc = tokenizer.encode(text, add_special_tokens=False)
    ids, offsets = list(enc.ids[: max_length - 2]), enc.offsets[: max_length - 2]
    paragraph_words = words(text)
    labels_by_word = word_labels(text, spans)
    labels = [IGNORE] * len(ids)
    mlm = [IGNORE] * len(ids)
    mask_id = tokenizer.token_to_id("[MASK]")
    w = 0
    word_of_token: list[int | None] = []
    for t, (start, _) in enumerate(offsets):
        while w < len(paragraph_words) and paragraph_words[w].end <= start:
            w += 1
        inside = w < len(paragraph_words) and paragraph_words[w].start <= start
        word_of_token.append(w if inside else None)
        if inside and (t == 0 or word_of_token[t - 1] != w):
            labels[t] = labels_by_word[w]
    masked_words = {
        i for i, label in enumerate(labels_by_word) if label == LABELS.index("O") and rng.random() < mask_prob
    }
    for t, w in enumerate(word_of_token):
        if w in masked_words:
            mlm[t], ids[t], labels[t] = ids[t], mask_id, IGNORE
    span_targets = []
    for s in spans:
        tokens = [t for t, (start, _) in enumerate(offsets) if s["start"] <= start < s["end"]]
        if tokens:
            span_targets.append(SpanTarget([t + 1 for t in tokens], s["text"], s["original"]))
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    return Example(
        input_ids=[cls_id, *ids, sep_id],
        labels=[IGNORE, *labels, IGNORE],
        mlm_targets=[IGNORE, *mlm, IGNORE],
        spans=span_targets,
    )


def collate(examples: list[Example]) -> dict[str, torch.Tensor]:
    """Pad a batch to its longest example."""
    width = max(len(e.input_ids) for e in examples)

    def pad(rows: list[list[int]], value: int) -> torch.Tensor:
        return torch.tensor([row + [value] * (width - len(row)) for row in rows])

    return {
        "input_ids": pad([e.input_ids for e in examples], 0),
        "attention_mask": pad([[1] * len(e.input_ids) for e in examples], 0),
        "labels": pad([e.labels for e in examples], IGNORE),
        "mlm_targets": pad([e.mlm_targets for e in examples], IGNORE),
    }

"""The language model's own forward pass and the numeric path chosen by measurement."""

from __future__ import annotations

import json

import pytest
import torch

from unspin.lm import precision
from unspin.lm.load import load_lm
from unspin.lm.weights import WEIGHTS, read_weights


def test_the_forward_pass_is_transformers_llama(tiny_model):
    """llama.Llama gives the hidden states of transformers' LlamaModel with the same weights."""
    from transformers import LlamaConfig, LlamaModel

    folder = tiny_model / "lm"
    config = json.loads((folder / "config.json").read_text())
    ours = load_lm(folder, precision="fp32")
    reference = LlamaModel(LlamaConfig(**{k: v for k, v in config.items() if k not in ("architectures",)}))
    reference.load_state_dict({k: v.clone() for k, v in read_weights(folder / WEIGHTS["fp32"]).items()},
                              strict=False)
    reference.eval()
    ids = torch.tensor([ours.tokenizer.encode("\nThe officers said the final month was calm.").ids] * 2)
    with torch.inference_mode():
        expected = reference(input_ids=ids).last_hidden_state
        hidden, kept = ours.body(ids, keep=True)
    assert torch.allclose(hidden, expected, atol=1e-5)
    # the cached keys and values continue the text exactly as one pass over all of it
    with torch.inference_mode():
        whole, _ = ours.body(ids[:, :8])
        first, past = ours.body(ids[:, :5], keep=True)
        rest, _ = ours.body(ids[:, 5:8], positions=torch.arange(5, 8)[None].expand(2, -1),
                            mask=torch.ones(1, 1, 3, 8, dtype=torch.bool).tril(5), past=past)
    assert torch.allclose(torch.cat((first, rest), 1), whole, atol=1e-5)


def test_a_forced_path_is_served_and_an_unknown_one_refused(tiny_model, monkeypatch):
    monkeypatch.setenv("UNSPIN_PRECISION", "bf16")
    served = load_lm(tiny_model / "lm")
    assert served.precision["path"] == "bf16" and served.precision["forced"]
    assert served.head.dtype == torch.bfloat16 and served.body.dtype == torch.bfloat16
    with pytest.raises(ValueError, match="unknown precision 'fp16'"):
        load_lm(tiny_model / "lm", precision="fp16")


def test_the_served_path_is_the_fastest_that_keeps_fp32_quality():
    """On the installed SmolLM2: every path is timed, the served one passes the probe check, and
    each faster one failed it (at conversion or now)."""
    served = load_lm()
    chosen = served.precision
    assert set(chosen["estimated_ms"]) == set(precision.PATHS)
    assert chosen["path"] == "fp32" or chosen["quality"]["passes"]
    faster = [p for p in precision.PATHS if chosen["estimated_ms"][p] < chosen["estimated_ms"][chosen["path"]]]
    for path in faster:
        assert f"{path} failed the quality check" in chosen["why"]

"""A tiny model in the shipped format, for the structural tests (tests/conftest.py's `tiny_model`)."""

from __future__ import annotations

import json
from pathlib import Path


def build_tiny_model(out: str | Path, seed: int = 0) -> Path:
    """A tiny model in the shipped format for fast structural tests: a randomly initialised
    2-layer LM with SmolLM2's tokenizer (the LM package must be installed), a small candidate
    table, a detector fitted on random features and a candidate ranker that puts the table's
    candidates first. Its detections are arbitrary."""
    import lightgbm
    import numpy as np
    import shutil
    import torch
    from safetensors.torch import save_file

    from unspin.lm.llama import Llama
    from unspin.lm.convert import convert
    from unspin.lm.load import load_lm
    from unspin.engine.model import CandidateTable, ModelMeta, candidate_wordings, save_model
    from unspin.engine.ranking import RANK_FEATURES, train_ranker
    from unspin.engine.score import FEATURES

    out = Path(out)
    source = convert()
    config = json.loads((source / "config.json").read_text())
    config.update(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                  num_key_value_heads=1, head_dim=16)
    torch.manual_seed(seed)
    body = Llama(config)
    with torch.no_grad():  # transformers' initialisation of a Llama: normal(0, 0.02) matrices, unit norms
        for value in body.parameters():
            if value.dim() > 1:
                value.normal_(0.0, config["initializer_range"])
    (out / "lm").mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in body.state_dict().items()}, str(out / "lm" / "model.safetensors"))
    (out / "lm" / "config.json").write_text(json.dumps(config))
    shutil.copyfile(source / "tokenizer.json", out / "lm" / "tokenizer.json")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(400, len(FEATURES)))
    y = (x[:, 0] + 0.5 * rng.normal(size=400) > 0.8).astype(int)
    booster = lightgbm.train({"objective": "binary", "verbose": -1, "num_threads": 1}, lightgbm.Dataset(x, y), 20)
    table = CandidateTable({
        "final": [("last", 0.0), ("concluding", -1.0)],
        "officers": [("officials", 0.0), ("police officers", -0.5)],
        "warfare": [("war", 0.0)],
        "in accordance with": [("according to", 0.0)],
        "month": [("week", -1.0)],
    })
    meta = ModelMeta(name="unspin-tiny-random", version="0.0.0-test", base="random",
                     decision={"threshold": 0.9, "spun_threshold": 0.5, "evidence": 0.03, "prior_words": 100})
    tiny_lm = load_lm(out / "lm", precision="fp32")
    from unspin.engine.score import continuations

    # A ranker that learnt one thing: the candidate table's candidates before open ones (as the
    # shipped ranker mostly does), so the tiny model's suggestions are its table's.
    groups = []
    for n in rng.integers(2, 8, 200):
        x = rng.normal(size=(n, len(RANK_FEATURES)))
        x[:, RANK_FEATURES.index("open")] = np.arange(n) > 0  # the first is the table's
        groups.append((x, np.eye(n, dtype=int)[0]))
    meta.ranker_weight = 5.0
    return save_model(out, meta, booster.model_to_string(), table, continuations(tiny_lm, candidate_wordings(table)),
                      train_ranker(groups, rounds=10, threads=1))

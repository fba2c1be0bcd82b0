"""The converted language model's weights files: their names, their checksums, and reading one
into a single buffer whose views are the tensors (the weights are held once)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import torch

WEIGHTS = {"fp32": "model.safetensors", "bf16": "model.bf16.safetensors"}
CHECKSUMS = "checksums.json"  # {weights file name: sha256}, written at conversion
_DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}


class LanguageModelDamaged(ValueError):
    """A converted weights file does not match the checksum written at conversion, or is not a
    readable safetensors file."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_weights(path: Path, expected_sha256: str | None = None, names=None) -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file as views into one buffer read in one go (no memory map,
    no copies: the buffer is the only memory the weights take). names: read only these.

    expected_sha256: checked on the buffer before anything is parsed (whole-file reads only).
    Raises LanguageModelDamaged (checksum mismatch, truncated or unreadable file), OSError."""
    with open(path, "rb") as f:
        if names is not None:  # a few tensors: read the header, then each tensor's bytes
            size = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(size))
            out = {}
            for name in names:
                a, b = header[name]["data_offsets"]
                f.seek(8 + size + a)
                raw = bytearray(f.read(b - a))
                out[name] = torch.frombuffer(raw, dtype=_DTYPES[header[name]["dtype"]]).view(header[name]["shape"])
            return out
        total = os.fstat(f.fileno()).st_size
        buffer = torch.empty(total, dtype=torch.uint8)
        view = buffer.numpy().data
        read = 0
        while read < total:
            n = f.readinto(view[read:])
            if not n:
                break
            read += n
    array = buffer.numpy()
    if expected_sha256 is not None and hashlib.sha256(array.data).hexdigest() != expected_sha256:
        raise LanguageModelDamaged(f"{path} does not match the checksum written when it was converted")
    try:
        size = int.from_bytes(array[:8].tobytes(), "little")
        header = json.loads(array[8 : 8 + size].tobytes())
        header.pop("__metadata__", None)
        base = 8 + size
        tensors = {}
        for name, info in header.items():
            a, b = info["data_offsets"]
            if base + b > total:
                raise ValueError("truncated")
            tensors[name] = buffer[base + a : base + b].view(_DTYPES[info["dtype"]]).view(info["shape"])
        return tensors
    except (ValueError, KeyError, RuntimeError, UnicodeDecodeError) as exc:
        raise LanguageModelDamaged(f"{path} is not a readable weights file ({exc})") from None

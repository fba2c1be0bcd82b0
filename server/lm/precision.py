"""Which numeric path runs the language model, chosen by measurement when the LM loads.

Paths (PATHS): "fp32" (the converted weights as they are), "bf16" (weights and activations in
bfloat16; RMSNorm and log-softmax in fp32), "autocast" (fp32 weights, matrix products in bf16
through `torch.autocast`) and "int8" (per-channel dynamic int8 on the attention and up/gate
projections of the middle layers, as Unspin shipped before).

At load (`load_fastest`), every path is timed on a fixed input (one decoder layer of the
converted model and the LM head's product, best of 3 runs; `pass_times`), fastest first. The
fastest path is loaded and checked against the fp32 reference of a fixed probe text (about 320
tokens) written at conversion (`write_reference`): the mean log-probability of the probe's tokens
must stay within MAX_LOG_PROB_SHIFT nats of fp32 and the argmax next token must agree at
MIN_ARGMAX_AGREEMENT of the positions (the targets of the project's speed issue). A path that
fails falls back to the next fastest; fp32 always passes. The quality of each path on this
machine is also measured once at conversion, so a start never loads a path known to fail.
On a CPU without fast bf16 (no AVX512-BF16 or AMX) the bf16 layer times slower than fp32 and is
never tried first. `$UNSPIN_PRECISION` or `--precision` forces a path (its quality is still
measured and reported). Measured on this project's machines (2 Xeon cores with AMX): one
1,148-token article, body and head: fp32 3.36 s, autocast 2.06 s (argmax agreement 0.976), bf16
1.46 s (0.983, mean log-prob -3.827 vs -3.823): bf16 serves.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path
from typing import cast

import torch
from torch.ao.quantization.qconfig import per_channel_dynamic_qconfig

from .llama import DecoderLayer
from .weights import WEIGHTS, read_weights

PATHS = ("fp32", "bf16", "autocast", "int8")
MAX_LOG_PROB_SHIFT = 0.02  # nats, mean token log-probability of the probe against fp32
MIN_ARGMAX_AGREEMENT = 0.95
REFERENCE = "probe.json"  # fp32 reference of the probe, in the converted folder
TIMED_LAYER = 15
PROBE = (  # about 400 tokens of news wording

    "WASHINGTON — Russia asked China to provide it with military equipment and support for the war in "
    "Ukraine after President Vladimir V. Putin began a full-scale invasion last month, according to U.S. "
    "officials. The request, which has not been previously reported, has raised concerns in the White House "
    "that China may undermine Western efforts to help Ukrainian forces defend their country. State public "
    "health officials warned on Friday that the virus was spreading among people who had no symptoms, and "
    "the central bank said inflation would stay high for most of next year. Shares in the company rose 4 % "
    "after it reported record sales of its new phone, while rivals struggled with the cost of chips. "
    "The prime minister told parliament on Tuesday that the government would not raise taxes before the "
    "election, but opposition leaders said the budget left schools and hospitals short of money. In London, "
    "the striker scored twice in the second half as the home side came from behind to win 3-2, their first "
    "victory in five matches. Police said a man had been arrested after a car was driven into a crowd outside "
    "a stadium, injuring several people, none of them seriously. The company, which employs about 12,000 "
    "people worldwide, said it expected profits to fall this year because of weaker demand in Europe and "
    "higher energy prices. Scientists said the new vaccine had been tested on more than 30,000 volunteers and "
    "was safe and effective, though regulators would review the data before approving it. Farmers have warned "
    "that the dry summer will cut the harvest, pushing up the price of bread and other basic foods."
)


class Autocast(torch.nn.Module):
    """An fp32 body whose forward runs its matrix products in bf16 (torch.autocast)."""

    def __init__(self, body: torch.nn.Module):
        super().__init__()
        self.body = body

    @property
    def dtype(self) -> torch.dtype:
        return torch.bfloat16

    def forward(self, *args, **kwargs):
        with torch.autocast("cpu", torch.bfloat16):
            hidden, kept = self.body(*args, **kwargs)
        return hidden.float(), kept


def quantisable(name: str, n_layers: int) -> bool:
    """Linear layers of the int8 path: the attention and up/gate projections of the middle
    layers; down-projections and the first and last layers carry the activation outliers
    (measured: every layer in int8 moved the mean token log-prob on news from -3.66 to -4.69)."""
    parts = name.split(".")
    if "layers" not in parts or parts[-1] == "down_proj":
        return False
    layer = int(parts[parts.index("layers") + 1])
    return 0 < layer < n_layers - 1


def wrap(body: torch.nn.Module, path: str) -> torch.nn.Module:
    """The body as path `path` runs it (fp32 and bf16 bodies are used as they are)."""
    if path == "autocast":
        return Autocast(body)
    if path == "int8":
        n_layers = len(cast(torch.nn.ModuleList, body.layers))
        spec = {name: per_channel_dynamic_qconfig for name, module in body.named_modules()
                if isinstance(module, torch.nn.Linear) and quantisable(name, n_layers)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.ao.quantization.quantize_dynamic(body, spec, dtype=torch.qint8, inplace=True)
    return body


def probe_ids(tokenizer) -> list[int]:
    return tokenizer.encode("\n" + PROBE, add_special_tokens=False).ids


def _probe_log_probs(body, head: torch.Tensor, ids: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """(log P of each next probe token [T-1] in nats, the argmax next token [T-1]), 64 rows of
    logits at a time."""
    target = torch.tensor(ids[1:])
    lp, top = [], []
    with torch.inference_mode():
        hidden, _ = body(torch.tensor([ids]))
        for a in range(0, len(target), 64):
            logits = (hidden[0, a : min(a + 64, len(target))].to(head.dtype) @ head.T).float()
            rows = torch.arange(len(logits))
            lp.append(logits[rows, target[a : a + 64]] - logits.logsumexp(-1))
            top.append(logits.argmax(-1))
    return torch.cat(lp), torch.cat(top)


def machine() -> str:
    """What a quality verdict holds for: this torch build on this CPU."""
    model = next((line.split(":", 1)[1].strip() for line in _cpuinfo() if line.startswith("model name")), "unknown CPU")
    return f"torch {torch.__version__}, {torch.backends.cpu.get_cpu_capability()}, {model}"


def _cpuinfo() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return []


def write_reference(folder: Path, body, tokenizer) -> None:
    """At conversion (fp32 weights in memory): store the fp32 probe's mean token log-probability
    (nats) and argmax ids in `folder`, and the quality of every other path on this machine, so
    that a start never loads a path already known to fail (the int8 path needs the fp32 weights
    in memory: 1.3 GB to find out)."""
    import copy

    ids = probe_ids(tokenizer)
    lp, top = _probe_log_probs(body, body.embed_tokens.weight, ids)
    reference = {"mean_log_prob": float(lp.mean()), "argmax": top.tolist()}
    verdicts = {}
    for path in PATHS[1:]:
        twin = copy.deepcopy(body)
        served = wrap(twin.to(torch.bfloat16) if path == "bf16" else twin, path)
        head = twin.embed_tokens.weight
        verdicts[path] = _compare(*_probe_log_probs(served, head, ids), reference)
        del twin, served
    (folder / REFERENCE).write_text(json.dumps({**reference, "machine": machine(), "verdicts": verdicts}))


def quality(lm, reference: dict) -> dict:
    """The probe through `lm` against the fp32 reference: mean log-prob shift (nats) and argmax agreement."""
    return _compare(*_probe_log_probs(lm.body, lm.head, probe_ids(lm.tokenizer)), reference)


def _compare(lp: torch.Tensor, top: torch.Tensor, reference: dict) -> dict:
    mean = float(lp.mean())
    agreement = float((top == torch.tensor(reference["argmax"])).float().mean())
    shift = mean - reference["mean_log_prob"]
    return {"mean_log_prob": round(mean, 4), "fp32_mean_log_prob": round(reference["mean_log_prob"], 4),
            "shift_nats": round(shift, 4), "argmax_agreement": round(agreement, 4),
            "passes": abs(shift) <= MAX_LOG_PROB_SHIFT and agreement >= MIN_ARGMAX_AGREEMENT}


def pass_times(folder: Path, config: dict, runs: int = 3) -> dict[str, float]:
    """Estimated ms of a pass over 512 tokens in each path: one decoder layer on a fixed
    [4,128,H] input (best of `runs`) times the number of layers, plus the LM head's product
    for 128 positions (bf16 in the bf16 path, fp32 in the others) times 4."""
    prefix = f"layers.{min(TIMED_LAYER, config['num_hidden_layers'] - 1)}."
    with open(folder / WEIGHTS["fp32"], "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        names = [k for k in json.loads(f.read(size)) if k.startswith(prefix)]
    state = {k.removeprefix(prefix): v for k, v in read_weights(folder / WEIGHTS["fp32"], names=names).items()}
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(4, 128, config["hidden_size"], generator=generator)
    head = torch.randn(config["vocab_size"] // 8, config["hidden_size"], generator=generator)  # an eighth of it
    head_dim = config.get("head_dim") or config["hidden_size"] // config["num_attention_heads"]
    angles = torch.arange(128)[:, None].float() * torch.rand(head_dim // 2, generator=generator)
    angles = torch.cat((angles, angles), -1)[None, None]
    times = {}
    for path in PATHS:
        layer = DecoderLayer(config, device="meta")
        layer.load_state_dict({k: v.clone() for k, v in state.items()}, assign=True)
        layer.eval().requires_grad_(False)
        dtype = torch.bfloat16 if path == "bf16" else torch.float32
        if path == "bf16":
            layer = layer.to(dtype)
        elif path == "int8":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                layer = torch.ao.quantization.quantize_dynamic(
                    layer, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
        inputs = (x.to(dtype), angles.cos().to(dtype), angles.sin().to(dtype))
        rows, matrix = x[0].to(dtype), head.to(dtype)
        best_layer = best_head = float("inf")
        with torch.inference_mode():
            for _ in range(runs + 1):  # the first run warms up
                started = time.perf_counter()
                with torch.autocast("cpu", torch.bfloat16, enabled=path == "autocast"):
                    layer(*inputs)
                best_layer = min(best_layer, time.perf_counter() - started)
                started = time.perf_counter()
                torch.matmul(rows, matrix.T)
                best_head = min(best_head, time.perf_counter() - started)
        times[path] = round(1000 * (best_layer * config["num_hidden_layers"] + 4 * 8 * best_head), 1)
    return times


def load_fastest(folder: Path, forced: str | None, load_in):
    """The LM of converted `folder` in the fastest path that keeps the probe's quality, or in the
    `forced` one. load_in(folder, config, path) loads one path. The choice, its measurements and
    the reason are in the returned LM's `precision`, and one line goes to stderr.
    Raises ValueError for an unknown forced path."""
    if forced is not None and forced not in PATHS:
        raise ValueError(f"unknown precision {forced!r}: choose one of {', '.join(PATHS)}")
    config = json.loads((folder / "config.json").read_text())
    reference_file = folder / REFERENCE
    if forced is None and not reference_file.exists():  # a small LM of the tests: nothing to compare with
        lm = load_in(folder, config, "fp32")
        lm.precision.update(why="fp32: this LM folder has no fp32 reference to check a faster path against")
        return lm
    reference = json.loads(reference_file.read_text()) if reference_file.exists() else None
    times = pass_times(folder, config) if forced is None else {}
    order = [forced] if forced else sorted(PATHS, key=times.__getitem__)
    known = reference.get("verdicts", {}) if reference and reference.get("machine") == machine() else {}
    tried = []
    for path in order:
        if not forced and path in known and not known[path]["passes"]:
            tried.append(f"{path} failed the quality check at conversion (shift {known[path]['shift_nats']} nats, "
                         f"argmax agreement {known[path]['argmax_agreement']})")
            continue
        lm = load_in(folder, config, path)
        checked = quality(lm, reference) if reference and path != "fp32" else None  # None: fp32, or forced
        if checked is None or forced or checked["passes"]:
            timing = ", ".join(f"{p} {times[p]:.1f} ms" for p in order if p in times)
            why = ("forced (--precision or $UNSPIN_PRECISION)" if forced else
                   f"fastest that keeps fp32 quality (estimated ms per 512 tokens: {timing})")
            if tried:
                why += "; " + "; ".join(tried)
            lm.precision.update(why=why, estimated_ms=times, quality=checked, forced=bool(forced))
            print(f"language model: {path} ({why})", file=sys.stderr, flush=True)
            return lm
        tried.append(f"{path} failed the quality check (shift {checked['shift_nats']} nats, "
                     f"argmax agreement {checked['argmax_agreement']})")
        del lm
    raise AssertionError("fp32 always passes")

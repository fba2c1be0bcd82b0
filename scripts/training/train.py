"""Train the detector on spun data and write a model folder.

    unspin train --data data/spun --out models/unspin-lm [--articles 1000] [--dev-articles 700]
    unspin train --data data/spun --out /tmp/check --quick          # pipeline check, < 3 minutes

Read top to bottom, this is the whole recipe:
1. the candidate table (DATA/candidates.tsv.gz, built once from Moby, MyThes, mined real pairs) and
   how its multi-token candidates continue once begun (DATA/continuations.tsv.gz, LM, once);
2. the candidate ranker (unspin.engine.ranking): a lambdarank model over every candidate of the sites of
   RANK_ARTICLES spun train articles whose original is among them (DATA/features/ranking-train.jsonl,
   resumable), which chooses the candidates restoration re-scores and gives each a prior;
3. site features of train and dev articles, computed by the serving `score` stage with that
   ranker (DATA/features/ranker-HASH/*.jsonl, one folder per ranker: two of the features are its
   best ranked candidate's; appended article by article, so a stopped run resumes there);
4. the detector: gradient-boosted trees (LightGBM) over the features, P(spun) per site, trained
   twice: the second time the sites of clean articles that the first marked (P >= HARD_P: the
   words the model gets wrong on clean text) weigh HARD_WEIGHT sites each, as hard negatives;
   then its isotonic calibration on dev (scikit-learn), so that P(spun) = 0.56 means 56 % spun;
   then the second look (unspin.engine.second_look) at the sites it is unsure of: each is read again by
   the engine with both sides of its context, on SECOND_LOOK_ARTICLES more train articles (a
   logistic regression) and on dev (its calibration), into DATA/features/ranker-HASH/looks-HASH/;
   With --feedback, readers' corrections (unspin.feedback) join in: originals they confirmed go
   into the candidate table first for their wording, their confirmed spans become positive sites
   and their dismissed ones hard negatives, each weighing FEEDBACK_WEIGHT ordinary sites, learnt
   by FEEDBACK_ROUNDS more trees on top of the detector; one in five corrections is held out for
   `unspin evaluate --feedback` (feedback.split_feedback). The detector's decision (step 5) is
   kept afterwards while it still meets the false-highlight target on dev;
5. the article-level decision (decide.Decision) chosen on dev (`decision_key`): within the
   false-highlight targets (metrics.py: per 1,000 words of clean articles and per 20 clean short
   texts), the best recall on short or lightly spun pages at MIN_STRATUM_PRECISION there; which
   of the LM's own candidates may be suggested (a word-vector cosine: `choose_suggestion_cosine`)
   is chosen on the spun sites of RANK_DEV_ARTICLES dev articles;
6. the model folder (config, detector, ranker, candidates, word vectors) and its card; then, on RESTORE_ARTICLES
   spun dev articles run through the engine, the weight of the ranker's prior (top-1 of the
   restored spans) and the calibration of the suggestions' scores: a softmax temperature (Brier
   score), then isotonic regression (`fit_restoration`).
The language model itself is not trained: it is installed and converted once (unspin.lm).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import numpy as np

QUICK = {"articles": 12, "dev_articles": 8, "rounds": 30, "rank_articles": 12}
FEEDBACK_WEIGHT = 50.0  # one reader's correction counts as this many sites of spun training data
FEEDBACK_ROUNDS = 50  # boosting rounds added on top of the detector to learn the corrections
ROUNDS = 400
HARD_P = 0.5  # a clean article's site the first detector gives at least this is a hard negative ...
HARD_WEIGHT = 5.0  # ... weighing this many sites in the second training
LIGHT_WEIGHT = 1.0  # a spun site of a short or lightly spun train page weighs this many sites
RESTORE_ARTICLES = 100  # spun dev articles the ranker's weight and the restoration temperature are fitted on
TEMPERATURES = tuple(round(0.25 * k, 2) for k in range(1, 25))  # its candidates, 0.25 .. 6
RANKER_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0)  # nats per unit of the candidate ranker's score
RANK_ARTICLES = 500  # spun train articles whose sites train the candidate ranker
RANK_DEV_ARTICLES = 200  # spun dev articles whose sites choose the suggestions' relatedness cosine ...
SUGGESTION_COSINES = (-1.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)  # ... among these (word vectors): the strictest
COSINE_TOLERANCE = 0.01  # whose kept originals are within this share of the best
MIN_SUGGESTION_CHANCE = 0.1  # a suggestion with a lower calibrated chance of being the original is not shown
SECOND_LOOK_ARTICLES = 500  # train articles after the detector's whose unsure sites fit the second look
DEV_SPUN_SHARE = 0.5  # dev: half spun, half clean articles (700 articles: ~51,000 clean words to choose the
# decision on, so that its false-highlight rate is measured on more than a few highlights)
PARAMS = {  # LightGBM; bagging keeps one corpus' quirks from dominating
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 20,
    "bagging_fraction": 0.8, "bagging_freq": 1, "feature_fraction": 0.8, "verbose": -1, "seed": 1,
}
GRID = {  # candidate settings of the article-level decision (calibrated P(spun); decide.Decision)
    "threshold": (0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99),
    "spun_threshold": (0.1, 0.15, 0.2, 0.3, 0.4, 0.5),
    "evidence": (0.01, 0.02, 0.03, 0.05, 0.08),
    "prior_words": (0, 20, 50, 100),
    "min_hits": (1, 2, 3, 4),
}
def add_arguments(parser) -> None:
    parser.add_argument("--data", required=True, help="dataset folder (unspin dataset)")
    parser.add_argument("--out", required=True, help="model folder to write")
    parser.add_argument("--articles", type=int, default=1000, help="train articles to score (default 1000, as shipped)")
    parser.add_argument("--dev-articles", type=int, default=700)
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="boosting rounds")
    parser.add_argument("--rank-articles", type=int, default=RANK_ARTICLES,
                        help=f"spun train articles that train the candidate ranker (default {RANK_ARTICLES})")
    parser.add_argument("--candidates", help="candidate table to use (default: DATA/candidates.tsv.gz, built there once)")
    parser.add_argument("--mythes", help="MyThes .dat for the candidate table (default: Debian's, if present)")
    parser.add_argument("--tortured", help="tortured_phrases.tsv: real pairs for the candidate table")
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="a few articles: checks the pipeline end to end")
    parser.add_argument("--feedback", help="readers' corrections to learn from: the server's data folder, its "
                                           "feedback.sqlite3, or an `unspin feedback export` file")
    parser.add_argument("--feedback-weight", type=float, default=FEEDBACK_WEIGHT,
                        help=f"how many training sites one correction's site counts as (default {FEEDBACK_WEIGHT:g})")


def as_sites(article: dict) -> list:
    return [SimpleNamespace(paragraph=s["p"], words=tuple(s["w"])) for s in article["sites"]]


def fit_detector(train: list[dict], rounds: int, threads: int = 0, light_weight: float = LIGHT_WEIGHT):
    """The detector (a LightGBM booster) on the labelled sites of the train articles (as
    site_features.read_features returns them), trained twice: the second time the sites of clean
    articles the first gave P >= HARD_P weigh HARD_WEIGHT each (hard negatives). The spun sites of
    short or lightly spun articles weigh `light_weight` each. Returns (booster, the LightGBM
    parameters, (features [N, len(FEATURES)], labels [N]))."""
    import lightgbm

    from unspin.engine.score import FEATURES

    labelled = [(s, a) for a in train for s in a["sites"] if s["y"] >= 0]
    x = np.array([s["x"] for s, _ in labelled], dtype=np.float32).reshape(len(labelled), -1)
    names: list[str] | str = list(FEATURES) if x.shape[1] == len(FEATURES) else "auto"  # more: an experiment's
    y = np.array([s["y"] for s, _ in labelled])
    clean = np.array([all(pr == "clean" for pr in a["profiles"]) for _, a in labelled], dtype=bool)
    light = np.array([a["short"] or a["density"] == "light" for _, a in labelled], dtype=bool)
    base = np.where(light & (y == 1), light_weight, 1.0)
    print(f"detector: {len(y):,} train sites ({y.mean():.1%} spun), {x.shape[1]} features, {rounds} rounds; "
          f"spun sites of short or light pages weigh {light_weight:g}")
    # A leaf needs 20 sites in a full run; small runs (--quick) need smaller leaves to learn anything.
    params = {**PARAMS, "min_data_in_leaf": min(PARAMS["min_data_in_leaf"], max(2, len(y) // 100)),
              "num_threads": threads}
    booster = lightgbm.train(params, lightgbm.Dataset(x, y, weight=base, feature_name=names), num_boost_round=rounds)
    hard = clean & (np.asarray(booster.predict(x)) >= HARD_P)
    print(f"hard negatives: {hard.sum():,} sites of clean train articles at P >= {HARD_P}, weight {HARD_WEIGHT:g}")
    booster = lightgbm.train(params, lightgbm.Dataset(x, y, weight=np.where(hard, HARD_WEIGHT, base), feature_name=names),
                             num_boost_round=rounds)
    return booster, params, (x, y)


def decided_articles(articles: list[dict], probabilities: list[np.ndarray], decision) -> list[dict]:
    """The articles with the spans `decide` marks at these settings (metrics.word_metrics input)."""
    from unspin.engine.decide import decide

    out = []
    for article, p in zip(articles, probabilities):
        sites = as_sites(article)
        marked = decide(article["words"], sites, p, decision)[0]
        out.append({**article, "marked": [(sites[k].paragraph, *sites[k].words) for k in marked]})
    return out


def decision_key(m: dict) -> tuple:
    """How `choose_decision` ranks the dev word_metrics `m` of a setting (larger is better): within
    the false-highlight targets first, then at MIN_STRATUM_PRECISION on short or light pages, then
    their recall (else their F1); outside the targets, the fewest false highlights."""
    from unspin.scripts.evaluation.metrics import MIN_STRATUM_PRECISION, meets_false_highlight_targets

    stratum = m["strata"].get("short or light", {"precision": 0.0, "recall": 0.0, "f1": 0.0})
    if not meets_false_highlight_targets(m):
        return (False, False, -(m["false_highlights_per_1000_words"] or 0.0))
    precise = stratum["precision"] >= MIN_STRATUM_PRECISION
    return (True, precise, stratum["recall"] if precise else stratum["f1"])


def choose_decision(articles: list[dict], probabilities: list[np.ndarray], grid: dict = GRID) -> tuple[dict, dict]:
    """The `grid` point (GRID's keys) that `decision_key` ranks first on dev; returns (settings,
    their dev metrics).

    What `decide` does, in two steps: each article's marks at every threshold of the grid and its
    evidence words are computed once, then each grid point picks, per article, the marks of the
    threshold its evidence gives."""
    from unspin.engine.decide import Decision, evidence_words, select
    from unspin.scripts.evaluation.metrics import word_metrics

    thresholds = sorted(set(grid["threshold"]) | set(grid["spun_threshold"]))
    marks, hits = [], []  # per article: {threshold: marked spans}; (evidence words, words)
    for article, p in zip(articles, probabilities):
        sites = as_sites(article)
        marks.append({t: [(sites[k].paragraph, *sites[k].words) for k in select(sites, p, t)] for t in thresholds})
        hits.append((len(evidence_words(sites, p)), sum(article["words"])))
    best = None
    for t, ts, ev, prior, min_hits in itertools.product(*(grid[k] for k in GRID)):
        if ts > t:
            continue
        decision = Decision(t, ts, ev, prior, min_hits)
        decided = [{**article, "marked": m[decision.threshold_for(decision.is_spun(*h))]}
                   for article, m, h in zip(articles, marks, hits)]
        m = word_metrics(decided)
        key = decision_key(m)
        if best is None or key > best[0]:
            best = (key, asdict(decision), m)
    assert best is not None, "the grid has a point with spun_threshold <= threshold"
    return best[1], best[2]


def choose_suggestion_cosine(groups: list[tuple], ranker_text: str, vectors) -> tuple[float, dict]:
    """The word-vector cosine from which an open candidate counts as related to its wording
    (vectors.Relatedness), on the dev sites whose original is among their candidates (`groups`,
    as site_features.read_ranking(words=True) returns them): for each of SUGGESTION_COSINES, the
    share of sites whose original is among the KEPT_CANDIDATES best ranked related candidates (what
    restoration re-scores); the strictest cosine within COSINE_TOLERANCE of the best share.
    Returns (cosine, the shares by cosine)."""
    from unspin.engine.ranking import RANK_FEATURES, CandidateRanker
    from unspin.engine.score import KEPT_CANDIDATES
    from unspin.engine.vectors import Relatedness

    ranker = CandidateRanker(ranker_text, 1.0)
    is_open, linked = RANK_FEATURES.index("open"), RANK_FEATURES.index("linked")
    scored = [(np.argsort(-ranker.scores(x)), x, y, [wording] * len(words), words) for x, y, wording, words in groups]

    def kept(cosine: float) -> float:
        rule, hits = Relatedness(vectors, cosine), 0
        for order, x, y, wordings, words in scored:
            ok = (x[:, is_open] == 0) | rule(wordings, words, x[:, linked] > 0)
            hits += bool(y[[i for i in order if ok[i]][:KEPT_CANDIDATES]].any())
        return hits / max(1, len(scored))

    shares = {c: round(kept(c), 4) for c in SUGGESTION_COSINES}
    best = max(shares.values())
    return max(c for c, v in shares.items() if v >= best - COSINE_TOLERANCE), {"sites": len(scored), **{
        str(c): v for c, v in shares.items()}}


def fit_second_look(train_looks: dict[str, list], dev_looks: dict[str, list]):
    """The second look (second_look.SecondLook): scikit-learn's logistic regression of the label
    of the train articles' band sites (site_features.extract_looks) on (logit P(spun), both-sides
    ratio), then the isotonic calibration of its output on dev's. Returns (it, its figures: the
    sites and the AUC within the band on dev, before and after)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    from unspin.engine.second_look import SecondLook

    def arrays(looks):
        rows = np.array([row[3:6] for article in looks.values() for row in article], dtype=float).reshape(-1, 3)
        rows = rows[rows[:, 2] >= 0]
        return rows[:, 0], rows[:, 1], rows[:, 2]

    p, ratio, y = arrays(train_looks)
    if len(set(y)) < 2:
        return SecondLook(), {"train_sites": len(y)}
    model = LogisticRegression().fit(SecondLook.inputs(p, ratio), y)
    second = SecondLook([round(float(c), 6) for c in model.coef_[0]], round(float(model.intercept_[0]), 6))
    dp, dratio, dy = arrays(dev_looks)
    figures = {"train_sites": len(y), "dev_sites": len(dy), "coef": second.coef, "intercept": second.intercept}
    if len(set(dy)) == 2:
        second.calibration = isotonic_points(second.predict(dp, dratio), dy)
        figures["dev_auc_before"] = round(float(roc_auc_score(dy, dp)), 4)
        figures["dev_auc_after"] = round(float(roc_auc_score(dy, second.predict(dp, dratio))), 4)
    return second, figures


def fit_calibration(articles: list[dict], raw: list[np.ndarray]) -> dict:
    """Isotonic regression of the labelled sites' spun label on the detector's raw P(spun) (dev),
    as the points decide.Detector interpolates: {"raw": [...], "calibrated": [...]}."""
    labels = np.array([s["y"] for a in articles for s in a["sites"]])
    scores = np.concatenate(raw) if raw else np.zeros(0)
    keep = labels >= 0
    if keep.sum() < 2 or len(set(labels[keep])) < 2:
        return {}
    return isotonic_points(scores[keep], labels[keep])


def isotonic_points(scores: np.ndarray, outcomes: np.ndarray) -> dict:
    """scikit-learn's isotonic regression of outcomes (0/1) on scores, as the increasing points
    decide.calibrated interpolates: {"raw": [...], "calibrated": [...]}."""
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, outcomes)
    return {"raw": [round(float(v), 6) for v in iso.X_thresholds_],
            "calibrated": [round(float(v), 6) for v in iso.y_thresholds_]}


def fit_restoration(model: Path, data: Path, n_dev: int) -> tuple[float, float, dict, dict]:
    """Over the correctly detected spans of up to RESTORE_ARTICLES spun dev articles, each run
    through the engine of the model at `model` (its ranker at weight 1): the weight of the
    ranker's prior (RANKER_WEIGHTS) that ranks the original first most often, then the softmax
    temperature (TEMPERATURES) whose suggestion scores best predict which suggestion is the
    original (lowest Brier score), then the isotonic calibration of those scores against it (a
    span whose original is no candidate makes every suggestion wrong: a calibrated score is the
    chance of being the original, and a span's scores sum to less than 1). Returns (weight,
    temperature, calibration points, the fit's figures)."""
    from unspin.engine.engine import Engine
    from unspin.scripts.data.split import choose, read_split, span_originals
    from tqdm import tqdm

    engine = Engine.load(model, cache_size=0)
    articles = read_split(data / "dev.jsonl")
    chosen = [a for a in choose(articles, n_dev, 1, DEV_SPUN_SHARE)
              if any(r["profile"] != "clean" for r in articles[a])][:RESTORE_ARTICLES]
    spans = []  # per correctly detected span: (log P with context, the ranker's score, which is the original)
    for aid in tqdm(chosen, desc="restoration weight and temperature", unit="article"):
        records = articles[aid]
        result, gold = engine.run([r["text"] for r in records], max_suggestions=10), span_originals(records)
        for mark in result.marks:
            site = mark.site
            original = gold[site.paragraph].get((site.start, site.end))
            if original is not None and site.restored:
                prior = dict(zip(site.candidates, site.candidate_prior))
                score = np.array([prior[w] for w, _ in site.restored])
                spans.append((np.array([total for _, total in site.restored]) - score, score,
                              np.array([w.lower() == original for w, _ in site.restored], dtype=float)))
    if not spans:
        return 1.0, 1.0, {}, {"spans": 0}

    def top1(weight: float) -> float:
        return float(np.mean([hit[np.argmax(lp + weight * score)] for lp, score, hit in spans]))

    weight = max(RANKER_WEIGHTS, key=top1)
    ranked = [(lp + weight * score, hit) for lp, score, hit in spans]

    def softmax(s: np.ndarray, t: float) -> np.ndarray:
        e = np.exp((s - s.max()) / t)
        return e / e.sum()

    def brier(t: float) -> float:
        return float(np.mean([((softmax(s, t) - hit) ** 2).sum() for s, hit in ranked]))

    best = min(TEMPERATURES, key=brier)
    scores = np.concatenate([softmax(s, best) for s, _ in ranked])
    hits = np.concatenate([hit for _, hit in ranked])
    fit = {"spans": len(spans), "top1_by_weight": {w: round(top1(w), 4) for w in RANKER_WEIGHTS},
           "brier": round(brier(best), 4), "brier_at_1": round(brier(1.0), 4)}
    return weight, best, isotonic_points(scores, hits), fit


def candidates_step(args, data: Path) -> tuple[Path, object, dict[str, float], list[dict]]:
    """Step 1: (the candidate table's file, the table, its candidates' continuations (lower case ->
    log P, nats), the readers' corrections learnt from): with --feedback, the originals readers
    confirmed join the table first for their wording."""
    from unspin.engine.model import candidate_wordings
    from unspin.engine.score import continuations
    from unspin.feedback import read_feedback, split_feedback
    from unspin.scripts.data.candidates import load_or_build, with_readers_originals
    from unspin.scripts.training.site_features import build_continuations, serving_lm
    from unspin.text import wording_key

    table_file = Path(args.candidates) if args.candidates else data / "candidates.tsv.gz"
    default_mythes = Path("/usr/share/mythes/th_en_US_v2.dat")
    table = load_or_build(table_file, Path(args.mythes) if args.mythes else default_mythes,
                          Path(args.tortured) if args.tortured else None)
    continuation = build_continuations(table_file)
    corrections = []
    if args.feedback:
        corrections, held = split_feedback(read_feedback(args.feedback))
        confirmed = defaultdict(set)
        for record in corrections:  # read_feedback left out any with control or invisible characters
            if record["label"] == "spun" and record["original"]:
                confirmed[wording_key(record["span"])].add(record["original"].strip())
        table = with_readers_originals(table, confirmed)
        new = [w for w in candidate_wordings(table) if w.lower() not in continuation]
        continuation = {**continuation, **continuations(serving_lm(), new)}
        print(f"feedback: {len(corrections)} corrections to learn from ({len(held)} held out), "
              f"{len(confirmed)} wordings with confirmed originals")
    return table_file, table, continuation, corrections


def ranker_step(args, data: Path, table_file: Path, features: Path, n_rank: int, n_rank_dev: int):
    """Step 2: (the candidate ranker's text or None (restoration then ranks by log P), the word
    vectors or None, the suggestions' relatedness cosine, how it was chosen)."""
    from unspin.engine.ranking import train_ranker
    from unspin.engine.vectors import WordVectors
    from unspin.scripts.training.site_features import extract_ranking, read_ranking

    ranking = read_ranking(extract_ranking(data, "train", n_rank, table_file, features), n_rank)
    print(f"candidate ranker: {len(ranking):,} spun train sites with their original among the candidates")
    ranker = train_ranker(ranking, threads=args.threads or 0) if ranking else None  # none: ranked by log P
    try:  # which open candidates a reader may be shown (vectors.Relatedness) ...
        vectors = WordVectors.build()
    except ImportError:
        vectors = None
        print("note: the [glove] extra is not installed: the model will suggest only open candidates that a "
              "thesaurus links")
    cosine, cosine_fit = 1.0, {}  # ... without a ranker's dev check: linked ones only
    if ranker:
        dev_groups = read_ranking(extract_ranking(data, "dev", n_rank_dev, table_file, features), n_rank_dev, True)
        cosine, cosine_fit = choose_suggestion_cosine(dev_groups, ranker, vectors) if dev_groups else (1.0, {})
        print(f"suggestions: open candidates related from a word-vector cosine of {cosine} ({cosine_fit})")
    return ranker, vectors, cosine, cosine_fit


def dev_raw(model, dev: list[dict]) -> list[np.ndarray]:
    """The detector's uncalibrated P(spun) of each dev article's sites [n_sites]."""
    from unspin.engine.score import FEATURES

    return [model.predict(np.array([s["x"] for s in a["sites"]], dtype=np.float32).reshape(-1, len(FEATURES)))
            for a in dev]


def on_dev(model, dev: list[dict], calibration: dict, second, dev_looks: dict) -> list[np.ndarray]:
    """Each dev article's P(spun) per site: the detector's, calibrated, then the second look's."""
    from unspin.engine.decide import calibrated

    return [second.apply_rows(a, calibrated(p, calibration), dev_looks.get(a["article"], []))
            for a, p in zip(dev, dev_raw(model, dev))]


def second_look_step(out: Path, data: Path, features: Path, booster, calibration: dict, table, continuation,
                     ranker, vectors, cosine: float, dev: list[dict], n_train: int, n_look: int):
    """Step 4b, the second look (unspin.engine.second_look) at the sites this detector is unsure
    of: fitted on the band sites of `n_look` train articles the detector was not trained on,
    calibrated on dev's. Writes a provisional model folder (its engine looks at the band sites).
    Returns (the SecondLook, how it was fitted, dev's looks by article)."""
    from unspin.engine.model import ModelMeta, save_model
    from unspin.scripts.data.split import choose, read_split
    from unspin.scripts.training.site_features import extract_looks, read_looks

    save_model(out, ModelMeta(calibration=calibration, suggestion_cosine=cosine), booster.model_to_string(), table,
               continuation, ranker, vectors)  # for now: its engine looks at the band sites
    looks = features / f"looks-{hashlib.sha256(booster.model_to_string().encode()).hexdigest()[:12]}"
    fit_articles = choose(read_split(data / "train.jsonl"), n_train + n_look, 1, None)[n_train:]
    train_looks = read_looks(extract_looks(out, data, "train", fit_articles, looks / "train.jsonl"))
    dev_looks = read_looks(extract_looks(out, data, "dev", [a["article"] for a in dev], looks / "dev.jsonl"))
    second, look_fit = fit_second_look(train_looks, dev_looks)
    print(f"second look: {look_fit}")
    return second, look_fit, dev_looks


def learn_corrections(booster, params: dict, x: np.ndarray, y: np.ndarray, feedback: list[dict], weight: float,
                      dev: list[dict], second, dev_looks: dict, decision: dict, dev_metrics: dict):
    """Step 4 with corrections: FEEDBACK_ROUNDS more trees on top of the detector, fitted to the
    train sites (x [N, len(FEATURES)], y [N]) plus the corrections' (each weighing `weight`), so
    that the corrections change what they touch and the rest stays as it was; then its
    calibration and decision on dev. Returns (booster, calibration, decision, dev metrics)."""
    import lightgbm

    from unspin.engine.decide import Decision
    from unspin.engine.score import FEATURES
    from unspin.scripts.evaluation.metrics import meets_false_highlight_targets, word_metrics

    xf = np.array([s["x"] for s in feedback], dtype=np.float32).reshape(-1, len(FEATURES))
    yf = np.array([s["y"] for s in feedback])
    print(f"corrections: {len(yf)} sites ({yf.mean():.0%} confirmed spun), weight {weight:g}, "
          f"{FEEDBACK_ROUNDS} more rounds")
    both = lightgbm.Dataset(np.r_[x, xf], np.r_[y, yf], feature_name=list(FEATURES),
                            weight=np.r_[np.ones(len(y)), np.full(len(yf), weight)])
    booster = lightgbm.train(params, both, num_boost_round=FEEDBACK_ROUNDS, init_model=booster)
    calibration = fit_calibration(dev, dev_raw(booster, dev))
    # The detector's own decision stays while it keeps the false-highlight target on dev: a
    # fresh choice on a small dev set would move every figure more than the corrections do.
    kept = word_metrics(decided_articles(dev, on_dev(booster, dev, calibration, second, dev_looks), Decision(**decision)))
    if meets_false_highlight_targets(kept):
        dev_metrics = kept
    else:
        decision, dev_metrics = choose_decision(dev, on_dev(booster, dev, calibration, second, dev_looks))
    return booster, calibration, decision, dev_metrics


def write_model(out: Path, data: Path, n_dev: int, meta, booster, table, continuation, ranker, vectors,
                started: float) -> None:
    """Step 6: the model folder and its card; then the ranker's weight and the restoration's
    temperature and calibration, fitted on dev through that model's engine, written into it."""
    from unspin.engine.model import save_model
    from unspin.scripts.evaluation.model_card import write_card

    save_model(out, meta, booster.model_to_string(), table, continuation, ranker, vectors)
    meta.ranker_weight, meta.restoration_temperature, meta.restoration_calibration, fit = fit_restoration(
        out, data, n_dev)
    meta.metrics["training"]["restoration_fit"] = fit
    meta.metrics["training"]["minutes"] = round((time.monotonic() - started) / 60, 1)
    save_model(out, meta, booster.model_to_string(), table, continuation, ranker, vectors)
    write_card(out)


def main(args) -> int:
    import torch

    from unspin.engine.model import ModelMeta
    from unspin.engine.score import FEATURES
    from unspin.scripts.training.site_features import extract, feedback_rows, read_features

    if args.threads:
        torch.set_num_threads(args.threads)
    n_train, n_dev, rounds, n_rank = (
        tuple(QUICK.values()) if args.quick else (args.articles, args.dev_articles, args.rounds, args.rank_articles)
    )
    data, out = Path(args.data), Path(args.out)
    started = time.monotonic()
    # 1. candidates
    table_file, table, continuation, corrections = candidates_step(args, data)
    # 2. the candidate ranker: which candidates restoration re-scores, and their prior
    features = data / ("features-quick" if args.quick else "features")
    ranker, vectors, cosine, cosine_fit = ranker_step(args, data, table_file, features, n_rank,
                                                      min(n_rank, RANK_DEV_ARTICLES))
    # 3. site features (the serving score stage, with that ranker), resumable; kept per ranker
    features = features / f"ranker-{hashlib.sha256(ranker.encode()).hexdigest()[:12] if ranker else 'none'}"
    train = read_features(extract(data, "train", n_train, table_file, features, ranker=ranker), n_train)
    dev = read_features(extract(data, "dev", n_dev, table_file, features, spun_share=DEV_SPUN_SHARE, ranker=ranker),
                        n_dev)
    feedback = feedback_rows(corrections, table, continuation, ranker) if corrections else []
    # 4. the detector, its calibration on dev, and (4b) the second look at the sites it is unsure of
    booster, params, (x, y) = fit_detector(train, rounds, args.threads or 0)
    calibration = fit_calibration(dev, dev_raw(booster, dev))
    second, look_fit, dev_looks = second_look_step(out, data, features, booster, calibration, table, continuation,
                                                   ranker, vectors, cosine, dev, n_train, min(n_train, SECOND_LOOK_ARTICLES))
    # 5. the article-level decision, on dev (with corrections: after the trees that learn them)
    decision, dev_metrics = choose_decision(dev, on_dev(booster, dev, calibration, second, dev_looks))
    if feedback:
        booster, calibration, decision, dev_metrics = learn_corrections(
            booster, params, x, y, feedback, args.feedback_weight, dev, second, dev_looks, decision, dev_metrics)
    print(f"decision on dev: {decision}\ndev: {json.dumps(dev_metrics)}")
    # 6. the model folder and card
    importance = dict(zip(FEATURES, (round(float(g), 1) for g in booster.feature_importance("gain"))))
    meta = ModelMeta(
        version=args.version, decision=decision, calibration=calibration,
        ranker_weight=1.0,  # the priors are the ranker's scores until fit_restoration weighs them
        suggestion_cosine=cosine, min_suggestion_chance=MIN_SUGGESTION_CHANCE, second_look=asdict(second),
        metrics={"training": {"train_articles": len(train), "train_sites": int(len(y)), "dev_articles": len(dev),
                              "rounds": rounds, "minutes": round((time.monotonic() - started) / 60, 1),
                              "feedback_corrections": len(corrections), "feedback_sites": len(feedback),
                              "suggestion_cosine_fit": cosine_fit, "second_look_fit": look_fit,
                              "feature_gain": importance},
                 "dev": dev_metrics},
    )
    write_model(out, data, n_dev, meta, booster, table, continuation, ranker, vectors, started)
    print(f"wrote {out} in {(time.monotonic() - started) / 60:.1f} min")
    return 0

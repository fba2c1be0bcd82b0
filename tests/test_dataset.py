"""The dataset builder end to end on fixture corpora: format contract, splits, determinism."""

import argparse
import json
from pathlib import Path

import pytest

from unspin.scripts.data import dataset

DATA = Path(__file__).parent / "fixtures" / "data"
FIELDS = {"id", "article", "source", "profile", "heldout", "short", "density", "text", "original", "spans"}


def build(out: Path, seed: int = 1, *extra: str) -> dict[str, list[dict]]:
    """Run `unspin dataset` on the fixtures; records per split."""
    parser = argparse.ArgumentParser()
    dataset.add_arguments(parser)
    args = parser.parse_args([
        "--corpus", str(DATA / "corpus_tiny.jsonl"), str(DATA / "reuters_tiny.jsonl"), "--out", str(out),
        "--seed", str(seed), "--moby", str(DATA / "moby_tiny.txt"), "--mythes", str(DATA / "mythes_tiny.dat"),
        "--ppdb", str(DATA / "ppdb_tiny.txt"), "--tortured", str(DATA / "tortured_tiny.tsv"), *extra])
    assert dataset.main(args) == 0
    return {s: [json.loads(line) for line in open(out / f"{s}.jsonl", encoding="utf-8")] for s in dataset.SPLITS}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("ds") / "spun"
    return out, build(out, 1, "--rate", "0.5")


def test_record_contract(built):
    out, splits = built
    records = [r for rs in splits.values() for r in rs]
    assert records and not Path(str(out) + ".tmp").exists()
    for r in records:
        assert set(r) == FIELDS
        assert r["id"].startswith(r["article"] + "-p")
        end = 0
        for sp in r["spans"]:
            assert end <= sp["start"] < sp["end"] and r["text"][sp["start"]:sp["end"]] == sp["text"]
            end = sp["end"]
        if r["profile"] == "clean":
            assert r["spans"] == [] and r["text"] == r["original"] and not r["heldout"]
        else:
            assert r["spans"] and r["text"] != r["original"]
        assert "Short line." not in r["original"]  # too short to be prose
    assert json.loads((out / "summary.json").read_text())["records"] == len(records)
    assert "moby-common" in json.loads((out / "realism.json").read_text())


def test_quotes_survive(built):
    _, splits = built
    quoted = [r for rs in splits.values() for r in rs if "“We will not stop the war,”" in r["original"]]
    assert quoted and all("“We will not stop the war,”" in r["text"] for r in quoted)
    lied = [r for rs in splits.values() for r in rs if '"officials lied"' in r["original"]]
    assert lied and all('"officials lied"' in r["text"] for r in lied)


def test_no_article_in_two_splits_and_reissues_stay_together(built):
    _, splits = built
    where = {}
    for split, rs in splits.items():
        for r in rs:
            assert where.setdefault(r["article"], split) == split
    assert where["corpus-00000"] == where["corpus-00003"]  # a1 and its corrected reissue


def test_deterministic(tmp_path, built):
    _, splits = built
    assert build(tmp_path / "again", 1, "--rate", "0.5") == splits


def test_reuters_unwrapped():
    text = "The company said last month that\nofficials would help.\n    The agency said the war\nwas large.\n Reuter\n"
    assert dataset.paragraphs_of(text) == ["The company said last month that officials would help.",
                                           "The agency said the war was large."]


def test_split_assignment_groups_near_duplicates():
    para = "one two three four five six seven eight nine ten eleven"
    arts = [(f"x-{i}", "x", [f"{para} {i}"]) for i in range(30)] + [("y-0", "y", ["unrelated words " * 5])]
    splits = dataset.assign_splits(arts, seed=3)
    assert len({splits[f"x-{i}"] for i in range(30)}) == 1  # same first ten words: one story


def test_heldout_profile_only_in_test():
    lex = {"moby": {"said": ["stated"]}, "ppdb": {"said": ["declared"]}}
    spinners = dataset.make_spinners(lex)
    paras = ["The minister said the plan would work well for everyone involved."]
    seen = {split: {r["profile"] for i in range(200)
                    for r in dataset.spin_article(f"a-{i}", "a", paras, split, spinners, 1, 1.0)}
            for split in ("train", "test")}
    held = {"ppdb-heldout", "moby-phrases-heldout"}
    assert held <= seen["test"] and not held & seen["train"]
    assert all(r["heldout"] == (r["profile"] in held)
               for i in range(50) for r in dataset.spin_article(f"a-{i}", "a", paras, "test", spinners, 1, 1.0))


def test_pages_are_shaped_like_real_ones():
    """Short pages (their first paragraphs, SHORT_WORDS), light and partial spinning: strata on every record."""
    lex = {"moby": {"said": ["stated"], "plan": ["scheme"], "work": ["function"], "well": ["nicely"]}}
    spinners = dataset.make_spinners(lex)
    paras = [f"The minister said the plan number {k} would work well for everyone involved in it." for k in range(40)]
    pages = [dataset.spin_article(f"a-{i}", "a", paras, "train", spinners, 1) for i in range(300)]
    for page in pages:
        assert len({(r["short"], r["density"]) for r in page}) == 1
        short = page[0]["short"]
        assert short == (len(page) * 15 <= dataset.SHORT_WORDS[1]) and (short or len(page) == 40)
        assert (page[0]["density"] == "none") == all(r["profile"] == "clean" for r in page)
    by = {d: [p for p in pages if p[0]["density"] == d] for d in ("none", *dataset.DENSITIES)}
    assert all(by.values()) and any(p[0]["short"] for p in pages) and any(not p[0]["short"] for p in pages)

    def changed(group):  # share of words substituted
        return sum(len(sp["original"].split()) for p in group for r in p for sp in r["spans"]) / sum(
            len(r["original"].split()) for p in group for r in p)

    assert changed(by["light"]) < changed(by["normal"])
    untouched = [sum(r["profile"] == "clean" for r in p) / len(p) for p in by["partial"] if len(p) > 5]
    assert untouched and min(untouched) >= 0.2


def test_can_produce_real_pairs():
    table = {"area": (("region",), (1.0,), (frozenset(),)), "say": (("state",), (1.0,), (frozenset(),))}
    assert dataset.can_produce(table, "surface area", "surface region")  # word by word
    assert dataset.can_produce(table, "said", "stated")  # through the lemma
    assert not dataset.can_produce(table, "data mining", "information mining")

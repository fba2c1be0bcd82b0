"""Make a test crawl for `unspin scan`: news stories, each published once and spun several times
by different spinner profiles on other sites, among unrelated pages, as one WARC file.

    unspin crawl --corpus bbc.jsonl --out crawl.warc.gz --sources 20 --copies 3 5 --unrelated 100 \\
        [--mythes th_en_US_v2.dat --ppdb ppdb-xl.txt --tortured tortured_phrases.tsv --glove]

Stories come from the test split of `unspin dataset` with the same --seed (articles the model
never trained on). Each source article is a page on its own site; each of its copies (a number
drawn from --copies) is spun by a different profile, the held-out one included, and published on
a content farm. The unrelated pages are other test-split articles, half of them spun. The crawl
also holds what a real one does: request records, an image, a redirect, a page with broken
markup and a page with no article. Pages are HTML around the article (navigation, a sidebar,
a footer) so that the scan has to extract it.

Writes OUT (WARC, gzipped when it ends in .gz) and OUT's name + `.truth.jsonl`: one line per page,
{url, role (source, copy, unrelated, broken, no-article), story (its source's URL or null),
profile}. `unspin grouping` measures a scan of the crawl against it.
"""

from __future__ import annotations

import html
import io
import json
from pathlib import Path
from random import Random

FARMS = ("dailynewsnow.com", "news.worldreport24.net", "www.topstoriesdaily.org", "trendingnow.co.uk",
         "www.headlinehub.info", "breakingwire.net", "newsflash365.com", "www.globalbrief.co")
SOURCES = ("www.citytribune.com", "news.metroherald.co.uk", "www.valleypost.org", "eveningledger.com")


def add_arguments(parser) -> None:
    from .dataset import add_lexicon_arguments

    parser.add_argument("--corpus", nargs="+", required=True, help="JSONL files with a `text` field, or folders of .txt")
    parser.add_argument("--out", required=True, help="the WARC file to write (.warc or .warc.gz)")
    parser.add_argument("--sources", type=int, default=20, help="source stories (default 20)")
    parser.add_argument("--copies", type=int, nargs=2, default=(3, 5), metavar=("MIN", "MAX"),
                        help="spun copies of each story, drawn from MIN..MAX (default 3 5)")
    parser.add_argument("--unrelated", type=int, default=100, help="unrelated pages (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="the data set's seed: its test split is used (default 1)")
    parser.add_argument("--max-articles", type=int, help="read at most this many corpus articles")
    add_lexicon_arguments(parser)


def page(title: str, paragraphs: list[str], site: str) -> bytes:
    """A news page around an article (paragraphs are plain text, escaped here)."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)} | {site}</title></head>
<body><header><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/business">Business</a> |
<a href="/subscribe">Subscribe</a></nav></header>
<main><article><h1>{html.escape(title)}</h1>
{body}
</article></main>
<aside><h2>Most read</h2><ul><li><a href="/a">Ten things to know today</a></li><li><a href="/b">Weather</a></li></ul></aside>
<footer>Copyright {site}. All rights reserved. <a href="/privacy">Privacy</a></footer></body></html>""".encode()


def _slug(title: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in title.lower()).split()[:8]) or "story"


def make_pages(articles: list[tuple[str, str, list[str]]], spinners: dict, args, rng: Random) -> list[dict]:
    """The crawl's pages: {url, html, role, story, profile}, in crawl order (shuffled)."""
    from unspin.scripts.data.spinner import proper_nouns

    def spun(paras: list[str], spinner) -> list[str]:
        rate = rng.uniform(*spinner.profile.rate)
        proper = proper_nouns(paras)
        return [spinner.spin(p, rng, rate, proper)[0] for p in paras]

    profiles = sorted(spinners)
    pages = []
    for aid, _, paras in articles[: args.sources]:
        title = paras[0].split(". ")[0][:80]
        source_url = f"https://{rng.choice(SOURCES)}/{aid}/{_slug(title)}"
        pages.append({"url": source_url, "html": page(title, paras, source_url.split("/")[2]), "role": "source",
                      "story": source_url, "profile": None})
        for name in rng.sample(profiles, min(len(profiles), rng.randint(*args.copies))):
            farm = rng.choice(FARMS)
            copy = spun(paras, spinners[name])
            url = f"https://{farm}/{rng.randrange(10**6)}/{_slug(copy[0])}"
            pages.append({"url": url, "html": page(copy[0].split(". ")[0][:80], copy, farm), "role": "copy",
                          "story": source_url, "profile": name})
    for aid, _, paras in articles[args.sources : args.sources + args.unrelated]:
        site = rng.choice(FARMS + SOURCES)
        name = rng.choice(profiles) if rng.random() < 0.5 else None
        text = spun(paras, spinners[name]) if name else paras
        pages.append({"url": f"https://{site}/{aid}", "html": page(text[0][:60], text, site), "role": "unrelated",
                      "story": None, "profile": name})
    pages.append({"url": f"https://{FARMS[0]}/broken", "role": "broken", "story": None, "profile": None,
                  "html": b"<html><body><div><p>Half a page \xff\xfe of <b>broken <i>markup</div></p><p>and so"})
    pages.append({"url": f"https://{FARMS[1]}/menu", "role": "no-article", "story": None, "profile": None,
                  "html": b"<html><body><nav><a href='/'>Home</a></nav></body></html>"})
    rng.shuffle(pages)
    return pages


def write_warc(pages: list[dict], out: Path) -> None:
    """Pages as WARC request + response records, plus an image and a redirect (not articles)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(out, "wb") as handle:
        writer = WARCWriter(handle, gzip=out.name.endswith(".gz"))

        def write(url: str, status: str, content_type: str, payload: bytes, extra=()):
            headers = StatusAndHeaders(status, [("Content-Type", content_type), *extra], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload),
                                                          http_headers=headers))

        for item in pages:
            request = StatusAndHeaders(f"GET /{item['url'].split('/', 3)[3]} HTTP/1.1",
                                       [("Host", item["url"].split("/")[2])], is_http_request=True)
            writer.write_record(writer.create_warc_record(item["url"], "request", http_headers=request))
            write(item["url"], "200 OK", "text/html; charset=utf-8", item["html"])
        write(f"https://{FARMS[0]}/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n")
        write(f"https://{FARMS[0]}/old", "301 Moved Permanently", "text/html", b"", [("Location", "/new")])


def main(args) -> int:
    from .dataset import assign_splits, load_lexicons, make_spinners, read_articles

    articles = list(read_articles(args.corpus, args.max_articles))
    splits = assign_splits(articles, args.seed)
    test, openings = [], set()
    for article in articles:  # one version of each story: the corpora hold reissues and corrections
        opening = " ".join(article[2][0].lower().split()[:10])
        if splits[article[0]] == "test" and sum(len(p.split()) for p in article[2]) >= 150 and opening not in openings:
            test.append(article)
            openings.add(opening)
    if len(test) < args.sources + args.unrelated:
        print(f"error: the corpus's test split has {len(test)} articles of 150 words or more; "
              f"{args.sources + args.unrelated} are needed")
        return 2
    rng = Random(args.seed)
    rng.shuffle(test)
    spinners = make_spinners(load_lexicons(args))
    pages = make_pages(test, spinners, args, rng)
    out = Path(args.out)
    write_warc(pages, out)
    truth = out.with_name(out.name + ".truth.jsonl")
    with open(truth, "w", encoding="utf-8") as handle:
        for item in pages:
            handle.write(json.dumps({k: item[k] for k in ("url", "role", "story", "profile")}) + "\n")
    roles = {r: sum(p["role"] == r for p in pages) for r in ("source", "copy", "unrelated", "broken", "no-article")}
    print(f"wrote {out} ({len(pages)} pages: {roles}) and {truth}")
    return 0

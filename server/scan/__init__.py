"""`unspin scan`: the engine over a collection (a crawl, an export, a folder of pages).

    inputs.py    documents from JSONL, WARC / WARC.gz and folders of .html / .txt (read lazily)
    rows.py      one document -> one result row: extraction, the engine, the restored text
    store.py     the row schema and the resumable Parquet parts; the final articles.parquet
    groups.py    spun copies grouped with their source (MinHash LSH over restored texts)
    report.py    the self-contained HTML report (plots drawn by matplotlib)
    cluster.py   the same job on Ray Data (`--ray`)
    sources.py   a finished scan's likely sources, by address, for the server (`serve --scan`)
    command.py   the command itself
"""

"""The scan on Ray Data (`unspin scan --ray`): the same rows, made by a pool of Ray actors.

The documents still to scan are first written to DIR/queue as Parquet (QUEUE_ROWS a file, so
memory stays bounded), read back by Ray Data (`read_parquet`, order preserved) and mapped by
`Worker` actors, each holding one engine (the model loaded once per actor) and analysing a
batch of documents a call (the engine analyses one article at a time, using its threads; a
batch of a few articles makes Ray's cost per call small beside theirs); the rows stream back to
this process, which stores them as parts exactly as the single-process scan does (store.Parts).
On a cluster, DIR must be on storage that every node reads (docs/scan.md).
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Iterator, cast

import pyarrow as pa
import pyarrow.parquet as pq

from .inputs import Document
from .rows import RowMaker
from .store import PART_SCHEMA, Parts

QUEUE_ROWS = 256  # documents per queue file
DOCUMENT_SCHEMA = pa.schema([(f.name, pa.int64() if f.name == "seq" else pa.binary() if f.name == "html" else pa.string())
                             for f in dataclasses.fields(Document)])


class Worker:
    """A Ray actor: one RowMaker; a batch of queued documents in, their rows out (PART_SCHEMA)."""

    def __init__(self, model_dir: str, max_tokens: int, threads: int, precision: str | None):
        self.maker = RowMaker(model_dir, max_tokens, threads=threads, precision=precision)

    def __call__(self, batch: pa.Table) -> pa.Table:
        rows = [self.maker(Document(**record)) for record in batch.to_pylist()]
        return pa.Table.from_pylist(rows, schema=PART_SCHEMA)


def _queue(documents: Iterator[Document], folder: Path) -> int:
    """Write the documents to folder/queue-N.parquet files; how many there were."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    count, batch = 0, []

    def write():
        pq.write_table(pa.Table.from_pylist(batch, schema=DOCUMENT_SCHEMA), folder / f"queue-{count:09d}.parquet")

    for document in documents:
        batch.append(dataclasses.asdict(document))
        count += 1
        if len(batch) == QUEUE_ROWS:
            write()
            batch = []
    if batch:
        write()
    return count


def scan_on_ray(documents: Iterator[Document], parts: Parts, progress, *, model_dir: str, max_tokens: int,
                workers: int, threads: int, batch_size: int, precision: str | None, address: str | None) -> None:
    """Analyse `documents` on Ray (a local instance when `address` is None) with `workers`
    actors of `threads` CPUs each, `batch_size` documents a call; rows go to `parts`, and
    `progress.update(n)` is called as they arrive."""
    import ray

    queue = parts.folder.parent / "queue"
    if not _queue(documents, queue):
        shutil.rmtree(queue)
        return
    # A local instance gets a CPU more than the actors take, for Ray Data's reading tasks (with
    # exactly the actors' CPUs, the reading waits for a free CPU forever).
    ray.init(address=address, num_cpus=None if address else workers * threads + 1, include_dashboard=False,
             log_to_driver=False, configure_logging=False, ignore_reinit_error=True)
    try:
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True
        context.enable_progress_bars = False
        # blocks of one actor call each (streaming), so that every actor gets work
        queued = ray.data.read_parquet(str(queue)).repartition(target_num_rows_per_block=batch_size)
        rows = queued.map_batches(
            Worker, fn_constructor_kwargs={"model_dir": str(model_dir), "max_tokens": max_tokens, "threads": threads,
                                           "precision": precision},
            batch_size=batch_size, batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=threads)
        for batch in rows.iter_batches(batch_size=None, batch_format="pyarrow"):
            table = cast(pa.Table, batch)  # batch_format "pyarrow": a Table (Ray's annotation names a dict)
            parts.add(table.to_pylist())
            progress.update(table.num_rows)
    finally:
        ray.shutdown()
    shutil.rmtree(queue)

"""The documents of a scan, read lazily from its inputs (memory does not grow with their size).

Inputs, by name:
- `*.jsonl` (optionally `.gz`): one JSON object per line with a `text` field and optional `id`,
  `url`, `title`, `date`;
- `*.warc`, `*.warc.gz`: every `response` record with status 200 and an HTML content type (the
  page's article text is extracted later, rows.extract); its WARC-Target-URI and WARC-Date kept;
  other records (requests, metadata, images, redirects) are not documents;
- a folder: its `.html`/`.htm` and `.txt` regular files, recursively, in name order (linked
  folders are not entered; a linked file, FIFO, device or socket is listed with its reason and
  never read); or one such file.

Every input is read a bounded number of bytes at a time, before anything is decoded (a WARC
file's lines, which warcio holds whole, at most MAX_WARC_LINE_BYTES). A document
that cannot be read (not UTF-8, not JSON, no text, a page, file or JSONL line over
MAX_PAGE_BYTES, not a regular file) is still yielded, with its `error`: the scan records it and
goes on. Ids are made unique (a repeated one gets "#2", "#3", ...). Each document has a `key`
(input file and position: line number, byte offset of the record, path in the folder) that stays
the same when the same inputs are read again, which is what makes a scan resumable.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

MAX_PAGE_BYTES = 5 << 20  # a larger page, file or JSONL line is recorded as an error
MAX_WARC_LINE_BYTES = 16 << 20  # a longer line ends the reading of a WARC file (the rest is one error)
# How documents' keys are made (a scan resumes only with the same): 2, WARC offsets in the
# decompressed stream (1: in the file).
KEYS = 2
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
_SURROGATE = re.compile("[\ud800-\udfff]")


class InputError(ValueError):
    """An input that is not a file or folder the scan can read (the message says why)."""


@dataclass
class Document:
    """One document of the inputs. `text` is the article text (paragraphs separated by blank
    lines) or None when `html` still needs extracting; `error` says why it cannot be analysed."""

    key: str  # "<input file>:<position>", stable across runs
    seq: int  # position among all documents of this scan's inputs, from 0
    id: str
    source: str  # the input file (absolute path)
    url: str | None = None
    title: str | None = None
    date: str | None = None
    text: str | None = None
    html: bytes | None = None
    error: str | None = None


def kind_of(path: Path) -> str:
    """'jsonl', 'warc', 'folder', 'html' or 'text'. Raises InputError for anything else."""
    name = path.name.lower()
    if path.is_dir():
        return "folder"
    if not path.is_file():
        raise InputError(f"{path}: no such file or folder")
    if name.endswith((".jsonl", ".jsonl.gz")):
        return "jsonl"
    if name.endswith((".warc", ".warc.gz")):
        return "warc"
    if name.endswith(HTML_SUFFIXES):
        return "html"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    raise InputError(f"{path}: not JSONL, WARC, .html, .txt or a folder")


def check_inputs(paths: list[str]) -> list[Path]:
    """The inputs as absolute paths, each checked (raises InputError)."""
    resolved = [Path(p).resolve() for p in paths]
    for path in resolved:
        kind_of(path)
    return resolved


def read_documents(paths: list[Path], skip: Path | None = None) -> Iterator[Document]:
    """Every document of the inputs once, in order (`seq` counts from 0 across them): a document
    met again (an input given twice, a file and its folder) is left out, and so is the folder
    `skip` (the scan's own output) inside an input folder."""
    seq, seen, ids = 0, set(), set()
    for path in paths:
        readers = {"jsonl": _jsonl, "warc": _warc, "folder": lambda p: _folder(p, skip), "html": _file, "text": _file}
        for document in _until_damaged(readers[kind_of(path)](path), path):
            if document.key in seen:
                continue
            seen.add(document.key)
            document.seq = seq
            seq += 1
            document.id = _unique(document.id, ids)
            yield document


def _unique(id_: str, taken: set[str]) -> str:
    """`id_`, or when an earlier document has it, `id_#2`, `id_#3`, ... (the first free one): an
    id names one article in the results and in the groups (a copy must not name itself as its
    source). The same inputs read again give the same ids."""
    unique, n = id_, 1
    while unique in taken:
        n += 1
        unique = f"{id_}#{n}"
    taken.add(unique)
    return unique


def _until_damaged(documents: Iterator[Document], path: Path) -> Iterator[Document]:
    """`documents`, then, when the file turns out damaged (not a WARC, a broken gzip stream), one
    error document for the rest of it, which is skipped."""
    while True:
        try:
            document = next(documents)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - whatever the reader met: recorded, the scan goes on
            yield Document(f"{path}:unreadable", 0, f"{path.name}:unreadable", str(path),
                           error=f"the rest of the file could not be read: {type(exc).__name__}: {exc}"[:300])
            return
        yield document


def well_formed(text: str) -> str:
    """`text` with each unpaired surrogate (JSON may escape one: "\\ud800") replaced by U+FFFD:
    such text has no UTF-8 form to store, nor exact offsets."""
    return _SURROGATE.sub("\ufffd", text)  # a paired one was joined into its code point by the parser


def _decoded(data: bytes) -> tuple[str | None, str | None]:
    try:
        return data.decode("utf-8-sig"), None  # a leading byte-order mark is not text
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte {exc.start})"


def _lines(handle) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) of a binary file, reading at most MAX_PAGE_BYTES + 1 bytes at a time
    (a compressed line of a GiB never reaches memory): a longer line is (number, None), its
    rest read past in bounded pieces."""
    number = 0
    while True:
        raw = handle.readline(MAX_PAGE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_PAGE_BYTES and not raw.endswith(b"\n"):
            while (rest := handle.readline(MAX_PAGE_BYTES)) and not rest.endswith(b"\n"):
                pass
            raw = None
        yield number, raw


def _jsonl(path: Path) -> Iterator[Document]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as handle:
        for line_number, raw in _lines(handle):
            if raw is not None and not raw.strip():
                continue
            document = Document(f"{path}:{line_number}", 0, f"{path.name}:{line_number}", str(path))
            if raw is None or len(raw) > MAX_PAGE_BYTES:
                document.error = f"line larger than {MAX_PAGE_BYTES >> 20} MB"
                yield document
                continue
            line, document.error = _decoded(raw)
            if line is None:
                yield document
                continue
            try:
                record = json.loads(line)
            except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
                document.error = f"not JSON: {type(exc).__name__}" if isinstance(exc, RecursionError) else f"not JSON: {exc}"
                yield document
                continue
            if not isinstance(record, dict):
                document.error = "not a JSON object"
                yield document
                continue
            if record.get("id") is not None:
                document.id = well_formed(str(record["id"]))
            for name in ("url", "title", "date"):
                if isinstance(record.get(name), str):
                    setattr(document, name, well_formed(record[name]))
            text = record.get("text")
            if isinstance(text, str) and text.strip():
                document.text = well_formed(text)
            else:
                document.error = "`text` is missing, empty or not a string"
            yield document


class LineTooLong(ValueError):
    """A line of a WARC file (its headers are read line by line) is over MAX_WARC_LINE_BYTES."""


class BoundedLines:
    """A binary file read through, refusing a line over `limit` bytes (LineTooLong) before a
    reader above it (warcio reads headers line by line, a whole line in memory) ever holds it."""

    def __init__(self, raw, limit: int):
        self.raw, self.limit, self.run = raw, limit, 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size if size is not None and size >= 0 else self.limit + 1)
        newline = data.rfind(b"\n")
        self.run = len(data) - newline - 1 if newline >= 0 else self.run + len(data)
        if self.run > self.limit:
            raise LineTooLong(f"a line over {self.limit >> 20} MB")
        return data


def _warc(path: Path) -> Iterator[Document]:
    from warcio.archiveiterator import ArchiveIterator

    # Decompressed here (every member of a .warc.gz, in order) so that the line bound sees the text.
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as handle:
        records = ArchiveIterator(BoundedLines(handle, MAX_WARC_LINE_BYTES), check_digests=True)  # a mismatch is noted on the record
        for record in records:
            if record.rec_type != "response" or record.http_headers is None:
                continue
            content_type = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
            if record.http_headers.get_statuscode() != "200" or content_type not in HTML_TYPES:
                continue
            page = record.content_stream().read(MAX_PAGE_BYTES + 1)  # before the offset: asking it reads on
            offset, headers = records.get_record_offset(), record.rec_headers
            document = Document(f"{path}:{offset}", 0, headers.get_header("WARC-Record-ID") or f"{path.name}@{offset}",
                                str(path), url=headers.get_header("WARC-Target-URI"), date=headers.get_header("WARC-Date"))
            if len(page) > MAX_PAGE_BYTES:
                document.error = f"page larger than {MAX_PAGE_BYTES >> 20} MB"
            elif record.raw_stream.limit > 0 or getattr(record.digest_checker, "passed", None) is False:
                document.error = "the record is damaged: the file ends inside it, or its digest does not match"
            else:
                document.html = page
            yield document


def _file(path: Path, root: Path | None = None) -> Iterator[Document]:
    name = str(path.relative_to(root)) if root else path.name
    document = Document(str(path), 0, name, str(path))
    data, document.error = _regular_file_bytes(path)
    if data is not None and path.name.lower().endswith(HTML_SUFFIXES):
        document.html = data
    elif data is not None:
        text, document.error = _decoded(data)
        if text is not None and not text.strip():
            document.error = "empty file"
        elif text is not None:
            document.text = text
    yield document


def _regular_file_bytes(path: Path) -> tuple[bytes | None, str | None]:
    """(the file's bytes, None), or (None, why not): a symbolic link (never followed), a FIFO,
    device or socket (opened without waiting, never read: one could block or never end), a file
    over MAX_PAGE_BYTES, or one that cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, "a symbolic link: not followed"
        return None, f"cannot read the file: {exc.strerror or exc}"
    with os.fdopen(fd, "rb", buffering=0) as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, "not a regular file (a FIFO, device or socket): not read"
        data = handle.read(MAX_PAGE_BYTES + 1)
    if len(data) > MAX_PAGE_BYTES:
        return None, f"file larger than {MAX_PAGE_BYTES >> 20} MB"
    return data, None


def _folder(root: Path, skip: Path | None) -> Iterator[Document]:
    # os.walk does not enter linked folders; linked and special files are yielded with their reason
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if skip is None or Path(folder, d).resolve() != skip)
        for name in sorted(files):
            if name.lower().endswith(HTML_SUFFIXES + TEXT_SUFFIXES):
                yield from _file(Path(folder) / name, root)

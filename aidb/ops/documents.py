"""read_documents: PDFs (and Markdown, HTML, Word files) as one row per block, with pdfplumber, MinerU or Docling.

The default parser, pdfplumber (aidb/ops/pdf_layout.py), works offline on digital PDFs. 'mineru' and 'docling'
run those projects' layout and formula models when they are installed and their models are on disk, and fail
before reading anything otherwise, saying what to install; their blocks come back in the same columns.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from aidb.errors import DataError, Error, OperationalError, ProgrammingError
from aidb.ops.document_blocks import SCHEMA, Block, blocks_table
from aidb.ops.external_parsers import check_parser, docling_blocks, mineru_blocks
from aidb.ops.file_globs import matching_files
from aidb.ops.markup_documents import docx_blocks, html_blocks, markdown_blocks
from aidb.ops.operator_registry import OperatorInput, OperatorParam, OperatorResult, operator
from aidb.ops.pdf_layout import read_pdf
from aidb.ops.skipped_inputs import SkippedInput, check_on_error, skipped_reports, warn_skipped
from aidb.ops.worker_pool import in_workers, worker_count

PARSERS = ("pdfplumber", "mineru", "docling")
# From this many files pdfplumber's parsing (~0.1-0.3 s a page) outweighs starting the workers (~2-4 s); MinerU and
# Docling run their own models and threads, so they are never spread over aidb's workers.
PARALLEL_MIN_FILES = 8
_MARKUP: dict[str, Callable[[Path], list[Block]]] = {
    ".md": lambda p: markdown_blocks(_text(p)), ".markdown": lambda p: markdown_blocks(_text(p)),
    ".html": lambda p: html_blocks(_text(p)), ".htm": lambda p: html_blocks(_text(p)), ".docx": docx_blocks,
}


def read_documents(pattern: str, parser: str = "pdfplumber", on_error: str = "fail", progress: Any = None) -> tuple[pa.Table, list[SkippedInput]]:
    """The blocks of every file `pattern` matches, file by file in path order; and the files skipped.

    With pdfplumber and PARALLEL_MIN_FILES files or more, the files are parsed by the collection worker processes.
    """
    if parser not in PARSERS:
        raise ProgrammingError(f"read_documents(): parser must be one of {', '.join(map(repr, PARSERS))}, got {parser!r}")
    check_on_error("read_documents", on_error)
    check_parser(parser)
    files = matching_files("read_documents", pattern)
    items = [(str(path), parser) for path in files]
    parallel = parser == "pdfplumber" and len(files) >= PARALLEL_MIN_FILES and worker_count() > 1
    outcomes = in_workers("read_documents", parse_file, items) if parallel else map(parse_file, items)
    tables: list[pa.Table] = []
    skipped: list[SkippedInput] = []
    stage = f"read_documents: {len(files)} file(s)"  # one bar, moved a file at a time
    if progress is not None:
        progress(stage, 0, len(files))
    for number, (path, outcome) in enumerate(zip(files, outcomes), start=1):
        if isinstance(outcome, DataError):
            if on_error == "fail":
                raise outcome
            skipped.append(SkippedInput(str(path), "the whole file", str(outcome).split(": ", 2)[-1]))
        else:
            tables.append(outcome)
        if progress is not None:
            progress(stage, number, len(files))
    return (pa.concat_tables(tables) if tables else SCHEMA.empty_table()), skipped


def parse_file(item: tuple[str, str]) -> pa.Table | DataError:
    """The block rows of one file, or the DataError that says why it cannot be parsed (returned: a worker's result)."""
    path, parser = item
    try:
        return blocks_table(path, _blocks(Path(path), parser))
    except DataError as error:
        return error


def _blocks(path: Path, parser: str) -> list[Block]:
    suffix = path.suffix.lower()
    try:
        if suffix in _MARKUP:
            return _MARKUP[suffix](path)
        if suffix != ".pdf":
            raise DataError(f"read_documents(): {path}: unsupported file type {suffix or '(none)'!r}; "
                            f"read .pdf, {', '.join(sorted(_MARKUP))}")
        if parser == "mineru":
            return mineru_blocks(path)
        if parser == "docling":
            return docling_blocks(path)
        return list(read_pdf(path))
    except Error:
        raise
    except Exception as error:  # whatever the parsing library raised: the file is named, the library's reason kept
        raise DataError(f"read_documents(): cannot parse {path}: {_reason(error)}") from error


def _reason(error: Exception) -> str:
    while error.args and isinstance(error.args[0], Exception):  # pdfplumber wraps pdfminer's error in its own
        error = error.args[0]
    name = type(error).__name__
    if "Password" in name or "Encrypt" in name:
        return "the PDF is encrypted (a password is needed)"
    text = " ".join(str(error).split())
    return f"{name}: {text}"[:300] if text else name


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise OperationalError(f"read_documents(): cannot read {str(path)!r}: {error.strerror or error}") from error


@operator(
    name="read_documents",
    params=[OperatorParam("path", "string"), OperatorParam("parser", "string", "pdfplumber"), OperatorParam("on_error", "string", "fail"),
            OperatorParam("skipped", "string", None)],
)
def read_documents_operator(source: OperatorInput, args: dict[str, Any]) -> OperatorResult:
    """Blocks of PDFs (and .md/.html/.docx): path, page, block_no, block_type, text, markdown, bbox, font_size."""
    context = getattr(source, "context", None)
    rows, skipped = read_documents(args["path"], args["parser"], args["on_error"], progress=getattr(context, "progress", None))
    warn_skipped("read_documents", "file(s)", skipped)
    return OperatorResult(rows, reports=skipped_reports(args["skipped"], skipped))

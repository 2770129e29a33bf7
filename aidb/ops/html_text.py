"""Main text and metadata of HTML pages with trafilatura (FineWeb's extractor) or resiliparse, in worker processes.

trafilatura runs with FineWeb's options (datatrove's `Trafilatura` step: favor_precision, no comments) except its
`deduplicate` cache, which would make a page's text depend on the pages the same process saw before it — and so
on how pages were spread over workers; here a page's result depends on the page (and its URL) alone. The text is
NFC-normalised, as `trafilatura.extract` returns it. The title, author and date come from the page's head (tags it
states) for both methods, not from trafilatura's metadata search, which costs more than the text itself.
Large batches are split over the collection worker processes (aidb/ops/worker_pool.py); small ones run in the
calling process, where starting workers would cost more.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape

from aidb.errors import OperationalError, ProgrammingError
from aidb.ops.worker_pool import in_workers, worker_count

METHODS = ("trafilatura", "resiliparse")
FIELDS = ("text", "title", "lang_hint", "author", "date")
# Below this many pages a batch runs in-process: starting the workers (~2-4 s on 2 cores: a fresh interpreter
# importing aidb and trafilatura each) and moving the pages costs as much as extracting ~500 pages (~5-15 ms each).
# DuckDB hands a UDF up to 2048 rows at a time, so the chunks of a large scan do go to the workers.
PARALLEL_MIN_PAGES = 1024
# Pages per piece handed to a worker. A UDF call returns when its last piece is done, so the workers idle for about
# half a piece at the end of every 2048-row chunk: 32 pages (~0.1 s) keep that under ~2% of the chunk, where 4
# pieces per worker (256 pages, ~0.7 s) lost ~10% (bench/RESULTS.md, Collection).
PIECE_PAGES = 32

_LANG_ATTRIBUTE = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)""", re.I)
_CONTENT_LANGUAGE = re.compile(r"""<meta[^>]+http-equiv\s*=\s*["']?content-language["']?[^>]*content\s*=\s*["']?\s*([A-Za-z]{2,3})""", re.I)
_META = re.compile(r"""<meta\b[^>]*>""", re.I)
_META_NAME = re.compile(r"""\b(?:name|property)\s*=\s*["']([^"']+)["']""", re.I)
_META_CONTENT = re.compile(r"""\bcontent\s*=\s*["']([^"']*)["']""", re.I)

Extracted = tuple[str | None, str | None, str | None, str | None, str | None]


def check_method(method: str) -> None:
    """Fail before any work when `method` is unknown or its library is not installed."""
    if method not in METHODS:
        raise ProgrammingError(f"extract_text(): method must be one of {', '.join(map(repr, METHODS))}, got {method!r}")
    if method == "resiliparse":
        try:
            import resiliparse.extract.html2text  # noqa: F401
        except ImportError:
            raise OperationalError(
                "extract_text(): method 'resiliparse' needs the resiliparse package: pip install \"aidb[resiliparse]\""
            ) from None


def extract_pages(htmls: list[str | None], urls: list[str | None], method: str) -> list[Extracted | None]:
    """(text, title, lang_hint, author, date) per page, None for a NULL page; text is None when there is no main text."""
    extract = _trafilatura if method == "trafilatura" else _resiliparse
    return [None if html is None else extract(html, url) for html, url in zip(htmls, urls)]


def extract_pages_parallel(htmls: list[str | None], urls: list[str | None], method: str) -> list[Extracted | None]:
    """extract_pages, over the worker processes (aidb/ops/worker_pool.py) when the batch is large enough to gain."""
    count = worker_count()
    # resiliparse takes ~0.3 ms a page in compiled code: sending the pages to a worker would cost more than that
    if count < 2 or len(htmls) < PARALLEL_MIN_PAGES or method != "trafilatura":
        return extract_pages(htmls, urls, method)
    pieces = [(htmls[i:i + PIECE_PAGES], urls[i:i + PIECE_PAGES], method) for i in range(0, len(htmls), PIECE_PAGES)]
    return [result for part in in_workers("extract_text", _extract_piece, pieces) for result in part]


def _extract_piece(piece: tuple[list[str | None], list[str | None], str]) -> list[Extracted | None]:
    return extract_pages(*piece)


def _trafilatura(html: str, url: str | None) -> Extracted:
    import trafilatura

    # FineWeb's call, no metadata: trafilatura's metadata (htmldate's date guessing) costs 1.5x the text's extraction
    document = trafilatura.bare_extraction(html, url=url, favor_precision=True, include_comments=False, deduplicate=False, with_metadata=False)
    text = unicodedata.normalize("NFC", (document.text if document is not None else None) or "").strip() or None
    return (text, *_metadata(html))


def _resiliparse(html: str, url: str | None) -> Extracted:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    text = extract_plain_text(HTMLTree.parse(html), main_content=True, alt_texts=False, links=False).strip() or None
    return (text, *_metadata(html))


def _metadata(html: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(title, lang_hint, author, date) as the page's head states them: <title> (else og:title), the declared
    language, the author meta tag, the publication date's YYYY-MM-DD (article:published_time, date, DC.date)."""
    tags = _meta_tags(html)
    date = tags.get("article:published_time") or tags.get("date") or tags.get("dc.date") or tags.get("dc.date.issued")
    date = date[:10] if date and re.match(r"\d{4}-\d{2}-\d{2}", date) else None
    return _meta_title(html) or tags.get("og:title"), lang_hint(html), tags.get("author") or tags.get("article:author"), date


def lang_hint(html: str) -> str | None:
    """The language the page declares (`<html lang>`, else a Content-Language meta tag), lower case; not a detection."""
    head = html[:8192]
    match = _LANG_ATTRIBUTE.search(head) or _CONTENT_LANGUAGE.search(head)
    return match.group(1).lower().replace("_", "-") if match else None


def _meta_tags(html: str) -> dict[str, str]:
    found: dict[str, str] = {}
    head_end = html.lower().find("</head>")
    for tag in _META.findall(html[: head_end if head_end > 0 else 16384]):
        name, content = _META_NAME.search(tag), _META_CONTENT.search(tag)
        if name and content and content.group(1).strip():
            found.setdefault(name.group(1).strip().lower(), unescape(content.group(1).strip()))
    return found


def _meta_title(html: str) -> str | None:
    match = re.search(r"<title[^>]*>(.*?)</title>", html[:16384], re.I | re.S)
    return " ".join(unescape(match.group(1)).split()) or None if match else None

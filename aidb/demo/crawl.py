"""The demo's web crawl: the bundled corpus as HTML pages in a WARC file, written deterministically with warcio.

Each document becomes a page of its site (the document's URL) with the boilerplate real pages carry around the
text: a navigation bar, a cookie banner, a sidebar of links, a footer, scripts and styles. Every line of the
document is a paragraph, so junk stays junk (bullet lines, ellipses, symbol spam) for the filters to find. Forum
pages are served as windows-1252, the rest as UTF-8. The crawl also holds what crawls hold besides pages: a
robots.txt, an image and a 404 page. Record ids and dates derive from the URLs, so the file is the same bytes each time.
"""

from __future__ import annotations

import html
import json
import uuid
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

CRAWL_DATE = "2024-05-01T00:00:00Z"
_SIDEBAR = ("Ten gadgets you need this summer", "Sale now on: up to 50% off", "Subscribe to our newsletter")


@dataclass(frozen=True)
class Page:
    url: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"


def page_html(title: str, paragraphs: list[str], site: str = "example.org", heading: bool = True) -> str:
    """A page whose main text is `paragraphs` (escaped; after an <h1> of the title with `heading`), between navigation,
    a cookie banner, a sidebar and a footer."""
    main = (f"<h1>{html.escape(title)}</h1>\n" if heading else "") + "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "<style>body { font-family: sans-serif } .banner { position: fixed }</style>"
        "<script>window.dataLayer = window.dataLayer || []; function track(e) { dataLayer.push(e); }</script></head><body>"
        f"<header><nav><a href='/'>{site}</a><ul><li><a href='/'>Home</a></li><li><a href='/about'>About us</a></li>"
        "<li><a href='/shop'>Shop</a></li><li><a href='/contact'>Contact</a></li></ul></nav></header>"
        "<div class='banner'>We use cookies to improve your experience. <button>Accept all cookies</button></div>"
        f"<main><article>{main}</article></main>"
        "<aside><h3>Related</h3><ul>" + "".join(f"<li><a href='/r{i}'>{t}</a></li>" for i, t in enumerate(_SIDEBAR)) + "</ul></aside>"
        f"<footer><p>Copyright 2024 {site}. All rights reserved.</p><p><a href='/privacy'>Privacy policy</a> | "
        "<a href='/terms'>Terms of service</a></p></footer><script>track('view');</script></body></html>"
    )


def write_warc(path: Path, pages: list[Page], gzip: bool = True) -> list[int]:
    """Write a warcinfo record, then a request and a response per page; the responses' byte offsets."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    offsets = []
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        info = writer.create_warcinfo_record(path.name, {"software": "aidb demo crawl"})
        info.rec_headers.replace_header("WARC-Record-ID", _record_id("warcinfo:" + path.name))
        info.rec_headers.replace_header("WARC-Date", CRAWL_DATE)
        writer.write_record(info)
        for page in pages:
            request = StatusAndHeaders(f"GET {page.url} HTTP/1.1", [("User-Agent", "aidb-demo")], is_http_request=True)
            writer.write_record(writer.create_warc_record(page.url, "request", http_headers=request, warc_headers_dict=_headers("request:" + page.url)))
            response = StatusAndHeaders(page.status, [("Content-Type", page.content_type)], protocol="HTTP/1.1")
            offsets.append(handle.tell())
            writer.write_record(writer.create_warc_record(
                page.url, "response", payload=BytesIO(page.body), http_headers=response, warc_headers_dict=_headers(page.url)))
    return offsets


def _record_id(key: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}>"


def _headers(key: str) -> dict[str, str]:
    return {"WARC-Record-ID": _record_id(key), "WARC-Date": CRAWL_DATE}


def corpus_pages(corpus: Path) -> list[Page]:
    """One page per corpus document, then a robots.txt, an image and a 404 page."""
    pages = []
    for line in corpus.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        paragraphs = [p.strip() for p in doc["text"].splitlines() if p.strip()]
        site = doc["url"].split("/")[2]
        body = page_html(_title(doc), paragraphs, site, heading=False)  # the text as the corpus has it, title in <title>
        if doc["domain"] == "forum" and _encodes(body, "cp1252"):
            pages.append(Page(doc["url"], body.replace("charset='utf-8'", "charset='windows-1252'").encode("cp1252"),
                              "text/html; charset=windows-1252"))
        else:
            pages.append(Page(doc["url"], body.encode("utf-8")))
    pages.append(Page("https://www.example.com/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain"))
    pages.append(Page("https://www.example.com/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"))
    pages.append(Page("https://www.example.com/missing", b"<html><body><h1>Not found</h1></body></html>", status="404 Not Found"))
    return pages


def write_corpus_crawl(corpus: Path, warc: Path) -> int:
    """Write the crawl of `corpus` to `warc` (gzip per record); the number of responses."""
    warc.parent.mkdir(parents=True, exist_ok=True)
    return len(write_warc(warc, corpus_pages(corpus)))


def _title(doc: dict) -> str:
    return doc["url"].rstrip("/").rsplit("/", 1)[-1].replace("-", " ").capitalize() or doc["domain"]


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True

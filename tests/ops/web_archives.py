"""WARC files for the tests, written with warcio: pages, a non-UTF-8 page, a broken record, a cut-off gzip file."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path


@dataclass(frozen=True)
class Page:
    url: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"


def page_html(title: str, paragraphs: list[str]) -> str:
    """A page whose main text is `paragraphs`, between a navigation menu, a cookie banner and a footer."""
    main = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
        "<header><nav><ul><li><a href='/'>Home</a></li><li><a href='/about'>About us</a></li>"
        "<li><a href='/shop'>Shop</a></li><li><a href='/contact'>Contact</a></li></ul></nav></header>"
        "<div class='cookie-banner'>We use cookies to improve your experience. Accept all cookies.</div>"
        f"<main><article><h1>{title}</h1>\n{main}\n</article></main>"
        "<aside><h3>Related</h3><ul><li><a href='/a'>Ten gadgets you need</a></li><li><a href='/b'>Sale now on</a></li></ul></aside>"
        "<footer><p>Copyright 2024 Example Corp. All rights reserved. Privacy policy. Terms of service.</p></footer>"
        "</body></html>"
    )


def write_warc(path: Path, pages: list[Page], gzip: bool = True) -> list[int]:
    """Write a warcinfo record, then a request and a response per page; the responses' byte offsets."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    offsets = []
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "aidb tests"}))
        for page in pages:
            request = writer.create_warc_record(page.url, "request", http_headers=StatusAndHeaders(
                "GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True))
            writer.write_record(request)
            headers = StatusAndHeaders(page.status, [("Content-Type", page.content_type)], protocol="HTTP/1.1")
            offsets.append(handle.tell())
            writer.write_record(writer.create_warc_record(page.url, "response", payload=BytesIO(page.body), http_headers=headers))
    return offsets

"""read_documents(parser := 'mineru' | 'docling'): the model-based PDF parsers, when installed with their models.

Neither is a dependency of aidb (each pulls in GBs of models and frameworks), and aidb never downloads models:
`check_parser` fails before any work unless the package is installed and its models are on disk, naming what to
install and where the models must be. Their output maps onto read_documents' block rows:
- MinerU (the `mineru` command, pipeline backend) writes `<name>_content_list.json`: items with `type` (text with
  `text_level` for titles, list, table with `table_body` HTML, equation, image with `image_caption`, header,
  footer, page_number), `page_idx` and `bbox`;
- Docling's `DocumentConverter` gives a DoclingDocument whose items carry a label, the text and their page and box.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from aidb.errors import DataError, OperationalError
from aidb.ops.document_blocks import Block, heading_markdown, list_markdown, markdown_table, table_text

MINERU_CONFIG_ENV = "MINERU_TOOLS_CONFIG_JSON"  # MinerU's own variable for its config file (default ~/mineru.json)
DOCLING_MODELS_ENV = "AIDB_DOCLING_MODELS"  # a folder made by `docling-tools models download -o <folder>`
MINERU_TIMEOUT_S = 3600


def check_parser(parser: str) -> None:
    if parser == "mineru":
        _mineru_models()
    elif parser == "docling":
        _docling_models()


def _mineru_models() -> Path:
    if shutil.which("mineru") is None:
        raise OperationalError(
            "read_documents(): parser 'mineru' needs MinerU, which is not installed: pip install \"mineru[core]\", "
            "then download its models with mineru-models-download (they go to the folder named in ~/mineru.json)"
        )
    config = Path(os.environ.get(MINERU_CONFIG_ENV) or Path.home() / "mineru.json")
    try:
        folders = json.loads(config.read_text(encoding="utf-8")).get("models-dir", {})
    except (OSError, ValueError):
        folders = {}
    pipeline = Path(folders.get("pipeline", "")) if isinstance(folders, dict) and folders.get("pipeline") else None
    if pipeline is None or not pipeline.is_dir():
        raise OperationalError(
            f"read_documents(): parser 'mineru': MinerU's models are not on disk ({config} names no existing "
            "models-dir.pipeline folder); run mineru-models-download -s modelscope|huggingface -m pipeline on a machine "
            "that can download, or copy the models and name their folder there. aidb does not download models"
        )
    return pipeline


def _docling_models() -> Path:
    if importlib.util.find_spec("docling") is None:
        raise OperationalError(
            "read_documents(): parser 'docling' needs Docling, which is not installed: pip install docling, then "
            f"docling-tools models download -o <folder> and set {DOCLING_MODELS_ENV}=<folder>"
        )
    folder = Path(os.environ.get(DOCLING_MODELS_ENV) or Path.home() / ".cache" / "docling" / "models")
    if not folder.is_dir() or not any(folder.iterdir()):
        raise OperationalError(
            f"read_documents(): parser 'docling': Docling's models are not in {folder}; run docling-tools models download "
            f"-o {folder} (or set {DOCLING_MODELS_ENV} to where they are). aidb does not download models"
        )
    return folder


def mineru_blocks(path: Path) -> list[Block]:
    """Run MinerU's pipeline backend on `path` offline (local models) and map its content list to blocks."""
    with tempfile.TemporaryDirectory(prefix="aidb-mineru-") as out:
        environment = {**os.environ, "MINERU_MODEL_SOURCE": "local"}
        command = ["mineru", "-p", str(path), "-o", out, "-b", "pipeline"]
        try:
            done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=MINERU_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise DataError(f"read_documents(): MinerU did not finish {path} within {MINERU_TIMEOUT_S} s") from None
        lists = sorted(Path(out).rglob("*_content_list.json"))
        if done.returncode != 0 or not lists:
            tail = " ".join((done.stderr or done.stdout or "").split()[-40:])
            raise DataError(f"read_documents(): MinerU failed on {path} (exit status {done.returncode}): {tail}")
        items = json.loads(lists[0].read_text(encoding="utf-8"))
    return [b for b in (_mineru_block(item) for item in items) if b is not None]


def _mineru_block(item: dict[str, Any]) -> Block | None:
    kind = item.get("type")
    page = int(item.get("page_idx", 0)) + 1
    bbox = tuple(float(v) for v in item["bbox"]) if len(item.get("bbox") or ()) == 4 else None
    text = (item.get("text") or "").strip()
    if kind == "text" and item.get("text_level"):
        return Block(page, "title", text, heading_markdown(text, int(item["text_level"])), bbox)
    if kind == "text" and text:
        return Block(page, "text", text, text, bbox)
    if kind == "list":
        items = [str(i).strip() for i in item.get("list_items") or text.splitlines() if str(i).strip()]
        return Block(page, "list", "\n".join(items), list_markdown(items), bbox)
    if kind == "equation" and text:
        return Block(page, "formula", text, text, bbox)
    if kind == "table":
        rows = _html_table_rows(item.get("table_body") or "")
        return Block(page, "table", table_text(rows), markdown_table(rows), bbox)
    if kind in ("image", "chart"):
        caption = " ".join(str(c) for c in item.get("image_caption") or item.get("img_caption") or []).strip()
        return Block(page, "figure_caption", caption, f"*{caption}*", bbox) if caption else None
    if kind in ("header", "footer", "page_number", "page_header", "page_footer") and text:
        return Block(page, "header_footer", text, text, bbox)
    return None


def _html_table_rows(html: str) -> list[list[str | None]]:
    if not html.strip():
        return []
    import lxml.html

    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [[" ".join(c.text_content().split()) for c in tr.iterchildren("td", "th")] for tr in root.iter("tr")]


_DOCLING_KINDS = {
    "title": "title", "section_header": "title", "text": "text", "paragraph": "text", "list_item": "list",
    "table": "table", "formula": "formula", "caption": "figure_caption", "page_header": "header_footer",
    "page_footer": "header_footer", "footnote": "text", "code": "text",
}


def docling_blocks(path: Path) -> list[Block]:
    """Convert `path` with Docling's standard PDF pipeline, models from the local folder, and map its items."""
    from docling.datamodel.base_models import InputFormat
    from docling.datamodel.pipeline_options import PdfPipelineOptions
    from docling.document_converter import DocumentConverter, PdfFormatOption

    options = PdfPipelineOptions(artifacts_path=str(_docling_models()))
    converter = DocumentConverter(format_options={InputFormat.PDF: PdfFormatOption(pipeline_options=options)})
    document = converter.convert(str(path)).document
    blocks: list[Block] = []
    for item, level in document.iterate_items(with_groups=False):
        label = str(getattr(item.label, "value", item.label))
        kind = _DOCLING_KINDS.get(label)
        if kind is None:
            continue
        page, bbox = 1, None
        if getattr(item, "prov", None):
            provenance = item.prov[0]
            page = provenance.page_no
            height = document.pages[page].size.height
            box = provenance.bbox.to_top_left_origin(page_height=height)
            bbox = (box.l, box.t, box.r, box.b)
        if kind == "table":
            frame = item.export_to_dataframe(doc=document)
            rows = [[str(c) for c in frame.columns]] + [[str(v) for v in row] for row in frame.itertuples(index=False)]
            blocks.append(Block(page, "table", table_text(rows), markdown_table(rows), bbox))
            continue
        text = (getattr(item, "text", "") or "").strip()
        if not text:
            continue
        markdown = heading_markdown(text, level if kind == "title" else 1) if kind == "title" else (
            list_markdown([text]) if kind == "list" else text)
        blocks.append(Block(page, kind, text, markdown, bbox))
    return blocks

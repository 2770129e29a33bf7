"""read_documents(parser := 'mineru' | 'docling'): the model-based PDF parsers, when installed with their models.

Neither is a dependency of aidb (each pulls in GBs of models and frameworks), and aidb never downloads models:
`check_parser` fails before any work unless the package is installed and its models are on disk, naming what to
install and where the models must be. Their output maps onto read_documents' block rows:
- MinerU (the `mineru` command, pipeline backend) writes `<name>_content_list.json`: items with `type` (text with
  `text_level` for titles, list, table with `table_body` HTML and `table_caption`, equation with LaTeX, image and
  chart with their captions, code, header, footer, page_number, aside_text, page_footnote), `page_idx` and `bbox`
  in thousandths of the page;
- Docling's `DocumentConverter` gives a DoclingDocument (docling-core) whose items carry a label, the text and
  their page and box.
The mappings are tested on outputs built to those formats (tests/ops/test_external_parsers.py); the parsers
themselves need their models, which this project never downloads.
"""

from __future__ import annotations

import importlib.metadata
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
MINERU_MAJOR_VERSIONS = (2, 3)  # 2.0-3.4 have the command and content list read here; 4.0 replaced both
MINERU_REQUIREMENT = '"mineru[core]>=2,<4"'


def check_parser(parser: str) -> None:
    if parser == "mineru":
        _mineru_models()
    elif parser == "docling":
        _docling_models()


def _mineru_models() -> Path:
    if shutil.which("mineru") is None:
        raise OperationalError(
            f"read_documents(): parser 'mineru' needs MinerU, which is not installed: pip install {MINERU_REQUIREMENT}, "
            "then download its models with mineru-models-download (they go to the folder named in ~/mineru.json)"
        )
    try:
        check_mineru_version(importlib.metadata.version("mineru"))
    except importlib.metadata.PackageNotFoundError:
        pass  # the command comes from another environment (pipx, a venv on PATH): its version is not ours to read
    # MinerU reads $MINERU_TOOLS_CONFIG_JSON as a file name in the home folder unless it is an absolute path
    return mineru_pipeline_models(Path.home() / os.environ.get(MINERU_CONFIG_ENV, "mineru.json"))


def check_mineru_version(version: str) -> None:
    """MinerU 4 replaced the `mineru -p FILE -o DIR -b pipeline` command (and its content list) that aidb runs."""
    major = version.split(".", 1)[0]
    if not major.isdigit() or not MINERU_MAJOR_VERSIONS[0] <= int(major) <= MINERU_MAJOR_VERSIONS[1]:
        raise OperationalError(
            f"read_documents(): parser 'mineru' runs MinerU {MINERU_MAJOR_VERSIONS[0]}.x-{MINERU_MAJOR_VERSIONS[1]}.x "
            f"(its `mineru -b pipeline` command and content list); MinerU {version} is installed: pip install {MINERU_REQUIREMENT}"
        )


def mineru_pipeline_models(config: Path) -> Path:
    """The folder of MinerU's pipeline models that its config file names (`models-dir.pipeline`), if it exists."""
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
    return docling_models_folder(Path(os.environ.get(DOCLING_MODELS_ENV) or Path.home() / ".cache" / "docling" / "models"))


def docling_models_folder(folder: Path) -> Path:
    """`folder` when Docling's models are in it (what `docling-tools models download -o folder` made)."""
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
    return mineru_content_blocks(items, _page_sizes(path))


def _page_sizes(path: Path) -> list[tuple[float, float]]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [(float(page.width), float(page.height)) for page in pdf.pages]


def mineru_content_blocks(items: list[dict[str, Any]], page_sizes: list[tuple[float, float]]) -> list[Block]:
    """Blocks of a MinerU content list (`<name>_content_list.json`, pipeline backend), in its reading order.

    MinerU states boxes in thousandths of the page's width and height (its `_build_bbox`); they become PDF points
    from the page's top-left corner with `page_sizes` (width, height per page, in points), as pdfplumber's are.
    """
    blocks: list[Block] = []
    for item in items:
        page = int(item.get("page_idx", 0)) + 1
        box = item.get("bbox") or ()
        size = page_sizes[page - 1] if 0 < page <= len(page_sizes) else None
        bbox = None
        if len(box) == 4 and size is not None:
            bbox = tuple(round(float(v) * size[i % 2] / 1000, 2) for i, v in enumerate(box))
        blocks.extend(Block(page, kind, text, markdown, bbox) for kind, text, markdown in _mineru_item(item))
    return blocks


def _mineru_item(item: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(block_type, text, markdown) for one content-list item: a table or figure gives its captions too."""
    kind = item.get("type")
    text = " ".join(str(item.get("text") or "").split())
    if kind == "text" and text:
        level = int(item.get("text_level") or 0)
        return [("title", text, heading_markdown(text, level)) if level else ("text", text, text)]
    if kind == "list":
        entries = [" ".join(str(i).split()) for i in item.get("list_items") or [] if str(i).strip()]
        return [("list", "\n".join(entries), list_markdown(entries))] if entries else []
    if kind == "equation" and text:
        latex = str(item["text"]).strip()
        return [("formula", latex.strip("$").strip(), latex)]
    if kind in ("header", "footer", "page_number", "aside_text") and text:
        return [("header_footer", text, text)]
    if kind == "page_footnote" and text:
        return [("text", text, text)]
    if kind == "code" and str(item.get("code_body") or "").strip():
        code = str(item["code_body"]).strip("\n")
        return [("text", code, f"```\n{code}\n```")]
    captions = _captions(item, ("table_caption",) if kind == "table" else ("image_caption", "img_caption", "chart_caption"))
    if kind == "table":
        rows = _html_table_rows(item.get("table_body") or "")
        return captions + ([("table", table_text(rows), markdown_table(rows))] if rows else [])
    if kind in ("image", "chart"):
        return captions
    return []


def _captions(item: dict[str, Any], keys: tuple[str, ...]) -> list[tuple[str, str, str]]:
    found = [" ".join(str(c).split()) for key in keys for c in item.get(key) or [] if str(c).strip()]
    return [("figure_caption", caption, f"*{caption}*") for caption in found]


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
    return docling_document_blocks(converter.convert(str(path)).document)


def docling_document_blocks(document: Any) -> list[Block]:
    """Blocks of a DoclingDocument (docling-core's model of a converted document), in its reading order.

    Boxes become PDF points from the page's top-left corner (`BoundingBox.to_top_left_origin`); headings take
    Docling's own Markdown levels (the title `#`, a level-n section header n+1 `#`).
    """
    blocks: list[Block] = []
    for item, _depth in document.iterate_items(with_groups=False, traverse_pictures=True):
        label = str(getattr(item.label, "value", item.label))
        kind = _DOCLING_KINDS.get(label)
        if kind is None:
            continue
        page, bbox = 1, None
        if getattr(item, "prov", None):
            provenance = item.prov[0]
            page = provenance.page_no
            box = provenance.bbox.to_top_left_origin(page_height=document.pages[page].size.height)
            bbox = (round(box.l, 2), round(box.t, 2), round(box.r, 2), round(box.b, 2))
        if kind == "table":
            rows = [[cell.text for cell in row] for row in item.data.grid]
            if rows:
                blocks.append(Block(page, "table", table_text(rows), markdown_table(rows), bbox))
            continue
        text = " ".join((getattr(item, "text", "") or "").split())
        if not text:
            continue
        if label == "title":
            markdown = heading_markdown(text, 1)
        elif label == "section_header":
            markdown = heading_markdown(text, getattr(item, "level", 1) + 1)
        elif kind == "list":
            marker = getattr(item, "marker", "") if getattr(item, "enumerated", False) else ""
            markdown = f"{marker} {text}" if marker else list_markdown([text])
        elif kind == "formula":
            markdown = f"$${text}$$"
        elif kind == "figure_caption":
            markdown = f"*{text}*"
        else:
            markdown = text
        blocks.append(Block(page, kind, text, markdown, bbox))
    return blocks

"""MinerU's and Docling's outputs as read_documents' block rows, and the errors naming where their models must be.

Neither parser can run here (their models are never downloaded), so the outputs are built to their formats: a
MinerU content list as MinerU's pipeline backend writes it (docs/en/reference/output_files.md, its
`make_blocks_to_content_list`), and a DoclingDocument built with docling-core's own API.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aidb.errors import OperationalError
from aidb.ops.document_blocks import Block
from aidb.ops.external_parsers import (
    check_mineru_version,
    docling_document_blocks,
    docling_models_folder,
    mineru_content_blocks,
    mineru_pipeline_models,
)

LETTER = (612.0, 792.0)  # points

CONTENT_LIST = [
    {"type": "header", "text": "Journal of Hydrology 310 (2005) ", "bbox": [100, 20, 500, 35], "page_idx": 0},
    {"type": "text", "text": "The response of flow duration curves to afforestation ", "text_level": 1,
     "bbox": [120, 80, 880, 120], "page_idx": 0},
    {"type": "text", "text": "Received 1 October 2003;\nrevised 22 December 2004 ", "bbox": [120, 130, 880, 150], "page_idx": 0},
    {"type": "text", "text": "1. Introduction ", "text_level": 2, "bbox": [120, 160, 400, 175], "page_idx": 1},
    {"type": "list", "sub_type": "ref_text", "list_items": ["[1] Bosch, J.M., 1982. ", " ", "[2] Zhang, L., 2001. "],
     "bbox": [120, 180, 880, 230], "page_idx": 1},
    {"type": "image", "img_path": "images/a8ec.jpg", "image_caption": ["Fig. 1. Annual flow duration curves. "],
     "image_footnote": [], "bbox": [120, 240, 880, 500], "page_idx": 1},
    {"type": "image", "img_path": "images/b9fd.jpg", "image_caption": [], "image_footnote": [], "page_idx": 1},
    {"type": "equation", "img_path": "images/181e.jpg", "text": "$$\nQ _ { \\% } = f ( P ) + g ( T )\n$$",
     "text_format": "latex", "bbox": [300, 520, 700, 550], "page_idx": 1},
    {"type": "table", "img_path": "images/e3cb.jpg", "table_caption": ["Table 2 Significance of the terms "],
     "table_footnote": ["na: too few data "],
     "table_body": "<html><body><table><tr><td>Site</td><td>10</td></tr><tr><td>Redhill</td><td>P,T</td></tr></table></body></html>",
     "bbox": [120, 560, 880, 700], "page_idx": 1},
    {"type": "code", "sub_type": "code", "code_caption": [], "code_body": "x = 1\ny = x + 1", "bbox": [120, 710, 500, 740],
     "page_idx": 1},
    {"type": "page_number", "text": "2", "bbox": [490, 960, 510, 975], "page_idx": 1},
    {"type": "page_footnote", "text": "Corresponding author. ", "page_idx": 1},
]


def test_a_mineru_content_list_becomes_block_rows() -> None:
    blocks = mineru_content_blocks(CONTENT_LIST, [LETTER, LETTER])
    assert [(b.page, b.block_type, b.text) for b in blocks] == [
        (1, "header_footer", "Journal of Hydrology 310 (2005)"),
        (1, "title", "The response of flow duration curves to afforestation"),
        (1, "text", "Received 1 October 2003; revised 22 December 2004"),
        (2, "title", "1. Introduction"),
        (2, "list", "[1] Bosch, J.M., 1982.\n[2] Zhang, L., 2001."),
        (2, "figure_caption", "Fig. 1. Annual flow duration curves."),
        (2, "formula", "Q _ { \\% } = f ( P ) + g ( T )"),
        (2, "figure_caption", "Table 2 Significance of the terms"),
        (2, "table", "Site\t10\nRedhill\tP,T"),
        (2, "text", "x = 1\ny = x + 1"),
        (2, "header_footer", "2"),
        (2, "text", "Corresponding author."),
    ]
    markdown = {b.block_type: b.markdown for b in blocks if b.page == 2}
    assert markdown["title"] == "## 1. Introduction" and blocks[1].markdown == "# The response of flow duration curves to afforestation"
    assert markdown["table"] == "| Site | 10 |\n|---|---|\n| Redhill | P,T |"
    assert markdown["formula"] == "$$\nQ _ { \\% } = f ( P ) + g ( T )\n$$"
    assert markdown["list"] == "- [1] Bosch, J.M., 1982.\n- [2] Zhang, L., 2001."


def test_mineru_boxes_in_thousandths_become_points() -> None:
    title = mineru_content_blocks(CONTENT_LIST[1:2], [LETTER])[0]
    assert title.bbox == (73.44, 63.36, 538.56, 95.04)  # 120/1000 * 612, 80/1000 * 792, ...
    assert mineru_content_blocks(CONTENT_LIST[-1:], [LETTER, LETTER])[0].bbox is None  # no box stated
    assert mineru_content_blocks(CONTENT_LIST[3:4], [LETTER])[0].bbox is None  # a page the PDF does not have


def test_docling_document_becomes_block_rows() -> None:
    from docling_core.types.doc import (BoundingBox, CoordOrigin, DocItemLabel, DoclingDocument, ProvenanceItem, Size,
                                        TableCell, TableData)

    document = DoclingDocument(name="report")
    document.add_page(page_no=1, size=Size(width=LETTER[0], height=LETTER[1]))

    def on_page(left: float, top: float, right: float, bottom: float) -> ProvenanceItem:  # PDF's bottom-left origin
        return ProvenanceItem(page_no=1, bbox=BoundingBox(l=left, t=top, r=right, b=bottom, coord_origin=CoordOrigin.BOTTOMLEFT),
                              charspan=(0, 0))

    document.add_text(DocItemLabel.PAGE_HEADER, "ACME Corp", prov=on_page(72, 780, 140, 770))
    document.add_title("Annual report", prov=on_page(72, 740, 300, 720))
    document.add_heading("Results", level=1, prov=on_page(72, 700, 200, 685))
    document.add_text(DocItemLabel.TEXT, "Revenue grew  in every quarter.", prov=on_page(72, 670, 400, 640))
    group = document.add_list_group()
    document.add_list_item("first point", parent=group, prov=on_page(72, 630, 300, 620))
    document.add_list_item("second point", parent=group, enumerated=True, marker="2.", prov=on_page(72, 615, 300, 605))
    document.add_formula("E = m c^2", prov=on_page(100, 600, 200, 590))
    cells = [TableCell(text=text, start_row_offset_idx=i // 2, end_row_offset_idx=i // 2 + 1, start_col_offset_idx=i % 2,
                       end_col_offset_idx=i % 2 + 1, column_header=i < 2) for i, text in enumerate(["quarter", "revenue", "Q1", "10"])]
    caption = document.add_text(DocItemLabel.CAPTION, "Table 1: Revenue", prov=on_page(72, 580, 200, 570))
    document.add_table(data=TableData(num_rows=2, num_cols=2, table_cells=cells), caption=caption, prov=on_page(72, 560, 300, 500))
    document.add_picture(prov=on_page(72, 490, 300, 410))  # a picture without caption gives no block
    document.add_text(DocItemLabel.PAGE_FOOTER, "Page 1", prov=on_page(300, 30, 330, 20))
    assert docling_document_blocks(document) == [
        Block(1, "header_footer", "ACME Corp", "ACME Corp", (72.0, 12.0, 140.0, 22.0)),
        Block(1, "title", "Annual report", "# Annual report", (72.0, 52.0, 300.0, 72.0)),
        Block(1, "title", "Results", "## Results", (72.0, 92.0, 200.0, 107.0)),
        Block(1, "text", "Revenue grew in every quarter.", "Revenue grew in every quarter.", (72.0, 122.0, 400.0, 152.0)),
        Block(1, "list", "first point", "- first point", (72.0, 162.0, 300.0, 172.0)),
        Block(1, "list", "second point", "2. second point", (72.0, 177.0, 300.0, 187.0)),
        Block(1, "formula", "E = m c^2", "$$E = m c^2$$", (100.0, 192.0, 200.0, 202.0)),
        Block(1, "figure_caption", "Table 1: Revenue", "*Table 1: Revenue*", (72.0, 212.0, 200.0, 222.0)),
        Block(1, "table", "quarter\trevenue\nQ1\t10", "| quarter | revenue |\n|---|---|\n| Q1 | 10 |", (72.0, 232.0, 300.0, 292.0)),
        Block(1, "header_footer", "Page 1", "Page 1", (300.0, 762.0, 330.0, 772.0)),
    ]


def test_missing_models_name_where_they_must_be(tmp_path: Path) -> None:
    config = tmp_path / "mineru.json"
    with pytest.raises(OperationalError, match=rf"MinerU's models are not on disk \({config} names no existing models-dir.pipeline"):
        mineru_pipeline_models(config)  # no config file
    config.write_text(json.dumps({"models-dir": {"pipeline": str(tmp_path / "gone"), "vlm": ""}}))
    with pytest.raises(OperationalError, match="mineru-models-download -s modelscope\\|huggingface -m pipeline"):
        mineru_pipeline_models(config)
    (tmp_path / "gone").mkdir()
    assert mineru_pipeline_models(config) == tmp_path / "gone"
    folder = tmp_path / "docling"
    folder.mkdir()
    with pytest.raises(OperationalError, match=rf"Docling's models are not in {folder}; run docling-tools models download -o {folder}"):
        docling_models_folder(folder)  # empty
    (folder / "ds4sd--docling-models").mkdir()
    assert docling_models_folder(folder) == folder


def test_only_mineru_versions_with_the_pipeline_command_are_run() -> None:
    for version in ("2.0.0", "2.7.6", "3.4.5"):
        check_mineru_version(version)
    for version in ("4.0.12", "1.3.12", "dev"):
        with pytest.raises(OperationalError, match=rf'MinerU {version} is installed: pip install "mineru\[core\]>=2,<4"'):
            check_mineru_version(version)

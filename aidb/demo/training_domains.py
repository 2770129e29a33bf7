"""Three training domains from text on every machine, for QueryDataset's tests and notebook: two real, one noise.

`web` is the bundled demo corpus's clean documents, `python_docs` the paragraphs of CPython's documentation topics
(`pydoc_data.topics`, PSF licence), `noise` strings of random printable characters (seeded): text a language
model can learn twice, and text no model can.
"""

from __future__ import annotations

import json
import random
import string

import pyarrow as pa

from aidb.demo.pipeline import CORPUS

DOMAINS = ("noise", "python_docs", "web")


def training_domains(chars: int = 256, noise_rows: int = 300, seed: int = 0) -> pa.Table:
    """(id BIGINT, domain VARCHAR, text VARCHAR): each text cut to `chars` characters, ids unique over all domains."""
    from pydoc_data.topics import topics

    web = [r["text"] for r in map(json.loads, CORPUS.read_text(encoding="utf-8").splitlines()) if r["planted"] == "clean"]
    docs = [p.strip() for t in topics.values() for p in t.split("\n\n") if len(p.strip()) >= chars // 2]
    rng = random.Random(seed)
    printable = string.ascii_letters + string.digits + string.punctuation + " "
    noise = ["".join(rng.choice(printable) for _ in range(chars)) for _ in range(noise_rows)]
    rows = [("web", t) for t in web] + [("python_docs", t) for t in docs] + [("noise", t) for t in noise]
    return pa.table(
        {
            "id": pa.array(range(1, len(rows) + 1), pa.int64()),
            "domain": [d for d, _ in rows],
            "text": [" ".join(t.split())[:chars] for _, t in rows],
        }
    )

"""Every SQL function, macro, operator, table function and statement of aidb as one list: name, kind, doc, example."""

from __future__ import annotations

from dataclasses import dataclass

from aidb.agent.operator_examples import DOCS, EXAMPLES, KEYWORDS
from aidb.functions.registry import load_function_modules
from aidb.ops.operator_registry import load_operator_modules
from aidb.storage.macros import macro_docs

STATEMENTS = tuple(name for name in EXAMPLES if name.isupper() or " " in name)
TABLE_FUNCTIONS = ("vector_search", "batch_vector_search", "text_search", "hybrid_search", "why_dropped", "aidb_functions")


@dataclass(frozen=True)
class OperatorEntry:
    name: str
    kind: str  # 'function', 'macro', 'operator', 'table function' or 'statement'
    doc: str
    example: str
    step: str  # the pipeline step it serves (operator_examples.STEPS), 'analysis' or 'admin'

    @property
    def search_text(self) -> str:
        """What retrieval compares a goal with: the name as words, the doc line and the words a user would say."""
        return f"{self.name.replace('_', ' ').lower()}: {self.doc} {KEYWORDS.get(self.name, '')}".strip()


def operator_entries() -> list[OperatorEntry]:
    """The entries in a fixed order (kind, then name); a name without an example is left out (the tests name it)."""
    docs: dict[str, tuple[str, str]] = {}
    for name, function in load_function_modules().items():
        docs[name] = ("function", function.doc)
    for name, macro in macro_docs().items():
        docs[name] = ("macro", macro.doc)
    for name, operator in load_operator_modules().items():
        docs[name] = ("operator", DOCS.get(name, operator.doc))
    for name in TABLE_FUNCTIONS:
        docs[name] = ("table function", DOCS[name])
    for name in STATEMENTS:
        docs[name] = ("statement", DOCS[name])
    entries = [
        OperatorEntry(name, kind, doc, EXAMPLES[name][1], EXAMPLES[name][0])
        for name, (kind, doc) in docs.items()
        if name in EXAMPLES and not name.startswith("_")
    ]
    return sorted(entries, key=lambda e: (e.kind, e.name))


def missing_examples() -> list[str]:
    """Names some registry declares that have no example in operator_examples.EXAMPLES."""
    declared = set(load_function_modules()) | set(macro_docs()) | set(load_operator_modules())
    return sorted(n for n in declared if n not in EXAMPLES and not n.startswith("_"))

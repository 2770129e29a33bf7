"""The loader of TYPE language_id models: fastText language-ID files (lid.176.bin) and the built-in py3langid model.

The built-in default is py3langid's naive Bayes model over byte n-grams (Lui & Baldwin 2012, langid.py; 97 ISO
639-1 languages), which the `py3langid` wheel ships, so it works offline; it is loaded on first use (~3 s).
`CREATE MODEL lid TYPE language_id FROM '/models/lid.176.bin'` registers a fastText supervised model whose labels
are `__label__<lang>` (Joulin et al. 2017; the 176-language model FastText publishes, or one of your own).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from aidb.errors import NotSupportedError, OperationalError
from aidb.models.kenlm_training import file_fingerprint
from aidb.models.loaders import ModelDescription, builtin_default, model_loader
from aidb.storage.catalog import ModelRecord

BUILTIN_NAME = "py3langid"
BUILTIN_SOURCE = "builtin:py3langid"
_LABEL = "__label__"


class Py3LangidIdentifier:
    """py3langid's bundled model, probabilities normalised over its languages."""

    def __init__(self) -> None:
        try:
            from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
        except ImportError as error:  # a runtime dependency; reinstalling aidb brings it back
            raise NotSupportedError("lang_id() needs the py3langid package: pip install py3langid") from error
        self._identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)

    def identify(self, texts: list[str]) -> tuple[list[str], np.ndarray]:
        results = [self._identifier.classify(text) for text in texts]
        return [lang for lang, _ in results], np.array([score for _, score in results], dtype=np.float64)


class FastTextIdentifier:
    """A fastText supervised model whose labels are `__label__<lang>` (e.g. lid.176.bin)."""

    def __init__(self, path: Path) -> None:
        try:
            import fasttext
        except ImportError as error:
            raise NotSupportedError("fastText language-ID models need the fastText package: pip install fasttext-wheel") from error
        try:
            # FastText._FastText skips load_model()'s deprecation banner on stderr.
            self._model = fasttext.FastText._FastText(model_path=str(path))
        except ValueError as error:
            raise OperationalError(f"cannot read fastText model {path}: {error}") from error
        labels = self._model.get_labels()
        if not labels or not all(label.startswith(_LABEL) for label in labels):
            raise OperationalError(f"{path} is not a fastText language-ID model: its labels are not __label__<lang>")

    def identify(self, texts: list[str]) -> tuple[list[str], np.ndarray]:
        # multilinePredict directly (fasttext 0.9.2's predict() breaks on NumPy 2); one line per text, ending in
        # "\n" as predict() writes it (fastText's end-of-sentence token).
        lines = [" ".join(text.split()) + "\n" for text in texts]
        labels, probabilities = self._model.f.multilinePredict(lines, 1, 0.0, "strict")
        langs = [names[0][len(_LABEL) :] if names else None for names in labels]
        scores = np.array([min(float(p[0]), 1.0) if len(p) else np.nan for p in probabilities], dtype=np.float64)
        return langs, scores


@model_loader("language_id")
class LanguageIdLoader:
    """fastText language-ID files and the built-in py3langid model."""

    def describe(self, source: str, options: dict[str, object]) -> ModelDescription:
        path = Path(source).expanduser().resolve()
        if not path.is_file():
            raise OperationalError(f"language-ID model file {path} does not exist")
        FastTextIdentifier(path)  # a full load: the only reliable check of the file
        return ModelDescription(fingerprint=file_fingerprint(path), source=str(path))

    def load(self, record: ModelRecord) -> Any:
        if record.source == BUILTIN_SOURCE:
            return Py3LangidIdentifier()
        path = Path(record.source)
        if record.fingerprint is not None and file_fingerprint(path) != record.fingerprint:
            raise OperationalError(
                f"language-ID model file {path} changed since CREATE MODEL {record.name}; "
                f"run CREATE OR REPLACE MODEL {record.name} TYPE language_id FROM '{path}' to accept the new file"
            )
        return FastTextIdentifier(path)


builtin_default(ModelRecord(name=BUILTIN_NAME, kind="language_id", source=BUILTIN_SOURCE, fingerprint="py3langid-0.4", is_default=True))

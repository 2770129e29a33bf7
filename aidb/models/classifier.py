"""Text quality classifiers trained inside the database (`CREATE CLASSIFIER`) and loaded for `classify`.

Two trainers, chosen with `USING`:
- 'logreg' (default): hashed word uni/bigram counts + logistic regression, the quality filter of
  GPT-3 (Brown et al. 2020, appendix A: Spark HashingTF features + logistic regression, trained to
  tell curated reference text from raw Common Crawl).
- 'fasttext': a fastText supervised model over word bigrams (Joulin et al. 2017), as used for the
  DCLM-Baseline quality filter (Li et al. 2024). Needs the `fasttext-wheel` package.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlglot import exp

from aidb.errors import NotSupportedError, OperationalError, ProgrammingError
from aidb.models.classifier_data import LabelledTexts, read_labelled_texts, split_held_out
from aidb.models.loaders import ModelDescription, TrainingContext, model_loader
from aidb.catalog_records import ModelRecord
from aidb.storage.model_files import fingerprint_files, store_model_file

if TYPE_CHECKING:
    import numpy as np

TRAINERS = ("logreg", "fasttext")
DEFAULT_TRAINER = "logreg"
# 2**18 hashed features keeps a model file ~2 MB while collisions stay rare for quality-filter vocabularies.
HASHED_FEATURES = 2**18
# fastText's defaults (dim 100, 2M bigram buckets) make an 800 MB file; 32 x 2**17 gives ~17 MB, ample
# for a two-class quality filter (Joulin et al. 2017 report dim 10 already works for classification).
FASTTEXT_DIM = 32
FASTTEXT_BUCKETS = 2**17


class TextClassifier(Protocol):
    def positive_probability(self, texts: list[str]) -> np.ndarray: ...


@model_loader("classifier")
class ClassifierLoader:
    def describe(self, source: str, options: dict[str, object]) -> ModelDescription:
        raise NotSupportedError(
            "classifiers are trained in the database: CREATE CLASSIFIER name FROM (SELECT text, label FROM ...) "
            f"[USING {' | '.join(repr(t) for t in TRAINERS)}]"
        )

    def train(self, context: TrainingContext, name: str, query_sql: str, using: exp.Expression | None, options: dict[str, object]) -> ModelDescription:
        trainer = (using.name if using is not None else DEFAULT_TRAINER).lower()
        if trainer not in TRAINERS:
            raise ProgrammingError(f"CREATE CLASSIFIER: unknown trainer {trainer!r}; USING one of {', '.join(repr(t) for t in TRAINERS)}")
        if trainer == "fasttext":
            _import_fasttext()  # fail before reading data when the package is missing
        labelled = read_labelled_texts(context.read_query(query_sql), options.get("positive"))
        split = split_held_out(labelled, float(options.get("test_fraction", 0.2)), int(options.get("seed", 0)))
        fit = _fit_fasttext if trainer == "fasttext" else _fit_logreg
        suffix = ".bin" if trainer == "fasttext" else ".joblib"
        path, fingerprint = store_model_file(
            context.model_files_dir(), name, suffix, lambda target: fit(split.train, options, target)
        )
        accuracy = _accuracy(_classifier(trainer, path), split.test)
        return ModelDescription(
            fingerprint=fingerprint,
            source=str(path),
            metrics={
                "trainer": trainer,
                "positive_label": labelled.positive_label,
                "train_rows": len(split.train.labels),
                "test_rows": len(split.test.labels),
                "accuracy": accuracy,
            },
        )

    def load(self, record: ModelRecord) -> TextClassifier:
        path = Path(record.source)
        if not path.is_file():
            raise OperationalError(f"classifier {record.name!r}: its model file {path} is missing; re-create it with CREATE OR REPLACE CLASSIFIER")
        # The file is unpickled (logreg): refuse one that is not the file the catalog recorded.
        if record.fingerprint and fingerprint_files([path], include_names=False) != record.fingerprint:
            raise OperationalError(f"classifier {record.name!r}: {path} changed since it was trained (fingerprint mismatch)")
        return _classifier(str(record.option_values.get("trainer", DEFAULT_TRAINER)), path)


def _classifier(trainer: str, path: Path) -> TextClassifier:
    return FastTextClassifier(path) if trainer == "fasttext" else LogRegClassifier(path)


def _accuracy(classifier: TextClassifier, test: LabelledTexts) -> float:
    predicted = classifier.positive_probability(test.texts) >= 0.5
    correct = sum(int(p) == y for p, y in zip(predicted, test.labels))
    return round(correct / len(test.labels), 4)


# -- logistic regression (scikit-learn) ------------------------------------------------------------


def _fit_logreg(train: LabelledTexts, options: dict[str, object], target: Path) -> None:
    import joblib
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipeline = make_pipeline(
        HashingVectorizer(n_features=HASHED_FEATURES, ngram_range=(1, 2), alternate_sign=False, norm=None),
        TfidfTransformer(sublinear_tf=True),
        LogisticRegression(C=float(options.get("c", 10.0)), max_iter=1000),
    )
    pipeline.fit(train.texts, train.labels)
    joblib.dump(pipeline, target)


class LogRegClassifier:
    def __init__(self, path: Path) -> None:
        import joblib

        self._pipeline = joblib.load(path)
        self._positive_column = list(self._pipeline.classes_).index(1)

    def positive_probability(self, texts: list[str]) -> np.ndarray:
        return self._pipeline.predict_proba(texts)[:, self._positive_column]


# -- fastText --------------------------------------------------------------------------------------


def _import_fasttext():
    try:
        import fasttext
    except ImportError as error:
        raise NotSupportedError("USING 'fasttext' needs the fastText package: pip install fasttext-wheel (or use USING 'logreg')") from error
    return fasttext


def _one_line(text: str) -> str:
    # fastText reads one example per line and rejects newlines in predict().
    return " ".join(text.split())


def _fit_fasttext(train: LabelledTexts, options: dict[str, object], target: Path) -> None:
    fasttext = _import_fasttext()
    examples = target.with_suffix(".train.txt")
    try:
        with open(examples, "w", encoding="utf-8") as handle:
            for text, label in zip(train.texts, train.labels):
                handle.write(f"__label__{label} {_one_line(text)}\n")
        model = fasttext.train_supervised(
            input=str(examples),
            epoch=int(options.get("epoch", 25)),
            lr=float(options.get("lr", 0.5)),
            wordNgrams=2,
            dim=int(options.get("dim", FASTTEXT_DIM)),
            bucket=int(options.get("bucket", FASTTEXT_BUCKETS)),
            thread=1,  # one thread: training is deterministic for a given seed
            seed=int(options.get("seed", 0)),
            verbose=0,
        )
        model.save_model(str(target))
    finally:
        os.unlink(examples)


class FastTextClassifier:
    def __init__(self, path: Path) -> None:
        fasttext = _import_fasttext()
        # FastText._FastText skips load_model()'s deprecation banner on stderr.
        self._model = fasttext.FastText._FastText(model_path=str(path))

    def positive_probability(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        # multilinePredict directly: fasttext 0.9.2's predict() wrapper breaks on NumPy 2 (np.array(copy=False)),
        # and under NumPy 2 only the top label's probability comes back intact, so ask for k=1 and take the
        # complement when the top label is the negative one (two classes, softmax: they sum to 1).
        # Each line ends with "\n" as predict() writes it: fastText reads that as the end-of-sentence token
        # </s>, which ends every training example too (without it, probabilities on unseen text move by up to 0.4).
        labels, probabilities = self._model.f.multilinePredict([_one_line(t) + "\n" for t in texts], 1, 0.0, "strict")
        out = np.empty(len(texts))
        for row, (names, probs) in enumerate(zip(labels, probabilities)):
            top = float(probs[0])
            out[row] = top if names[0] == "__label__1" else 1.0 - top
        return np.clip(out, 0.0, 1.0)

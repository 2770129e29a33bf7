"""QueryDataset: a PyTorch IterableDataset of batches drawn from a query by domain weights that training can change.

Each batch's domain counts are a multinomial draw over the current weights from a generator seeded by
(seed, step, worker), and each domain's rows come from its own seeded shuffled stream (domain_streams.py), so
a batch is a function of the seed, the step, the weights and the streams' positions: `state_dict()` saves them
and `load_state_dict()` resumes exactly. `feedback()` takes the training loss per domain and moves the weights
(mixture_weights.py); `select()` keeps the best examples of an over-sampled batch (example_selection.py). Every
weight update and every kept example is written to the catalog (aidb.training_log, aidb.training_selections).
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

from aidb.engine.shared_database import open_database_files
from aidb.errors import DataError, OperationalError, ProgrammingError, did_you_mean
from aidb.storage.training_log import append_training_rows, forget_training_rows_after
from aidb.training.domain_streams import DomainStreams, QueryRows, Shard
from aidb.training.example_selection import SELECTIONS, selection_scores, top_k
from aidb.training.mixture_weights import StaticWeights, weight_method

STATE_VERSION = 1
_inherited_databases: list[str] = []


def _note_inherited_databases() -> None:
    _inherited_databases[:] = open_database_files()


# A forked DataLoader worker inherits its parent's DuckDB instances (and DuckDB's own cache of them), which it must not
# use and cannot replace: such a worker refuses to start, naming the fix.
os.register_at_fork(after_in_child=_note_inherited_databases)


class QueryDataset(IterableDataset):
    """Batches of `batch_size` rows of `sql`, mixed over the values of `domain_col` by `weights` (default: uniform).

    Use it with `DataLoader(dataset, batch_size=None)`: each item is already a batch, a dict column -> values
    (numeric columns as numpy arrays, which a DataLoader turns into tensors; others as lists).
    """

    def __init__(
        self,
        con: Any,
        sql: str,
        batch_size: int,
        domain_col: str,
        *,
        weights: Mapping[str, float] | None = None,
        seed: int = 0,
        id_col: str = "id",
        method: str | None = None,
        reference_losses: Mapping[str, float] | None = None,
        method_options: Mapping[str, float] | None = None,
        select: str | None = None,
        oversample: int = 4,
        steps: int | None = None,
        chunk_rows: int = 1024,
        run: str | None = None,
        log_con: Any = None,
    ) -> None:
        super().__init__()
        for name, value, low in (("batch_size", batch_size, 1), ("oversample", oversample, 1), ("chunk_rows", chunk_rows, 1), ("seed", seed, 0)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ProgrammingError(f"QueryDataset: argument {name} must be an integer >= {low}, got {value!r}")
        if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 0):
            raise ProgrammingError(f"QueryDataset: argument steps must be None or an integer >= 0, got {steps!r}")
        if select is not None and select not in SELECTIONS:
            raise ProgrammingError(f"QueryDataset: argument select must be one of {', '.join(SELECTIONS)} or None, got {select!r}")
        self.con, self.log_con = con, log_con if log_con is not None else con
        self.sql, self.batch_size, self.domain_col, self.id_col, self.seed = sql, batch_size, domain_col, id_col, seed
        self.select_method, self.oversample, self.steps, self.chunk_rows = select, oversample, steps, chunk_rows
        self.path = con.path
        self.run = run or f"run-{uuid.uuid4().hex[:12]}"
        self._rows = QueryRows(con, sql, domain_col, id_col, seed)
        shape = self._rows.shape()
        self.columns, self.domain_rows = shape.columns, shape.domain_rows
        self.domains = sorted(self.domain_rows)
        if not self.domains:
            raise DataError("QueryDataset: the query returns no rows")
        start = self._starting_weights(weights)
        options = dict(method_options or {})
        try:
            self._schedule: StaticWeights = weight_method(method, self.domains, start, dict(reference_losses or {}), options)
        except TypeError as error:  # an option the method does not take
            raise ProgrammingError(f"QueryDataset: method_options {sorted(options)} do not fit method={method!r}: {error}") from error
        self.method = method
        # Shared memory: DataLoader worker processes read the weights that feedback() sets in the training process.
        self._weights = torch.tensor(start, dtype=torch.float64).share_memory_()
        self.step = 0  # batches handed out by this process's iterator
        self.updates = 0  # feedback() calls
        self.selections = 0  # select() calls
        self._streams = DomainStreams(self._rows, self.domains, chunk_rows)

    # -- what a training loop calls ---------------------------------------------------------------

    @property
    def weights(self) -> dict[str, float]:
        """The current domain weights."""
        return dict(zip(self.domains, self._weights.tolist()))

    def feedback(self, domain_losses: Mapping[str, float]) -> dict[str, float]:
        """Update the weights from the mean training loss of each domain of the last step(s); returns the new weights.

        The update and the losses are appended to aidb.training_log (step = the update's number).
        """
        if self.method is None:
            raise ProgrammingError("QueryDataset.feedback: the weights are fixed; create the dataset with method='doremi' or method='odm'")
        losses = self._checked_losses(domain_losses)
        if self.updates == 0:
            self._log_weights(None)  # update 0: the weights training started from
        new = self._schedule.update(losses)
        self._weights.copy_(torch.as_tensor(new, dtype=torch.float64))
        self.updates += 1
        self._log_weights(losses)
        return self.weights

    def domain_losses(self, batch: Mapping[str, Any], losses: Any) -> dict[str, float]:
        """The mean of per-example `losses` for each domain of `batch` (what feedback() takes)."""
        values = np.asarray(losses.detach().cpu().numpy() if hasattr(losses, "detach") else losses, dtype=np.float64).reshape(-1)
        domains = list(batch[self.domain_col])
        if len(values) != len(domains):
            raise DataError(f"QueryDataset.domain_losses: {len(values)} losses for a batch of {len(domains)} rows")
        sums: dict[str, list[float]] = {}
        for domain, value in zip(domains, values):
            sums.setdefault(str(domain), []).append(float(value))
        return {d: float(np.mean(v)) for d, v in sums.items()}

    def select(self, candidates: Mapping[str, Any], losses: Any = None, logits: Any = None, targets: Any = None) -> dict[str, Any]:
        """The `batch_size` candidates to train on, by the dataset's `select` method; their ids go to aidb.training_selections."""
        if self.select_method is None:
            raise ProgrammingError("QueryDataset.select: the dataset was created without select='loss_topk' or select='gradnorm_proxy'")
        ids = list(candidates[self.id_col])
        scores = selection_scores(self.select_method, len(ids), losses, logits, targets)
        keep = top_k(scores, self.batch_size)
        domains = list(candidates[self.domain_col])
        rows = [(self.run, self.selections, str(ids[i]), str(domains[i]), float(scores[i]), self.select_method) for i in keep]
        self._write_log(lambda duck: append_training_rows(duck, "aidb.training_selections", rows), "QueryDataset.select")
        self.selections += 1
        return {name: _take(values, keep) for name, values in candidates.items()}

    # -- iteration --------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[dict[str, Any]]:
        info = get_worker_info()
        if info is None:
            yield from self._batches(self._streams, worker=0, workers=1, own_step=True)
            return
        con = self._worker_connection()
        try:
            yield from self.worker_batches(con, info.id, info.num_workers)
        finally:
            con.close()

    def worker_batches(self, con: Any, worker: int, workers: int) -> Iterator[dict[str, Any]]:
        """The batches DataLoader worker `worker` of `workers` hands out (global steps worker, worker + workers, ...),
        read through `con`: only the rows with hash(id, seed) % workers = worker, so workers share no row."""
        rows = QueryRows(con, self.sql, self.domain_col, self.id_col, self.seed, Shard(worker, workers))
        counts = rows.shape().domain_rows
        streams = DomainStreams(rows, [d for d in self.domains if counts.get(d)], self.chunk_rows)
        yield from self._batches(streams, worker=worker, workers=workers, own_step=False)

    def _batches(self, streams: DomainStreams, worker: int, workers: int, own_step: bool) -> Iterator[dict[str, Any]]:
        step = self.step if own_step else worker
        while self.steps is None or step < self.steps:
            batch = self._batch(streams, step, worker)
            step += workers
            if own_step:
                self.step = step
            yield batch

    def _batch(self, streams: DomainStreams, step: int, worker: int) -> dict[str, Any]:
        rng = np.random.default_rng([self.seed, step, worker])
        available = [i for i, d in enumerate(self.domains) if d in streams.cursors]
        weights = self._weights.numpy()[available]
        if weights.sum() <= 0:
            raise DataError(f"QueryDataset: worker {worker} has no rows of the domains with a positive weight")
        size = self.batch_size * (self.oversample if self.select_method else 1)
        counts = rng.multinomial(size, weights / weights.sum())
        rows = [row for i, n in zip(available, counts) for row in streams.take(self.domains[i], int(n))]
        rows = [rows[i] for i in rng.permutation(len(rows))]
        return {name: _column([row[name] for row in rows]) for name in self.columns}

    def _worker_connection(self) -> Any:
        import aidb

        if self.path == ":memory:":
            raise OperationalError(
                "QueryDataset: DataLoader workers open the database in their own process, which an in-memory database "
                "cannot do; use a database file or num_workers=0"
            )
        if _inherited_databases:
            raise OperationalError(
                f"QueryDataset: this DataLoader worker was forked from a process that has {', '.join(_inherited_databases)} open, "
                "and DuckDB's instances do not survive a fork: create the DataLoader with multiprocessing_context='spawn'"
            )
        try:
            return aidb.connect(self.path, read_only=True)
        except OperationalError as error:
            raise OperationalError(
                f"QueryDataset: a DataLoader worker could not open {self.path} read-only ({error}); DuckDB lets other "
                "processes read a file only when no process has it open read-write: open it with "
                "aidb.connect(path, read_only=True) for training (log_con= a writable database for the log), or use num_workers=0"
            ) from error

    # -- checkpoints ------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Where this process's iteration stands (step, each domain's stream position, the weights and their method's state)."""
        return {
            "version": STATE_VERSION,
            "run": self.run,
            "seed": self.seed,
            "domains": list(self.domains),
            "step": self.step,
            "updates": self.updates,
            "selections": self.selections,
            "streams": self._streams.state(),
            "schedule": self._schedule.state(),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Continue exactly where `state` (from state_dict) was taken: the same batches and weights follow."""
        if not isinstance(state, Mapping) or state.get("version") != STATE_VERSION:
            raise ProgrammingError(f"QueryDataset.load_state_dict: not a QueryDataset state of version {STATE_VERSION}")
        if state["seed"] != self.seed or list(state["domains"]) != self.domains:
            raise ProgrammingError(
                f"QueryDataset.load_state_dict: the checkpoint is of seed {state['seed']} over domains {state['domains']}, "
                f"this dataset of seed {self.seed} over {self.domains}"
            )
        self._streams.load_state(state["streams"])
        self._schedule.load_state(state["schedule"])
        self._weights.copy_(torch.as_tensor(self._schedule.weights, dtype=torch.float64))
        self.run, self.step, self.updates, self.selections = state["run"], int(state["step"]), int(state["updates"]), int(state["selections"])
        if self.method is not None or self.select_method is not None:
            run, updates, selections = self.run, self.updates, self.selections
            self._write_log(lambda duck: forget_training_rows_after(duck, run, updates, selections), "QueryDataset.load_state_dict")

    def __getstate__(self) -> dict[str, Any]:
        """What a spawned DataLoader worker receives: no connection (it opens its own), the shared weights."""
        state = dict(self.__dict__)
        for name in ("con", "log_con", "_rows", "_streams"):
            state[name] = None
        return state

    # -- internals --------------------------------------------------------------------------------

    def _starting_weights(self, weights: Mapping[str, float] | None) -> np.ndarray:
        if weights is None:
            return np.full(len(self.domains), 1.0 / len(self.domains))
        self._check_domains(weights, "QueryDataset: argument weights")
        values = np.array([_weight(d, weights.get(d, 0.0)) for d in self.domains])
        if values.sum() <= 0:
            raise ProgrammingError("QueryDataset: argument weights must give some domain a positive weight")
        return values / values.sum()

    def _check_domains(self, given: Any, where: str) -> None:
        """`given` is a dict keyed by domains of the query; the error names the unknown ones."""
        if not isinstance(given, Mapping):
            raise ProgrammingError(f"{where} must be a dict domain -> value, got {type(given).__name__}")
        unknown = [d for d in given if d not in self.domain_rows]
        if unknown:
            raise ProgrammingError(
                f"{where} names unknown domain(s) {', '.join(map(repr, unknown))}; the query's domains are "
                f"{', '.join(self.domains)}.{did_you_mean(str(unknown[0]), self.domains)}"
            )

    def _checked_losses(self, domain_losses: Mapping[str, float]) -> dict[str, float]:
        self._check_domains(domain_losses, "QueryDataset.feedback: domain_losses")
        losses = {}
        for domain, loss in domain_losses.items():
            value = float(loss.item() if hasattr(loss, "item") else loss)
            if not math.isfinite(value):
                raise DataError(f"QueryDataset.feedback: the loss of domain {domain!r} is {value}")
            losses[domain] = value
        return losses

    def _log_weights(self, losses: dict[str, float] | None) -> None:
        weights = self._weights.tolist()
        rows = [(self.run, self.updates, d, w, (losses or {}).get(d), self.method) for d, w in zip(self.domains, weights)]
        self._write_log(lambda duck: append_training_rows(duck, "aidb.training_log", rows), "QueryDataset.feedback")

    def _write_log(self, write: Callable[[Any], None], what: str) -> None:
        self.log_con.session.write_catalog(write, what)


def _weight(domain: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ProgrammingError(f"QueryDataset: argument weights: the weight of {domain!r} must be a number >= 0, got {value!r}")
    return float(value)


def _column(values: list[Any]) -> Any:
    """Numbers as a numpy array (a DataLoader makes it a tensor); anything else, or a column with NULLs, as a list."""
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.asarray(values)
    return values


def _take(values: Any, keep: np.ndarray) -> Any:
    if isinstance(values, (np.ndarray, torch.Tensor)):
        return values[torch.as_tensor(keep) if isinstance(values, torch.Tensor) else keep]
    return [values[i] for i in keep]

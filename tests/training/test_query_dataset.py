"""QueryDataset over a real database: batches by domain weights, a tiny language model's loss moving them, exact resume,
DataLoader workers without duplicate rows, per-example selection, and the errors a user can run into."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

import aidb
from aidb.demo.training_domains import DOMAINS, training_domains
from aidb.training import QueryDataset

VOCAB = 128  # ASCII: every byte of the three domains' text
WINDOW = 64
LEARNING_RATE = 20.0  # plain SGD on a bigram table: each row sees few of the batch's tokens


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny tensors on a shared 2-core machine: torch's thread pool costs 8x more than it gives."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def domains_table():
    return training_domains(chars=WINDOW + 1)


@pytest.fixture()
def con(domains_table):
    con = aidb.connect(":memory:", autocommit=True)
    con.register("rows_in", domains_table)
    con.execute("CREATE TABLE corpus AS SELECT * FROM rows_in")
    con.unregister("rows_in")
    yield con
    con.close()


class BigramLM(torch.nn.Module):
    """The smallest language model: the next byte's logits from the current byte."""

    def __init__(self) -> None:
        super().__init__()
        self.table = torch.nn.Embedding(VOCAB, VOCAB)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.table(tokens)


def encode(texts: list[str]) -> torch.Tensor:
    rows = [list(t.encode("ascii", "replace")[: WINDOW + 1].ljust(WINDOW + 1)) for t in texts]
    return torch.tensor(rows, dtype=torch.long).clamp(max=VOCAB - 1)


def example_losses(model: BigramLM, batch: dict) -> torch.Tensor:
    tokens = encode(batch["text"])
    logits = model(tokens[:, :-1])
    per_token = torch.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), tokens[:, 1:].reshape(-1), reduction="none")
    return per_token.view(len(tokens), -1).mean(dim=1)


def train(model: BigramLM, dataset: QueryDataset, steps: int, feedback: bool) -> list[tuple[list[int], dict]]:
    """Run `steps` steps of plain SGD (torch.optim would import torch._dynamo, ~6 s); each step's (batch ids, weights)."""
    seen = []
    for _, batch in zip(range(steps), dataset):
        losses = example_losses(model, batch)
        if feedback:
            dataset.feedback(dataset.domain_losses(batch, losses.detach()))
        model.zero_grad()
        losses.mean().backward()
        with torch.no_grad():
            for parameter in model.parameters():
                parameter -= LEARNING_RATE * parameter.grad
        seen.append((batch["id"].tolist(), dataset.weights))
    return seen


def reference_losses(con) -> dict[str, float]:
    """DoReMi's reference: a model trained on the uniform mixture, its mean loss per domain."""
    torch.manual_seed(0)
    model = BigramLM()
    dataset = QueryDataset(con, "SELECT id, domain, text FROM corpus", 32, "domain", seed=1)
    train(model, dataset, 80, feedback=False)
    with torch.no_grad():
        batch = next(iter(dataset))
        return dataset.domain_losses(batch, example_losses(model, batch))


def test_doremi_moves_weight_off_the_noise_domain_and_logs_every_update(con) -> None:
    reference = reference_losses(con)
    assert reference["noise"] > reference["web"] + 1  # noise cannot be learnt: its loss stays high
    torch.manual_seed(0)
    model = BigramLM()
    dataset = QueryDataset(con, "SELECT id, domain, text FROM corpus", 16, "domain", seed=2, method="doremi",
                           reference_losses=reference, run="doremi-test")
    seen = train(model, dataset, 20, feedback=True)
    noise_weights = [weights["noise"] for _, weights in seen]
    assert noise_weights[-1] < 1 / len(DOMAINS) / 2, noise_weights
    log = con.execute(
        "SELECT step, domain, weight, loss FROM aidb.training_log WHERE run = 'doremi-test' ORDER BY step, domain"
    ).fetchall()
    assert len(log) == 21 * len(DOMAINS)
    assert [row[2] for row in log[:3]] == pytest.approx([1 / 3] * 3) and all(row[3] is None for row in log[:3])
    assert {row[1]: row[2] for row in log[-3:]} == pytest.approx(dataset.weights)
    assert all(row[3] is not None for row in log[3:] if row[1] == "web")


def test_resuming_from_a_checkpoint_gives_the_same_batches_and_weights(con) -> None:
    reference = {"noise": 4.6, "python_docs": 2.6, "web": 2.6}
    make = lambda: QueryDataset(con, "SELECT id, domain, text FROM corpus", 8, "domain", seed=3, method="doremi",  # noqa: E731
                                reference_losses=reference, run="resume-test", chunk_rows=16)
    torch.manual_seed(0)
    model = BigramLM()
    dataset = make()
    train(model, dataset, 10, feedback=True)
    checkpoint = copy.deepcopy({"data": dataset.state_dict(), "model": model.state_dict()})
    continued = train(model, dataset, 10, feedback=True)

    model = BigramLM()
    model.load_state_dict(checkpoint["model"])
    resumed_dataset = make()
    resumed_dataset.load_state_dict(checkpoint["data"])
    resumed = train(model, resumed_dataset, 10, feedback=True)
    assert [ids for ids, _ in resumed] == [ids for ids, _ in continued]
    assert [w for _, w in resumed] == [w for _, w in continued]
    # the log holds the history once: the resumed run's updates replaced the ones after the checkpoint
    steps = con.execute("SELECT step, count(*) FROM aidb.training_log WHERE run = 'resume-test' GROUP BY step ORDER BY step").fetchall()
    assert steps == [(s, len(DOMAINS)) for s in range(21)]


def test_a_seed_fixes_the_batches_and_weights_are_honoured(con) -> None:
    sql = "SELECT id, domain, text FROM corpus"
    weights = {"web": 0.6, "python_docs": 0.4}
    first = [b["id"].tolist() for _, b in zip(range(5), QueryDataset(con, sql, 50, "domain", weights=weights, seed=7))]
    again = [b["id"].tolist() for _, b in zip(range(5), QueryDataset(con, sql, 50, "domain", weights=weights, seed=7))]
    other = [b["id"].tolist() for _, b in zip(range(5), QueryDataset(con, sql, 50, "domain", weights=weights, seed=8))]
    assert first == again and first != other
    domains = [d for _, b in zip(range(20), QueryDataset(con, sql, 50, "domain", weights=weights, seed=7)) for d in b["domain"]]
    assert "noise" not in domains
    assert domains.count("web") / len(domains) == pytest.approx(0.6, abs=0.05)


def test_an_epoch_of_a_domain_hands_out_each_row_once(con) -> None:
    count = con.execute("SELECT count(*) FROM corpus WHERE domain = 'web'").fetchone()[0]
    dataset = QueryDataset(con, "SELECT * FROM corpus", count, "domain", weights={"web": 1}, seed=0, chunk_rows=37)
    batches = iter(dataset)
    first, second = next(batches)["id"].tolist(), next(batches)["id"].tolist()
    assert len(set(first)) == count and set(first) == set(second) and first != second  # a new epoch, a new order


def test_workers_share_the_rows_without_duplicates(con) -> None:
    dataset = QueryDataset(con, "SELECT id, domain FROM corpus", 10, "domain", seed=4, steps=12)
    per_worker = [[i for b in dataset.worker_batches(con, worker, 2) for i in b["id"].tolist()] for worker in (0, 1)]
    assert [len(ids) for ids in per_worker] == [60, 60]  # steps 0, 2, ... and 1, 3, ...
    assert not set(per_worker[0]) & set(per_worker[1])
    assert all(len(set(ids)) == len(ids) for ids in per_worker)


@pytest.mark.slow
def test_dataloader_workers_share_the_rows_without_duplicates(tmp_path, domains_table) -> None:
    path = str(tmp_path / "train.aidb")
    with aidb.connect(path) as writer:
        writer.register("rows_in", domains_table)
        writer.execute("CREATE TABLE corpus AS SELECT * FROM rows_in")
    with aidb.connect(path, read_only=True) as reader:
        dataset = QueryDataset(reader, "SELECT id, domain FROM corpus", 10, "domain", seed=4, steps=12)
        loader = DataLoader(dataset, batch_size=None, num_workers=2, multiprocessing_context="spawn", persistent_workers=True)
        batches = list(loader)
        again = [i for batch in loader for i in batch["id"].tolist()]
    ids = [i for batch in batches for i in batch["id"].tolist()]
    assert len(ids) == 120 and len(set(ids)) == 120
    assert ids == again
    assert isinstance(batches[0]["id"], torch.Tensor)
    in_process = [i for w in (0, 1) for b in dataset.worker_batches(aidb.connect(path, read_only=True), w, 2) for i in b["id"].tolist()]
    assert sorted(ids) == sorted(in_process)


def test_dataloader_workers_need_a_database_file_they_can_open(con) -> None:
    dataset = QueryDataset(con, "SELECT id, domain FROM corpus", 4, "domain", steps=1)
    with pytest.raises(aidb.OperationalError, match="in-memory database"):
        dataset._worker_connection()


def test_loss_topk_keeps_the_hardest_candidates_and_logs_their_ids(con) -> None:
    torch.manual_seed(0)
    model = BigramLM()
    dataset = QueryDataset(con, "SELECT id, domain, text FROM corpus", 8, "domain", seed=5, select="loss_topk", oversample=4, run="sel")
    candidates = next(iter(dataset))
    assert len(candidates["id"]) == 32
    with torch.no_grad():
        losses = example_losses(model, candidates)
    chosen = dataset.select(candidates, losses=losses)
    expected = set(np.asarray(candidates["id"])[np.argsort(-losses.numpy())[:8]].tolist())
    assert set(chosen["id"].tolist()) == expected and len(chosen["text"]) == 8
    logged = con.execute("SELECT id::BIGINT, score FROM aidb.training_selections WHERE run = 'sel' ORDER BY score DESC").fetchall()
    assert {i for i, _ in logged} == expected
    assert [s for _, s in logged] == pytest.approx(sorted(losses.numpy().tolist(), reverse=True)[:8])


def test_gradnorm_proxy_selection_uses_logits_and_targets(con) -> None:
    model = BigramLM()
    dataset = QueryDataset(con, "SELECT id, domain, text FROM corpus", 4, "domain", seed=6, select="gradnorm_proxy", oversample=2)
    candidates = next(iter(dataset))
    tokens = encode(candidates["text"])
    with torch.no_grad():
        logits = model(tokens[:, :-1])
    chosen = dataset.select(candidates, logits=logits, targets=tokens[:, 1:])
    assert len(chosen["id"]) == 4
    with pytest.raises(aidb.ProgrammingError, match="logits and targets"):
        dataset.select(candidates, losses=torch.zeros(8))


def test_errors_name_the_domain_column_and_unknown_domains(con) -> None:
    with pytest.raises(aidb.ProgrammingError, match="domain_col: the query has no column 'domian'.*Did you mean: domain"):
        QueryDataset(con, "SELECT id, domain, text FROM corpus", 4, "domian")
    with pytest.raises(aidb.ProgrammingError, match="id_col: the query has no column 'id'"):
        QueryDataset(con, "SELECT domain, text FROM corpus", 4, "domain")
    with pytest.raises(aidb.ProgrammingError, match="weights names unknown domain.*'wbe'.*Did you mean: web"):
        QueryDataset(con, "SELECT * FROM corpus", 4, "domain", weights={"wbe": 1})
    with pytest.raises(aidb.ProgrammingError, match="reference loss for every domain.*missing: noise"):
        QueryDataset(con, "SELECT * FROM corpus", 4, "domain", method="doremi", reference_losses={"web": 1, "python_docs": 1})
    dataset = QueryDataset(con, "SELECT * FROM corpus", 4, "domain", method="odm")
    with pytest.raises(aidb.ProgrammingError, match="unknown domain.*'code'"):
        dataset.feedback({"code": 1.0})
    with pytest.raises(aidb.DataError, match="loss of domain 'web' is nan"):
        dataset.feedback({"web": float("nan")})
    with pytest.raises(aidb.ProgrammingError, match="weights are fixed"):
        QueryDataset(con, "SELECT * FROM corpus", 4, "domain").feedback({"web": 1.0})
    state = QueryDataset(con, "SELECT * FROM corpus", 4, "domain", seed=1).state_dict()
    with pytest.raises(aidb.ProgrammingError, match="checkpoint is of seed 1"):
        QueryDataset(con, "SELECT * FROM corpus", 4, "domain", seed=2).load_state_dict(state)
    with pytest.raises(aidb.DataError, match="NULL 'domain'"):
        QueryDataset(con, "SELECT id, NULLIF(domain, 'web') AS domain FROM corpus", 4, "domain")

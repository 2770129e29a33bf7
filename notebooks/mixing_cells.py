"""The cells of notebooks/04_mixing_and_selection.ipynb: mixtures, DoReMi, DSIR, cluster sampling, curriculum, schedule,
video keyframes.

notebooks/generate.py loads this file, with `SETUP` (the shared first code cell) set in its namespace.
"""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell

SETUP: str  # given by notebooks/generate.py before the module runs

CELLS = [
    new_markdown_cell(
        "# Mixing and selection: how much of each source, which examples, in what order\n\n"
        "Over the bundled corpus (400 documents in five domains: web, forum, wiki, books, code): a mixture in exact "
        "proportions, DoReMi domain weights, DSIR importance sampling toward a target, cluster sampling against random "
        "sampling, a curriculum and a multi-domain schedule; then the keyframes of a video that answer a question. "
        "Each is one SQL statement over ordinary tables; every result is a table."
    ),
    new_code_cell(SETUP),
    new_markdown_cell(
        "## A mixture in exact proportions\n\n"
        "`mix_sample` gives each domain its share of `n` by largest-remainder rounding, in documents or in tokens "
        "(`by := 'tokens'`); `mixture_report` compares what was asked with what came out."
    ),
    new_code_cell(
        """\
weights = "{'web': 0.5, 'forum': 0.3, 'wiki': 0.2}"
con.execute(f"CREATE TABLE mix_docs AS SELECT * FROM mix_sample(docs, domain, weights := {weights}, n := 150, seed := 1)")
con.execute(f\"\"\"CREATE TABLE mix_tokens AS SELECT * FROM mix_sample(docs, domain, weights := {weights}, n := 20000, seed := 1,
                                                               by := 'tokens', tokens := regex_token_count(text))\"\"\")
by_docs = con.execute(f"SELECT * FROM mixture_report(mix_docs, domain, weights := {weights}) ORDER BY domain").df()
by_tokens = con.execute(
    f"SELECT * FROM mixture_report(mix_tokens, domain, weights := {weights}, tokens := regex_token_count(text)) ORDER BY domain"
).df()
assert list(by_docs.rows) == [45, 75, 30] and (abs(by_tokens.token_share - by_tokens.requested_share) < 0.02).all()
fig, ax = plt.subplots(figsize=(7, 3))
x = np.arange(len(by_docs))
ax.bar(x - 0.27, by_docs.requested_share, 0.27, label="requested")
ax.bar(x, by_docs.row_share, 0.27, label="achieved (documents)")
ax.bar(x + 0.27, by_tokens.token_share, 0.27, label="achieved (tokens, by := 'tokens')")
ax.set_xticks(x, by_docs.domain); ax.set_ylabel("share of the mixture"); ax.set_ylim(0, 0.7); ax.legend(fontsize=8, ncols=3)
plt.show()
by_tokens[["domain", "requested_share", "rows", "tokens", "token_share"]]"""
    ),
    new_markdown_cell(
        "## Domain weights by DoReMi\n\n"
        "`domain_weights` runs DoReMi's group-DRO loop (Xie et al. 2023) with small bigram proxy and reference "
        "models: domains whose held-out text the reference predicts much better than the young proxy gain weight. "
        "Here a noise domain of random letters is added to the five real ones; it ends below its uniform share, "
        "and `mix_sample(..., weights_from := ...)` mixes by the result."
    ),
    new_code_cell(
        """\
con.execute(\"\"\"
    CREATE TABLE with_noise AS
    SELECT id, domain, text FROM docs WHERE planted = 'clean'
    UNION ALL
    SELECT 10000 + i, 'noise', (SELECT string_agg(chr(97 + ((i * 7919 + j * 104729) % 26)::INTEGER)
                                               || chr(97 + ((i * 31 + j * 17) % 26)::INTEGER), ' ') FROM range(60) r(j))
    FROM range(60) t(i)
\"\"\")
doremi = con.execute("SELECT * FROM domain_weights(with_noise, domain, text, steps := 100) ORDER BY weight DESC").df()
assert doremi.set_index("domain").weight["noise"] < 1 / len(doremi)
fig, ax = plt.subplots(figsize=(7, 3))
ax.bar(doremi.domain, doremi.weight, label="DoReMi weight")
ax.axhline(1 / len(doremi), color="grey", linestyle="--", label="uniform")
ax.set_ylabel("weight"); ax.legend()
plt.show()
mixed = con.execute(\"\"\"
    SELECT domain, count(*) AS mixed_rows FROM mix_sample(with_noise, domain, n := 100, seed := 1,
        weights_from := (SELECT domain, weight FROM domain_weights(with_noise, domain, text, steps := 100)))
    GROUP BY domain ORDER BY mixed_rows DESC
\"\"\").df()
doremi.merge(mixed, on="domain")[["domain", "weight", "mean_excess_loss", "rows", "mixed_rows"]]"""
    ),
    new_markdown_cell(
        "## DSIR: importance sampling toward a target\n\n"
        "`dsir_weights` gives every row its log importance weight toward a target (hashed word uni- and bigrams, "
        "Xie et al. 2023); `dsir_sample` draws by them (Gumbel top-k). The target here is the code documents: "
        "the other domains' weights sit far below theirs, and the sample comes from code."
    ),
    new_code_cell(
        """\
weights = con.execute(\"\"\"
    SELECT domain, dsir_log_weight FROM dsir_weights(docs, text, target := (SELECT text FROM docs WHERE domain = 'code'))
\"\"\").df()
fig, ax = plt.subplots(figsize=(7, 3))
bins = np.linspace(weights.dsir_log_weight.min(), weights.dsir_log_weight.max(), 40)
for domain, group in weights.groupby("domain"):
    ax.hist(group.dsir_log_weight, bins=bins, alpha=0.6, label=domain)
ax.set_xlabel("dsir_log_weight toward the code documents"); ax.set_ylabel("documents"); ax.legend()
plt.show()
picked = con.execute(\"\"\"
    SELECT domain, count(*) AS docs FROM dsir_sample(docs, text, target := (SELECT text FROM docs WHERE domain = 'code'),
                                                     n := 20, seed := 1) GROUP BY domain ORDER BY docs DESC
\"\"\").df()
assert picked.docs[picked.domain == "code"].sum() >= 18
picked"""
    ),
    new_markdown_cell(
        "## Cluster sampling covers more of the data than random sampling\n\n"
        "`cluster_sample` embeds-clusters-samples (k-means on the MiniLM embeddings, the rows nearest each centroid); "
        "`diversity_report` counts the clusters of a reference k-means a selection covers. Random samples of the same "
        "size (five seeds) miss clusters."
    ),
    new_code_cell(
        """\
con.execute("CREATE TABLE prose AS SELECT id, domain, text, embed(text) AS emb FROM docs WHERE planted = 'clean' AND lang = 'en'")
con.execute("CREATE TABLE picked AS SELECT * FROM cluster_sample(prose, emb, k := 30, per_cluster := 1, seed := 1)")
covered = {"cluster_sample": con.execute(
    "SELECT clusters_covered FROM diversity_report(picked, emb, reference := prose, k := 30, seed := 1)").fetchone()[0]}
for seed in range(5):
    covered[f"random, seed {seed}"] = con.execute(f\"\"\"
        SELECT clusters_covered FROM diversity_report((SELECT * FROM prose USING SAMPLE 30 ROWS (reservoir, {seed})), emb,
                                                      reference := prose, k := 30, seed := 1)\"\"\").fetchone()[0]
assert covered["cluster_sample"] > max(v for name, v in covered.items() if name.startswith("random"))
fig, ax = plt.subplots(figsize=(7, 3))
ax.bar(list(covered), list(covered.values()), color=["tab:green"] + ["tab:grey"] * 5)
ax.set_ylabel("of 30 clusters covered"); ax.tick_params(axis="x", rotation=30)
plt.show()
covered"""
    ),
    new_markdown_cell(
        "## A curriculum, and a multi-domain schedule\n\n"
        "`curriculum` cuts rows into equal-count difficulty stages (here: perplexity under the default KenLM model) "
        "and orders them easy first, or interleaved; `schedule` orders domains as multitask, sequential or "
        "mixed-sequential training (Dong et al. 2023; `replay` adds DMT's replay of the first phase)."
    ),
    new_code_cell(
        """\
easy = con.execute(\"\"\"
    SELECT train_order, stage, difficulty FROM curriculum((SELECT *, perplexity(text) AS difficulty FROM prose),
                                                         difficulty := difficulty, stages := 4)\"\"\").df()
mixed = con.execute(\"\"\"
    SELECT train_order, stage, difficulty FROM curriculum((SELECT *, perplexity(text) AS difficulty FROM prose),
                                                         difficulty := difficulty, stages := 4, order := 'interleaved')\"\"\").df()
plan = con.execute(\"\"\"
    SELECT train_order, domain, phase, replayed FROM schedule(prose, domain, strategy := 'mixed_sequential',
                                                              order := ['books', 'code', 'forum', 'web', 'wiki'], replay := 0.1)\"\"\").df()
assert easy.sort_values("train_order").stage.is_monotonic_increasing and plan.phase.is_monotonic_increasing
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3))
for frame, label in ((easy, "easy_first"), (mixed, "interleaved")):
    left.scatter(frame.train_order, frame.difficulty, s=6, label=label)
left.set_yscale("log"); left.set_xlabel("train_order"); left.set_ylabel("perplexity"); left.legend()
codes = {d: i for i, d in enumerate(["books", "code", "forum", "web", "wiki"])}
right.scatter(plan.train_order, plan.domain.map(codes), c=plan.replayed.map({True: "tab:red", False: "tab:blue"}), s=6)
right.set_yticks(list(codes.values()), list(codes)); right.set_xlabel("train_order (red: replayed in phase 2)")
plt.show()
plan.groupby(["phase", "domain"]).size().rename("rows").reset_index()"""
    ),
    new_markdown_cell(
        "## Export for a trainer\n\n"
        "`export_shards` writes the curriculum in order as JSON Lines shards with a manifest (rows, first and last "
        "id, sha256) a trainer can check."
    ),
    new_code_cell(
        """\
import tempfile

shards = Path(tempfile.mkdtemp()) / "curriculum"
manifest = con.execute(f\"\"\"
    SELECT shard, rows, first_id, last_id, left(sha256, 12) AS sha256 FROM export_shards(
        (SELECT id, text, stage FROM curriculum(prose, difficulty := perplexity(text), stages := 4) ORDER BY train_order),
        '{shards}', format := 'jsonl', rows_per_shard := 100)\"\"\").df()
assert manifest.rows.sum() == con.execute("SELECT count(*) FROM prose").fetchone()[0]
manifest"""
    ),
    new_markdown_cell(
        "## Video keyframes that answer a question\n\n"
        "`keyframes` decodes a video (PyAV), scores every candidate frame against the row's question with a CLIP's "
        "text and image encoders and keeps the k best, at least `min_gap_s` apart (KeyVideoLLM-style). No CLIP weights "
        "can be downloaded here, so this uses **aidb's small CLIP, trained on the spot** (`aidb.models.tiny_clip`, a few "
        "seconds: 32x32 drawings of 3 colours x 2 shapes, nothing else; a real CLIP folder registers the same way), on "
        "the demo's generated 12 s video in which 4 of the 48 frames show the question's shape. Top row: the frames "
        "`keyframes` chose; bottom row: 4 frames sampled uniformly (every 12th)."
    ),
    new_code_cell(
        """\
import io
import tempfile

import av
from PIL import Image
from aidb.demo.media import write_media_inputs

media = write_media_inputs(Path(tempfile.mkdtemp()) / "media")  # trains the small CLIP, draws the video
con.execute(f"CREATE MODEL demo_clip TYPE clip FROM '{media.clip_dir}'")
truth = con.execute(f"SELECT * FROM read_json('{media.frames}', format = 'newline_delimited') ORDER BY frame_index").df()
chosen = con.execute(f\"\"\"
    SELECT frame_index, timestamp_s, score, frame_png FROM keyframes(
        (SELECT 'shapes' AS id, content AS video, '{media.question}' AS question FROM read_blob('{media.video}')),
        video, question, k := 4, candidate_fps := 4, min_gap_s := 1, model := 'demo_clip') ORDER BY frame_index\"\"\").df()
with av.open(str(media.video)) as container:
    decoded = [frame.to_image() for frame in container.decode(video=0)]
uniform = [6 + 12 * i for i in range(4)]
hits = int(truth.shows_question[chosen.frame_index].sum())
assert hits >= 2 and hits > truth.shows_question[uniform].sum()
fig, axes = plt.subplots(2, 4, figsize=(9, 5))
for ax, row in zip(axes[0], chosen.itertuples()):
    ax.imshow(Image.open(io.BytesIO(row.frame_png)))
    ax.set_title(f"keyframe t={row.timestamp_s:.2f}s\\n{truth.drawn[row.frame_index]} ({row.score:.2f})", fontsize=8,
                 color="tab:green" if truth.shows_question[row.frame_index] else "black")
for ax, index in zip(axes[1], uniform):
    ax.imshow(decoded[index])
    ax.set_title(f"uniform t={index / 4:.2f}s\\n{truth.drawn[index]}", fontsize=8,
                 color="tab:green" if truth.shows_question[index] else "black")
for ax in axes.flat:
    ax.axis("off")
fig.suptitle(f"question: '{media.question}' ({hits} of 4 keyframes show it; uniform: {int(truth.shows_question[uniform].sum())})")
plt.show()
chosen.drop(columns="frame_png").assign(drawn=truth.drawn[chosen.frame_index].values)"""
    ),
]

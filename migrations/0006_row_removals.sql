-- Tables that say why rows were dropped: the removal table an operator (dedup()) wrote for a run, and the
-- table that run produced. why_dropped('<table>', <id>) reads them.

CREATE TABLE aidb.removal_tables (
    run_id        BIGINT NOT NULL,
    output_table  VARCHAR NOT NULL,     -- the table the statement wrote (CREATE TABLE clean AS SELECT * FROM dedup(...))
    removal_table VARCHAR NOT NULL,     -- one row per removed row: (id, method, cluster_id, kept_id, similarity, rule)
    step          VARCHAR NOT NULL,     -- the operator that removed them, e.g. dedup
    input_table   VARCHAR NOT NULL,
    recorded_at   TIMESTAMP NOT NULL DEFAULT current_timestamp
);

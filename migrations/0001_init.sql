-- aidb catalog, first version: models, vector indexes, runs and their lineage.
-- Every table here is plain DuckDB so a BI tool reading the file with the stock driver can query it.
-- (aidb.schema_migrations is created by the migration runner itself.)

CREATE TABLE aidb.models (
    name        VARCHAR PRIMARY KEY,
    kind        VARCHAR NOT NULL CHECK (kind IN ('embedding', 'language', 'clip', 'classifier')),
    source      VARCHAR NOT NULL,       -- a path, a package name or 'table:<query>' for trained models
    options     VARCHAR NOT NULL DEFAULT '{}',  -- JSON text of the WITH (...) options
    fingerprint VARCHAR,                -- content hash of the weights, filled when first loaded
    dimension   INTEGER,                -- output width of embedding models
    is_default  BOOLEAN NOT NULL DEFAULT false,
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE aidb.vector_indexes (
    name        VARCHAR PRIMARY KEY,
    table_name  VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    index_type  VARCHAR NOT NULL,       -- IVF_PQ, IVF_HNSW_SQ, IVF_FLAT
    metric      VARCHAR NOT NULL,       -- cosine, l2, dot
    options     VARCHAR NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE aidb.run_ids START 1;

-- One row per statement that produced or changed a table.
CREATE TABLE aidb.runs (
    run_id       BIGINT PRIMARY KEY DEFAULT nextval('aidb.run_ids'),
    statement    VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,      -- create_table_as, create_view, insert, ...
    aidb_version VARCHAR NOT NULL,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP NOT NULL
);

-- Which tables a run read to write its output table.
CREATE TABLE aidb.lineage (
    run_id       BIGINT NOT NULL,
    output_table VARCHAR NOT NULL,
    input_table  VARCHAR NOT NULL
);

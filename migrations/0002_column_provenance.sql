-- Which model (name and weight fingerprint) produced each model-derived column of a table.

CREATE TABLE aidb.column_provenance (
    table_name        VARCHAR NOT NULL,
    column_name       VARCHAR NOT NULL,
    function_name     VARCHAR NOT NULL,
    model_name        VARCHAR NOT NULL,
    model_fingerprint VARCHAR,
    run_id            BIGINT,
    recorded_at       TIMESTAMP NOT NULL DEFAULT current_timestamp
);

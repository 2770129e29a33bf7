-- Tables stored as Lance datasets (in the `<database>.lance/` folder beside the DuckDB file),
-- and statistics the vector search planner reads as data.

CREATE TABLE aidb.lance_tables (
    name        VARCHAR PRIMARY KEY,
    dataset     VARCHAR NOT NULL,       -- folder name of the dataset inside the Lance folder, e.g. docs.lance
    stats       VARCHAR NOT NULL DEFAULT '{}',  -- JSON: {"rows": n, "ndv": {column: distinct values}} as of the last index build
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

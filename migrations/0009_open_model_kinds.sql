-- Model TYPEs are whatever a registered loader handles, built-in or from an installed `aidb.model_loaders`
-- plugin (aidb/plugins.py), so the column takes any kind; CREATE MODEL checks the TYPE against the loaders.
-- DuckDB cannot drop a CHECK constraint: aidb.models is rebuilt and its rows copied (as in 0005 and 0007), keeping 0008's signature column.

CREATE TABLE aidb.models_open (
    name        VARCHAR PRIMARY KEY,
    kind        VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    options     VARCHAR NOT NULL DEFAULT '{}',
    fingerprint VARCHAR,
    dimension   INTEGER,
    is_default  BOOLEAN NOT NULL DEFAULT false,
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    signature   VARCHAR
);
INSERT INTO aidb.models_open SELECT name, kind, source, options, fingerprint, dimension, is_default, created_at, signature FROM aidb.models;
DROP TABLE aidb.models;
ALTER TABLE aidb.models_open RENAME TO models;

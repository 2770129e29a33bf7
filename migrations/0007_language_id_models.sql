-- Models of TYPE language_id (lang_id: fastText lid files). DuckDB cannot alter a CHECK constraint, so
-- aidb.models is rebuilt with the widened check and its rows copied over; nothing references it by foreign key.

CREATE TABLE aidb.models_widened (
    name        VARCHAR PRIMARY KEY,
    kind        VARCHAR NOT NULL CHECK (kind IN ('embedding', 'language', 'clip', 'classifier', 'tokenizer', 'language_id')),
    source      VARCHAR NOT NULL,
    options     VARCHAR NOT NULL DEFAULT '{}',
    fingerprint VARCHAR,
    dimension   INTEGER,
    is_default  BOOLEAN NOT NULL DEFAULT false,
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);
INSERT INTO aidb.models_widened SELECT name, kind, source, options, fingerprint, dimension, is_default, created_at FROM aidb.models;
DROP TABLE aidb.models;
ALTER TABLE aidb.models_widened RENAME TO models;

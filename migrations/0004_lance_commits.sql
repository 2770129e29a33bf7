-- Lance changes of committed transactions that are not yet (or not fully) applied to their datasets.
-- A transaction's Lance writes are staged in DuckDB tables of the `aidb` schema; its COMMIT writes one
-- row here per staged table in the same DuckDB transaction, then applies the rows to Lance and deletes
-- the row. A row left behind by a crash is applied again on the next open (roll forward).

CREATE TABLE aidb.lance_commits (
    commit_id      VARCHAR NOT NULL,
    table_name     VARCHAR NOT NULL,    -- the Lance table (aidb.lance_tables.name)
    version_before BIGINT NOT NULL,     -- the dataset's version when the transaction committed
    rows_table     VARCHAR NOT NULL,    -- aidb.<rows_table>: rows to append (inserted, or new versions of updated rows)
    deletes_table  VARCHAR NOT NULL,    -- aidb.<deletes_table>: rowids (column rid) of rows to delete at version_before
    committed_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (commit_id, table_name)
);

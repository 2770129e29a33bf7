-- What aidb.training.QueryDataset did while a model trained, so the schedule can be queried and plotted afterwards:
-- every domain-weight update with the loss behind it, and the examples per-example selection kept.

CREATE TABLE aidb.training_log (
    run       VARCHAR NOT NULL,     -- the dataset's run name (QueryDataset(..., run='...'))
    step      BIGINT NOT NULL,      -- the update's number: 0 holds the starting weights
    domain    VARCHAR NOT NULL,
    weight    DOUBLE NOT NULL,      -- the domain's weight after the update
    loss      DOUBLE,               -- the loss fed back for the domain (NULL: none at this step)
    method    VARCHAR,              -- doremi, odm, or NULL (fixed weights)
    logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE aidb.training_selections (
    run       VARCHAR NOT NULL,
    step      BIGINT NOT NULL,      -- the selection's number
    id        VARCHAR NOT NULL,     -- the kept example's id (the id column, as text)
    domain    VARCHAR NOT NULL,
    score     DOUBLE NOT NULL,      -- its loss (loss_topk) or gradient-norm proxy (gradnorm_proxy)
    method    VARCHAR NOT NULL,
    logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

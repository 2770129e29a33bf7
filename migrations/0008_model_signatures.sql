-- Each model row carries an HMAC of (name, kind, source, fingerprint) keyed by a secret of the machine whose
-- aidb created it (aidb/storage/model_trust.py): a row made elsewhere, or edited, does not verify, and aidb
-- then loads a pickle or a file outside the database's model folder only when the user trusts the database.
ALTER TABLE aidb.models ADD COLUMN signature VARCHAR;

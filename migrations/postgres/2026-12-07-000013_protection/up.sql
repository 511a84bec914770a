-- Protection at rest (issue 17). The data keys, each wrapped by the master key (which is
-- never stored here): one per case, beneficiary and quarantined mail, one for the blind
-- indexes and one for the service's other data. Deleting a row destroys what its key
-- sealed (crypto-shredding).
CREATE TABLE data_keys (
    owner TEXT PRIMARY KEY NOT NULL,
    wrapped TEXT NOT NULL,
    master_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- How far the stored values are sealed: the service seals what an older version left in
-- clear, then records the level it reached (0: nothing sealed yet).
CREATE TABLE protection (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    level INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO protection (id, level, updated_at) VALUES (1, 0, CURRENT_TIMESTAMP);

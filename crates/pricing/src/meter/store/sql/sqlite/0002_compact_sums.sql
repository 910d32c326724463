-- tokfare meter store, SQLite schema version 2 (docs/meter-store.md): sums in a
-- WITHOUT ROWID table (one b-tree, not a table and an index) in the compact form of
-- store/codec.rs, their items named by ids from a dictionary of item codes. The
-- migration (SqliteStore::migrate) then copies every version-1 sums row into
-- group_sums, re-encoded, and drops sums: a version-1 process still running fails on
-- its next write (no table sums) instead of writing the old form into the new table.

-- The item codes sums rows name by id (RollupItem::encode: 'events',
-- 'quantity:<usage field>', 'charge:<unit price>:<per>:<item code>'). Ids never change.
CREATE TABLE items (
    id   INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE
);

CREATE TABLE group_sums (
    level    INTEGER NOT NULL,     -- 0 hour, 1 day, 2 month
    start    INTEGER NOT NULL,     -- first hour of the period: Unix seconds / 3600, floor
    customer TEXT NOT NULL,
    model    TEXT NOT NULL,
    schedule TEXT NOT NULL,
    currency TEXT NOT NULL,
    items    BLOB NOT NULL,        -- store/codec.rs, added by sums_add()
    PRIMARY KEY (level, start, customer, model, schedule, currency)
) WITHOUT ROWID;

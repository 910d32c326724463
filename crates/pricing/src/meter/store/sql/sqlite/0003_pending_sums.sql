-- tokfare meter store, SQLite schema version 3 (docs/meter-store.md): a batch adds its
-- hour sums as one row here (store/codec.rs, encode_groups: per hour group its key and
-- compact items) instead of updating a group_sums row per group and level; every
-- 16th batch folds the pending rows, with itself, into group_sums (hour, day and
-- month) and deletes them, in its own transaction. Readers add the pending rows to
-- group_sums: the sums of a level are group_sums plus every pending hour group mapped
-- to that level's period.
CREATE TABLE pending_sums (
    seq    INTEGER PRIMARY KEY,
    groups BLOB NOT NULL
);

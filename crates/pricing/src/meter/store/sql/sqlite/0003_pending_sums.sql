-- tokfare meter store, SQLite schema version 3 (docs/meter-store.md): a batch adds its
-- hour sums as one row of pending_sums (store/codec.rs, encode_groups: per hour group
-- its key and compact items) instead of updating a sums row per group and level; every
-- 16th batch folds the pending rows, with itself, into period_sums (hour, day and
-- month) and deletes them, in its own transaction. Readers add the pending rows to
-- period_sums: the sums of a level are period_sums plus every pending hour group mapped
-- to that level's period.
--
-- group_sums is renamed period_sums (same rows): a version-2 process still running
-- would read sums without the pending rows, so its next read or write fails instead
-- (no table group_sums).
ALTER TABLE group_sums RENAME TO period_sums;

CREATE TABLE pending_sums (
    seq    INTEGER PRIMARY KEY,
    groups BLOB NOT NULL
);

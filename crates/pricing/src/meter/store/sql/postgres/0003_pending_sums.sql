-- tokfare meter store, PostgreSQL schema version 3 (docs/meter-store.md): a batch
-- appends its hour sums as one row here (a binary value with its own item dictionary,
-- read by tokfare: src/meter/store/codec.rs, encode_batch) instead of merging a sums
-- row per group at each of three levels under row locks. After every 64th batch (by
-- tokfare_batches) a fold locks this table ACCESS EXCLUSIVE, adds every row into
-- tokfare_period_sums (hour, day and month) and TRUNCATEs it; readers lock it ACCESS
-- SHARE before their snapshot and add its rows to tokfare_period_sums.
--
-- tokfare_sums is renamed tokfare_period_sums (its grants, owner, policies and rows
-- stay): a version-2 process still running fails on its next statement instead of
-- writing sums around the pending rows or reading sums without them. A role that
-- writes events needs INSERT on tokfare_pending_sums, USAGE on tokfare_batches, and
-- DELETE (or TRUNCATE, faster) on tokfare_pending_sums to fold.
ALTER TABLE tokfare_sums RENAME TO tokfare_period_sums;

CREATE TABLE tokfare_pending_sums (groups BYTEA NOT NULL);

-- Batches written (a fold every 64th); a sequence: no row every writer would lock.
CREATE SEQUENCE tokfare_batches;

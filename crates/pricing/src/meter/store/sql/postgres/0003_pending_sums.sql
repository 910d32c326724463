-- tokfare meter store, PostgreSQL schema version 3 (docs/meter-store.md): a batch
-- appends its hour sums as one row here (a binary value with its own item dictionary,
-- read by tokfare: src/meter/store/codec.rs, encode_batch) instead of merging a sums
-- row per group at each of three levels under row locks. After every 64th batch (by
-- tokfare_batches) a fold, under an advisory lock, deletes the pending rows it sees and
-- adds them into tokfare_period_sums (hour, day and month) in one transaction; readers
-- add the pending rows to tokfare_period_sums in one snapshot.
--
-- tokfare_sums is renamed tokfare_period_sums (its grants, owner, policies and rows
-- stay): a version-2 process still running fails on its next statement that touches
-- the sums instead of writing sums around the pending rows or reading sums without
-- them. A role that records events needs INSERT, SELECT and DELETE on
-- tokfare_pending_sums, USAGE on tokfare_batches, and SELECT, INSERT, UPDATE and
-- DELETE on tokfare_period_sums (folds); a role that reads, SELECT on both tables.
ALTER TABLE tokfare_sums RENAME TO tokfare_period_sums;

CREATE TABLE tokfare_pending_sums (groups BYTEA NOT NULL);

-- Batches written (a fold every 64th); a sequence: no row every writer would lock.
CREATE SEQUENCE tokfare_batches;

-- tokfare meter store, PostgreSQL schema version 3 (docs/meter-store.md): a batch
-- appends its hour sums here with COPY (one row per hour group, no locks taken)
-- instead of merging a tokfare_sums row per group at each of three levels under row
-- locks. After every 16th batch (by tokfare_batches) a fold locks this table ACCESS
-- EXCLUSIVE, moves every row into tokfare_sums (hour, day and month) and TRUNCATEs
-- it; readers lock it ACCESS SHARE before their snapshot and add its rows to
-- tokfare_sums. Same columns as tokfare_sums, at the hour level; no index (only ever
-- read whole). Still readable in SQL:
--   SELECT customer, model, u.* FROM tokfare_pending_sums, unnest(items, counts, quantities, amounts) u
CREATE TABLE tokfare_pending_sums (
    start      BIGINT NOT NULL,      -- the hour: Unix seconds / 3600, floor
    customer   TEXT COLLATE "C" NOT NULL,
    model      TEXT COLLATE "C" NOT NULL,
    schedule   TEXT COLLATE "C" NOT NULL,
    currency   TEXT COLLATE "C" NOT NULL,
    items      TEXT[] COLLATE "C" NOT NULL,
    counts     BIGINT[] NOT NULL,
    quantities NUMERIC[] NOT NULL,
    amounts    NUMERIC[] NOT NULL,
    CONSTRAINT tokfare_pending_sums_arrays CHECK (
        array_ndims(items) IS NOT DISTINCT FROM array_ndims(counts)
        AND array_ndims(items) IS NOT DISTINCT FROM array_ndims(quantities)
        AND array_ndims(items) IS NOT DISTINCT FROM array_ndims(amounts)
        AND coalesce(array_ndims(items), 1) = 1
        AND cardinality(items) = cardinality(counts)
        AND cardinality(items) = cardinality(quantities)
        AND cardinality(items) = cardinality(amounts)
        AND array_position(items, NULL) IS NULL
        AND array_position(counts, NULL) IS NULL
        AND array_position(quantities, NULL) IS NULL
        AND array_position(amounts, NULL) IS NULL
    )
);

-- Batches written (a fold every 16th); a sequence: no row every writer would lock.
CREATE SEQUENCE tokfare_batches;

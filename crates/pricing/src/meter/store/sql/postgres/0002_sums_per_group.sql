-- tokfare meter store, PostgreSQL schema version 2 (docs/meter-store.md): one sums row
-- per period and group (was: per period, group and item), its items in parallel
-- arrays sorted by item: a batch rewrites one row per group it touches instead of one
-- per item. Still NUMERIC, still readable in SQL:
--   SELECT customer, model, u.* FROM tokfare_sums, unnest(items, counts, quantities, amounts) u
-- The table is changed in place (its grants, owner and policies stay); a version-1
-- process still running fails on its next write (no column item) instead of writing
-- the old form.
CREATE TEMP TABLE tokfare_sums_by_group ON COMMIT DROP AS
SELECT level, start, customer, model, schedule, currency,
       array_agg(item ORDER BY item) AS items, array_agg(count ORDER BY item) AS counts,
       array_agg(quantity ORDER BY item) AS quantities, array_agg(amount ORDER BY item) AS amounts
FROM tokfare_sums
WHERE count <> 0 OR quantity <> 0 OR amount <> 0
GROUP BY level, start, customer, model, schedule, currency;

TRUNCATE tokfare_sums;
ALTER TABLE tokfare_sums
    DROP CONSTRAINT tokfare_sums_pkey,
    DROP COLUMN item,
    DROP COLUMN count,
    DROP COLUMN quantity,
    DROP COLUMN amount,
    -- 'events', 'quantity:<usage field>', 'charge:<unit price>:<per>:<item code>'
    ADD COLUMN items TEXT[] COLLATE "C" NOT NULL,
    ADD COLUMN counts BIGINT[] NOT NULL,
    ADD COLUMN quantities NUMERIC[] NOT NULL,
    ADD COLUMN amounts NUMERIC[] NOT NULL,
    ADD CONSTRAINT tokfare_sums_pkey PRIMARY KEY (level, start, customer, model, schedule, currency),
    -- One value of each per item, none of them NULL, one dimension.
    ADD CONSTRAINT tokfare_sums_arrays CHECK (
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
        AND array_position(amounts, NULL) IS NULL);

-- Room on each page for the new version of a row: a batch rewrites every group it
-- touches, and with space on the page PostgreSQL updates in place (a HOT update, no
-- index entry written).
ALTER TABLE tokfare_sums SET (fillfactor = 70);

INSERT INTO tokfare_sums (level, start, customer, model, schedule, currency, items, counts, quantities, amounts)
SELECT level, start, customer, model, schedule, currency, items, counts, quantities, amounts FROM tokfare_sums_by_group;

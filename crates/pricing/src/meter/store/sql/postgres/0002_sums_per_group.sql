-- tokfare meter store, PostgreSQL schema version 2 (docs/meter-store.md): one sums row
-- per period and group (was: per period, group and item), its items in parallel
-- arrays sorted by item: a batch updates one row per group it touches instead of one
-- per item (~7 times fewer row versions). Still NUMERIC, still readable in SQL:
--   SELECT customer, model, u.* FROM tokfare_sums, unnest(items, counts, quantities, amounts) u
CREATE TABLE tokfare_sums_v2 (
    level      SMALLINT NOT NULL,    -- 0 hour, 1 day, 2 month
    start      BIGINT NOT NULL,      -- first hour of the period: Unix seconds / 3600, floor
    customer   TEXT COLLATE "C" NOT NULL,
    model      TEXT COLLATE "C" NOT NULL,
    schedule   TEXT COLLATE "C" NOT NULL,
    currency   TEXT COLLATE "C" NOT NULL,
    items      TEXT[] COLLATE "C" NOT NULL,  -- 'events', 'quantity:<usage field>', 'charge:<unit price>:<per>:<item code>'
    counts     BIGINT[] NOT NULL,
    quantities NUMERIC[] NOT NULL,
    amounts    NUMERIC[] NOT NULL,
    PRIMARY KEY (level, start, customer, model, schedule, currency)
);

INSERT INTO tokfare_sums_v2 (level, start, customer, model, schedule, currency, items, counts, quantities, amounts)
SELECT level, start, customer, model, schedule, currency,
       array_agg(item ORDER BY item), array_agg(count ORDER BY item), array_agg(quantity ORDER BY item), array_agg(amount ORDER BY item)
FROM tokfare_sums
WHERE count <> 0 OR quantity <> 0 OR amount <> 0
GROUP BY level, start, customer, model, schedule, currency;

DROP TABLE tokfare_sums;
ALTER TABLE tokfare_sums_v2 RENAME TO tokfare_sums;
ALTER INDEX tokfare_sums_v2_pkey RENAME TO tokfare_sums_pkey;

-- Room on each page for the new version of a row: a batch rewrites every group it
-- touches, and with space on the page PostgreSQL updates in place (a HOT update, no
-- index entry written).
ALTER TABLE tokfare_sums SET (fillfactor = 70);

-- tokfare meter store, SQLite schema version 1 (docs/meter-store.md).
-- Amounts and summed quantities are exact decimal TEXT, added by the dec_add() and
-- sums_add() functions the store registers (SQLite's own arithmetic would round or
-- overflow).

-- One row per event id: the priced record as canonical JSON and the hashes that tell
-- a redelivery (same hash) from a conflict (same id, other content). A rowid table:
-- rows of ~0.7 KB are too large for a WITHOUT ROWID b-tree.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    event_hash  BLOB NOT NULL,     -- SHA-256 of the event's canonical JSON
    record_hash BLOB NOT NULL,     -- SHA-256 of the priced record's canonical JSON
    ts          INTEGER NOT NULL,  -- the event's timestamp, Unix seconds (floor)
    record      TEXT NOT NULL      -- the priced record (PricedEvent::to_json)
);
CREATE INDEX events_ts ON events (ts);

-- Sums per period (UTC hour, day and month: every event counts at each level),
-- customer, model, schedule and currency, kept in the transaction that inserts the
-- events. `items` holds, per item sorted by its code, the code's length (u32 LE) and
-- UTF-8 bytes, the count (i64 LE), the quantity and the amount (rust_decimal's exact
-- 16-byte form each): item 'events' (count, amount = cost), 'quantity:<usage field>'
-- (quantity), 'charge:<unit price>:<per>:<item code>' (quantity, amount); added up by
-- the sums_add() function the store registers (`tokfare meter check` reads them back).
CREATE TABLE sums (
    level    INTEGER NOT NULL,     -- 0 hour, 1 day, 2 month
    start    INTEGER NOT NULL,     -- first hour of the period: Unix seconds / 3600, floor
    customer TEXT NOT NULL,
    model    TEXT NOT NULL,
    schedule TEXT NOT NULL,
    currency TEXT NOT NULL,
    items    BLOB NOT NULL,
    UNIQUE (level, start, customer, model, schedule, currency)
);

-- Recorded spend per customer and currency (budgets read this, not the events).
CREATE TABLE spend (
    customer TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount   TEXT NOT NULL,
    PRIMARY KEY (customer, currency)
) WITHOUT ROWID;

CREATE TABLE budgets (
    customer TEXT PRIMARY KEY,
    currency TEXT NOT NULL,
    amount   TEXT NOT NULL
) WITHOUT ROWID;

-- Estimates held by authorize() until settled, released or expired.
CREATE TABLE reservations (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    customer TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount   TEXT NOT NULL,
    expires  INTEGER NOT NULL      -- Unix milliseconds
);
CREATE INDEX reservations_customer ON reservations (customer, expires);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('events', 0);

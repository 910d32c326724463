-- tokfare meter store, PostgreSQL schema version 1 (docs/meter-store.md). Tables are
-- prefixed tokfare_ (the database may hold other things). Amounts and summed
-- quantities are NUMERIC: exact, added by the server. Text keys use the "C" collation:
-- byte order, the same as the other stores, and indexes no locale upgrade can break.

-- One row per event id: the priced record as canonical JSON and the hashes that tell
-- a redelivery (same hash) from a conflict (same id, other content).
CREATE TABLE tokfare_events (
    id          TEXT COLLATE "C" PRIMARY KEY,
    event_hash  BYTEA NOT NULL,    -- SHA-256 of the event's canonical JSON
    record_hash BYTEA NOT NULL,    -- SHA-256 of the priced record's canonical JSON
    ts          BIGINT NOT NULL,   -- the event's timestamp, Unix seconds (floor)
    record      TEXT NOT NULL      -- the priced record (PricedEvent::to_json)
);
CREATE INDEX tokfare_events_ts ON tokfare_events (ts);

-- Sums per period (UTC hour, day and month: every event counts at each level),
-- customer, model, schedule, currency and item, kept in the transaction that inserts
-- the events: item 'events' (count, amount = cost), 'quantity:<usage field>'
-- (quantity), 'charge:<unit price>:<per>:<item code>' (quantity, amount).
CREATE TABLE tokfare_sums (
    level    SMALLINT NOT NULL,    -- 0 hour, 1 day, 2 month
    start    BIGINT NOT NULL,      -- first hour of the period: Unix seconds / 3600, floor
    customer TEXT COLLATE "C" NOT NULL,
    model    TEXT COLLATE "C" NOT NULL,
    schedule TEXT COLLATE "C" NOT NULL,
    currency TEXT COLLATE "C" NOT NULL,
    item     TEXT COLLATE "C" NOT NULL,
    count    BIGINT NOT NULL,
    quantity NUMERIC NOT NULL,
    amount   NUMERIC NOT NULL,
    PRIMARY KEY (level, start, customer, model, schedule, currency, item)
);

CREATE TABLE tokfare_spend (
    customer TEXT COLLATE "C" NOT NULL,
    currency TEXT COLLATE "C" NOT NULL,
    amount   NUMERIC NOT NULL,
    PRIMARY KEY (customer, currency)
);

CREATE TABLE tokfare_budgets (
    customer TEXT COLLATE "C" PRIMARY KEY,
    currency TEXT COLLATE "C" NOT NULL,
    amount   NUMERIC NOT NULL
);

CREATE TABLE tokfare_reservations (
    id       BIGSERIAL PRIMARY KEY,
    customer TEXT COLLATE "C" NOT NULL,
    currency TEXT COLLATE "C" NOT NULL,
    amount   NUMERIC NOT NULL,
    expires  BIGINT NOT NULL       -- Unix milliseconds
);
CREATE INDEX tokfare_reservations_customer ON tokfare_reservations (customer, expires);

-- A row that sync() updates with synchronous_commit on (making earlier asynchronous
-- commits durable) without touching any row the writers lock.
CREATE TABLE tokfare_counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO tokfare_counters (name, value) VALUES ('sync', 0);

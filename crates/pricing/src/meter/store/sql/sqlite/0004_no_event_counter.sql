-- tokfare meter store, SQLite schema version 4 (docs/meter-store.md): the number of
-- events is the month sums' count (period_sums plus pending_sums), as in PostgreSQL,
-- not a counters row every write updates: a commit of one event writes one page fewer
-- (a whole page of the write-ahead log). The table is dropped so that a version-3
-- process still running fails on its next write instead of counting into a row no
-- one reads.
DROP TABLE counters;

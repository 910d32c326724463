"""The meter from Python: idempotency, journal recovery, merge, snapshots, budgets,
invoices, concurrent recording."""

import json
import os
import subprocess
import threading
import urllib.parse
from datetime import datetime, timezone
from decimal import Decimal

import pytest

import tokfare
from conftest import ROOT

T = datetime(2026, 11, 2, 10, tzinfo=timezone.utc)


def test_record_is_idempotent():
    meter = tokfare.Meter()
    usage = tokfare.Usage(input_tokens=1000, output_tokens=100)
    assert meter.record("r1", "acme", "gpt-4o", usage, T) is True
    assert meter.record("r1", "acme", "gpt-4o", usage, T) is False
    assert meter.record("r2", "acme", "gpt-4o", usage) is True  # timestamp: now
    assert meter.record("r2", "acme", "gpt-4o", usage) is False  # a retry without a timestamp
    with pytest.raises(tokfare.ConflictingEvent):
        meter.record("r1", "acme", "gpt-4o", tokfare.Usage(input_tokens=1), T)
    assert len(meter) == 2
    with pytest.raises(tokfare.UnknownModelPrice):
        meter.record("r3", "acme", "no-such-model", usage, T)
    with pytest.raises(tokfare.InvalidArgument):
        meter.record("r4", "acme", "gpt-4o", usage, datetime(2026, 1, 1))  # naive datetime


def test_journal_survives_reopen(tmp_path):
    path = str(tmp_path / "meter.jsonl")
    with tokfare.Meter(path) as meter:
        for i in range(5):
            meter.record(f"e{i}", "acme", "gpt-4o-mini", tokfare.Usage(input_tokens=100 + i), T)
        # A second writer (here in one process; the same between processes) appends
        # under the file's lock, after reading what the first wrote: each id once.
        with tokfare.Meter(path) as other:
            assert other.recovery == {"records": 5, "torn_bytes": 0}
            assert other.record("e4", "acme", "gpt-4o-mini", tokfare.Usage(input_tokens=104), T) is False
            assert other.record("e5", "acme", "gpt-4o-mini", tokfare.Usage(input_tokens=105), T) is True
        assert meter.record("e5", "acme", "gpt-4o-mini", tokfare.Usage(input_tokens=105), T) is False
        assert len(meter) == 6
    with pytest.raises(tokfare.StoreError):
        len(meter)  # closed on leaving the block
    torn = b'{"event": {"id": "torn'
    with open(path, "ab") as f:
        f.write(torn)  # a crash in the middle of a write
    reopened = tokfare.Meter(path)
    assert len(reopened) == 6
    assert reopened.recovery == {"records": 6, "torn_bytes": len(torn)}
    assert reopened.record("e4", "acme", "gpt-4o-mini", tokfare.Usage(input_tokens=104), T) is False
    assert tokfare.Meter().recovery is None
    # A complete line (acknowledged once) that is not a record is refused, never cut.
    reopened.close()
    with open(path, "ab") as f:
        f.write(b"not a record\n")
    with pytest.raises(tokfare.JournalError, match="line 7 is complete but not a record"):
        tokfare.Meter(path)


def test_merge_snapshot_restore():
    a, b = tokfare.Meter(), tokfare.Meter()
    usage = tokfare.Usage(input_tokens=10, output_tokens=10)
    a.record("x", "acme", "gpt-4o", usage, T)
    b.record("x", "acme", "gpt-4o", usage, T)
    b.record("y", "beta", "gpt-4o", usage, T)
    report = a.merge(b)
    assert report == {"added": 1, "duplicates": 1, "conflicts": []}
    restored = tokfare.Meter.restore(a.snapshot())
    assert restored.snapshot() == a.snapshot()
    assert restored.invoice()["totals"] == a.invoice()["totals"]


def test_budgets():
    meter = tokfare.Meter()
    meter.set_budget("acme", Decimal("1.00"))
    first = meter.authorize("acme", "gpt-4o", tokfare.Usage(input_tokens=200000, output_tokens=20000))
    assert first["allowed"] and first["estimate"] == Decimal("0.7")
    second = meter.authorize("acme", "gpt-4o", tokfare.Usage(input_tokens=200000, output_tokens=20000))
    assert not second["allowed"] and second["reservation"] is None
    meter.settle(first["reservation"], "call-1", "acme", "gpt-4o", tokfare.Usage(input_tokens=100000, output_tokens=10000), T)
    assert meter.spent("acme") == Decimal("0.35")
    with pytest.raises(TypeError):
        meter.set_budget("acme", 1.5)


def test_usage_log_and_invoice():
    meter = tokfare.Meter(schedule="gtc-2026")
    report = meter.record_log(str(ROOT / "examples" / "usage.jsonl"))
    assert report == {"recorded": 2970, "duplicates": 36, "errors": [], "problems": []}
    invoice = meter.invoice(group_by=["schedule"])
    total = invoice["totals"]["USD"]
    assert isinstance(total, Decimal)
    assert sum(line["amount"] for line in invoice["lines"]) == total
    assert invoice["csv"].startswith("schedule,item,quantity,unit_price,per,amount,currency,item_code,context_above,service,window,rate_of\n")
    # Lines priced at a long-context tier say so, in the item and in a structured field.
    long = [line for line in invoice["lines"] if line["basis"].get("context_above")]
    assert long and all("prompt above" in line["item"] and "|ctx>" in line["item_code"] for line in long)
    # gpt-4o-2024-08-06 (in the log) has a deprecation date in the catalog: still invoiced, and said.
    assert "gpt-4o-2024-08-06 has a deprecation date of 2027-01-14 in the catalog" in invoice["warnings"]
    rows = meter.aggregate(["month"])
    assert rows[0]["month"] == "2026-11" and rows[0]["events"] == 2970
    events = meter.to_cloudevents("urn:test")
    assert len(events) == 2970


def test_concurrent_recording_counts_each_event_once():
    meter = tokfare.Meter()
    usage = tokfare.Usage(input_tokens=1000, output_tokens=100)
    new = []

    def work():
        new.append(sum(meter.record(f"e{i}", "acme", "gpt-4o-mini", usage, T) for i in range(300)))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(new) == 300 and len(meter) == 300
    assert meter.spent("acme") == 300 * tokfare.price("gpt-4o-mini", usage).total


# ---------------------------------------------------------------- stores

STORE_VECTORS = [json.loads(line) for line in (ROOT / "conformance" / "meter" / "store.jsonl").read_text().splitlines()]


def _run_store_case(meter, case):
    reservations = []
    for step in case["steps"]:
        op, expect = step["op"], step.get("expect")
        if op in ("record", "settle"):
            usage = tokfare.Usage.from_dict(step["usage"])
            at = datetime.fromisoformat(step["timestamp"].replace("Z", "+00:00"))
            try:
                if op == "settle":
                    new = meter.settle(reservations[step["reservation"]], step["id"], step["customer"], step["model"], usage, at)
                else:
                    new = meter.record(step["id"], step["customer"], step["model"], usage, at)
                got = "new" if new else "duplicate"
            except tokfare.ConflictingEvent as e:
                assert e.code == "conflicting_event" and e.event_id == step["id"]
                got = "conflict"
            assert got == expect, (case["name"], step)
        elif op == "len":
            assert len(meter) == expect
        elif op == "spent":
            assert meter.spent(step["customer"]) == Decimal(expect), (case["name"], step)
        elif op == "invoice_total":
            assert meter.invoice()["totals"]["USD"] == Decimal(expect)
        elif op == "set_budget":
            meter.set_budget(step["customer"], Decimal(step["amount"]))
        elif op == "authorize":
            a = meter.authorize(step["customer"], step["model"], tokfare.Usage.from_dict(step["usage"]))
            assert (a["allowed"], a["reserved"], a["spent"]) == (expect["allowed"], Decimal(expect["reserved"]), Decimal(expect["spent"])), (case["name"], step)
            if a["reservation"] is not None:
                reservations.append(a["reservation"])
        elif op == "release":
            assert meter.release(reservations[step["reservation"]]) is expect
        else:
            raise AssertionError(f"unknown op {op}")


def _postgres_db(name):
    """A fresh database on the test cluster (scripts/pg-test-cluster.sh), else a loud skip."""
    admin = os.environ.get("TOKFARE_TEST_POSTGRES")
    if not admin:
        if os.environ.get("TOKFARE_REQUIRE_POSTGRES"):
            pytest.fail("TOKFARE_REQUIRE_POSTGRES is set but TOKFARE_TEST_POSTGRES is not: the test cluster did not start")
        pytest.skip("*** PostgreSQL store NOT TESTED: no TOKFARE_TEST_POSTGRES (scripts/test.sh starts a cluster) ***")
    url = urllib.parse.urlparse(admin)
    db = f"tokfare_py_{name}_{os.getpid()}"
    bin_dir = os.environ["TOKFARE_PG_CLUSTER_BIN"]
    where = ["-h", url.hostname, "-p", str(url.port), "-U", url.username]
    subprocess.run([os.path.join(bin_dir, "dropdb"), "--if-exists", *where, db], check=True)
    subprocess.run([os.path.join(bin_dir, "createdb"), *where, db], check=True)
    return admin.rsplit("/", 1)[0] + "/" + db


@pytest.mark.parametrize("kind", ["memory", "journal", "sqlite", "sqlite-url", "postgresql"])
@pytest.mark.parametrize("case", STORE_VECTORS, ids=[c["name"][:40] for c in STORE_VECTORS])
def test_store_vectors(tmp_path, kind, case):
    if kind == "postgresql":
        store = _postgres_db(f"v{STORE_VECTORS.index(case)}")
    else:
        store = {
            "memory": ":memory:",
            "journal": str(tmp_path / "m.jsonl"),
            "sqlite": str(tmp_path / "m.db"),
            "sqlite-url": f"sqlite://{tmp_path / 'u.db'}",
        }[kind]
    with tokfare.Meter(store) as meter:
        _run_store_case(meter, case)


def test_postgresql_store_is_shared_and_reports_conflicts():
    store = _postgres_db("shared")
    a, b = tokfare.Meter(store), tokfare.Meter(store)
    usage = tokfare.Usage(input_tokens=1000, output_tokens=100)
    assert a.record("e1", "acme", "gpt-4o", usage, T) is True
    assert b.record("e1", "acme", "gpt-4o", usage, T) is False
    with pytest.raises(tokfare.ConflictingEvent) as e:
        b.record("e1", "acme", "gpt-4o", tokfare.Usage(input_tokens=1), T)
    assert e.value.event_id == "e1"
    assert a.spent("acme") == Decimal("0.0035") and len(b) == 1
    with pytest.raises(tokfare.StoreError) as e:
        tokfare.Meter("postgresql://tokfare:secret@127.0.0.1:1/nowhere")
    assert "secret" not in str(e.value) and "***" in e.value.path


def test_sqlite_store_persists_and_is_shared(tmp_path):
    path = str(tmp_path / "meter.db")
    a, b = tokfare.Meter(path), tokfare.Meter(path)
    usage = tokfare.Usage(input_tokens=1000, output_tokens=100)
    assert a.location == f"sqlite://{path}"
    assert a.record("e1", "acme", "gpt-4o", usage, T) is True
    assert b.record("e1", "acme", "gpt-4o", usage, T) is False  # the other handle sees it
    with pytest.raises(tokfare.ConflictingEvent):
        b.record("e1", "acme", "gpt-4o", tokfare.Usage(input_tokens=1), T)
    del a, b
    reopened = tokfare.Meter(path)
    assert len(reopened) == 1 and reopened.spent("acme") == Decimal("0.0035")
    with pytest.raises(tokfare.InvalidArgument):
        tokfare.Meter(path, journal=str(tmp_path / "j.jsonl"))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database " * 20)
    with pytest.raises(tokfare.StoreError) as e:
        tokfare.Meter(str(junk))
    assert e.value.code == "store" and str(junk) in e.value.path


def _write_events(path, worker, n):
    meter = tokfare.Meter(path)
    usage = tokfare.Usage(input_tokens=100, output_tokens=10)
    for i in range(n):
        event_id = f"shared-{i}" if i % 10 == 0 else f"w{worker}-{i}"
        meter.record(event_id, "acme", "gpt-4o-mini", usage, T)


def test_processes_share_a_sqlite_store_exactly_once(tmp_path):
    import multiprocessing

    path = str(tmp_path / "meter.db")
    tokfare.Meter(path)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_events, args=(path, w, 400)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        assert p.exitcode == 0
    meter = tokfare.Meter(path)
    assert len(meter) == 40 + 3 * 360
    one = tokfare.price("gpt-4o-mini", tokfare.Usage(input_tokens=100, output_tokens=10)).total
    assert meter.spent("acme") == len(meter) * one


def test_invoice_over_a_time_range():
    # The same events, invoiced whole and by month: the months add up to the whole, and
    # the edges are start included, end excluded (as the CLI's --from and --to).
    meter = tokfare.Meter()
    # Whole cents per event (gpt-4o: $2.50 + $1.00), so rounding per line cannot blur the sum.
    usage = tokfare.Usage(input_tokens=1_000_000, output_tokens=100_000)
    times = [datetime(2026, 11, 30, 23, 59, 59, tzinfo=timezone.utc), datetime(2026, 12, 1, tzinfo=timezone.utc),
             datetime(2026, 12, 15, 12, tzinfo=timezone.utc)]
    for i, t in enumerate(times):
        assert meter.record(f"e{i}", "acme", "gpt-4o", usage, t) is True
    whole = meter.invoice()
    nov = meter.invoice(end="2026-12")
    dec = meter.invoice(start="2026-12-01", end="2027-01")
    assert (nov["events"], dec["events"], whole["events"]) == (1, 2, 3)
    assert nov["totals"]["USD"] + dec["totals"]["USD"] == whole["totals"]["USD"]
    assert meter.invoice(start="2026-12-01T00:00:00Z", end="2026-12-01T00:00:01Z")["events"] == 1
    with pytest.raises(tokfare.TokfareError, match="not after"):
        meter.invoice(start="2026-12", end="2026-11")
    with pytest.raises(tokfare.TokfareError):
        meter.invoice(start="yesterday")


def test_events_no_store_could_keep_are_refused():
    # The CLI's rule, everywhere: an event needs an id, and no text may hold a NUL.
    meter = tokfare.Meter()
    usage = tokfare.Usage(input_tokens=10, output_tokens=1)
    with pytest.raises(tokfare.InvalidArgument, match="id"):
        meter.record("", "acme", "gpt-4o", usage, T)
    with pytest.raises(tokfare.InvalidArgument, match="NUL"):
        meter.record("a\0b", "acme", "gpt-4o", usage, T)
    with pytest.raises(tokfare.InvalidArgument, match="NUL"):
        meter.record("c", "acme\0", "gpt-4o", usage, T)
    assert len(meter) == 0
    assert meter.record("d", "acme", "gpt-4o", usage, T) is True

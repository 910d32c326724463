"""The meter from Python: idempotency, journal recovery, merge, snapshots, budgets,
invoices, concurrent recording."""

import threading
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
    meter = tokfare.Meter(path)
    for i in range(5):
        meter.record(f"e{i}", "acme", "gpt-4o-mini", tokfare.Usage(input_tokens=100 + i), T)
    del meter
    with open(path, "ab") as f:
        f.write(b'{"event": {"id": "torn')  # a crash in the middle of a write
    reopened = tokfare.Meter(path)
    assert len(reopened) == 5
    assert reopened.record("e4", "acme", "gpt-4o-mini", tokfare.Usage(input_tokens=104), T) is False


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
    assert invoice["csv"].startswith("schedule,item,quantity,unit_price,per,amount,currency\n")
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

"""A usage log priced in shares partitioned by event id (as a data engine would: one
summing meter per share, their partial sums added in one) invoices exactly as one meter
reading the whole log; log lines in Arrow columns are recorded row by row."""

import zlib

import pyarrow as pa
import pytest

import tokfare
import tokfare.arrow
from conftest import ROOT


def log_lines():
    """The example log, every third line delivered again, and a conflicting redelivery."""
    lines = (ROOT / "examples" / "usage.jsonl").read_text(encoding="utf-8").splitlines()
    return lines + lines[::3] + [lines[1].replace('"promptTokenCount":', '"promptTokenCount":1')]


def whole_invoice(lines, tmp_path, **options):
    path = tmp_path / "log.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    meter = tokfare.Meter(schedule="gtc-2026")
    report = meter.record_log(str(path), continue_on_error=True)
    return meter.invoice(**options), report


@pytest.mark.parametrize("options", [{}, {"group_by": ["schedule"]}, {"group_by": ["customer", "day"], "period": "day"}])
@pytest.mark.parametrize("n", [1, 4])
def test_shares_by_event_id_invoice_as_one_meter(tmp_path, options, n):
    lines = log_lines()
    ids = tokfare.arrow.event_ids(pa.array(lines)).to_pylist()
    assert None not in ids and len(set(ids)) < len(ids)
    shares = [[] for _ in range(n)]
    for line, event_id in zip(lines, ids):
        shares[zlib.crc32(event_id.encode()) % n].append(line)
    partials, statuses = [], []
    for share in shares:
        meter = tokfare.Meter.summing(schedule="gtc-2026", **options)
        outcome = meter.record_lines(pa.chunked_array([pa.array(share[:5], type=pa.large_string()), pa.array(share[5:], type=pa.large_string())]))
        assert isinstance(outcome, pa.RecordBatch) and outcome.num_rows == len(share)
        statuses += outcome.to_pylist()
        partials.append(meter.partial_sums(**options))
    total = tokfare.Meter.summing(schedule="gtc-2026", **options)
    total.add_partial_sums(pa.Table.from_batches(partials))
    invoice, report = whole_invoice(lines, tmp_path, **options)
    got = total.invoice(**options)
    assert (got["json"], got["totals"], got["events"]) == (invoice["json"], invoice["totals"], invoice["events"])
    counts = {s: sum(1 for r in statuses if r["status"] == s) for s in ("new", "duplicate", "error")}
    assert counts == {"new": report["recorded"], "duplicate": report["duplicates"], "error": len(report["problems"])}
    conflicts = [r for r in statuses if r["status"] == "error"]
    assert [r["error_code"] for r in conflicts] == ["conflicting_event"] and conflicts[0]["id"] == "evt-00001"


def test_outcomes_say_per_row_what_happened():
    lines = log_lines()[:3] + [None, "not json", log_lines()[0]]
    meter = tokfare.Meter(schedule="gtc-2026")
    rows = meter.record_lines(pa.array(lines)).to_pylist()
    assert [r["status"] for r in rows] == ["new", "new", "new", None, "error", "duplicate"]
    assert rows[4]["error_code"] == "invalid_usage" and rows[4]["id"] is None
    first = meter.aggregate(group_by=["customer"])
    assert sum(a["events"] for a in first) == 3
    # The cost is the unrounded cost of the recorded event, exact, as text.
    from decimal import Decimal

    assert sum(Decimal(r["cost"]) for r in rows[:3]) == sum(sum(a["cost"].values()) for a in first)


def test_bad_partial_sums_are_clear_errors():
    meter = tokfare.Meter.summing(schedule="gtc-2026")
    meter.record_lines(pa.array(log_lines()))
    sums = meter.partial_sums()
    broken = sums.set_column(sums.schema.get_field_index("amount"), "amount", pa.array(["x"] * sums.num_rows))
    with pytest.raises(tokfare.InvalidArgument, match="row 0, column amount"):
        tokfare.Meter.summing(schedule="gtc-2026").add_partial_sums(broken)
    with pytest.raises(tokfare.StoreError, match="only a summing meter"):
        tokfare.Meter(schedule="gtc-2026").add_partial_sums(sums)
    with pytest.raises(tokfare.StoreError):
        tokfare.Meter.summing(schedule="gtc-2026", group_by=["day"], period="day").add_partial_sums(sums)

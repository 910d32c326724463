"""What a Spark, Dask or Ray worker receives: Usage, Cost, Catalog, Schedule and Meter
pickle as their sources and work the same on the other side, in another process too."""

import json
import multiprocessing
import pickle

import pytest

import tokfare
from conftest import ROOT

USAGE = tokfare.Usage.from_openai({"prompt_tokens": 10000, "completion_tokens": 500, "prompt_tokens_details": {"cached_tokens": 4000}})
SCHEDULE_TOML = """
name = "t"
rounding = { mode = "up", scale = 4 }
[schedules.metered]
models = ["m"]
rates = { input = "0", output = "0" }
[[schedules.metered.period]]
metric = "tokens"
mode = "volume"
tiers = [{ up_to = 1000000, unit_price = "2" }, { unit_price = "1" }]
"""


def again(obj):
    return pickle.loads(pickle.dumps(obj))


def test_values_pickle_as_their_fields():
    assert again(USAGE).to_dict() == USAGE.to_dict()
    # No count is guessed on the way: no request is added, nothing is refused.
    for usage in [tokfare.Usage(input_tokens=5, requests=0), tokfare.Usage(requests=0), tokfare.Usage()]:
        assert again(usage).to_dict() == usage.to_dict()
        assert again(usage).requests == usage.requests
    cost = tokfare.price("gpt-4o-2024-08-06", USAGE)
    back = again(cost)
    assert (back.total, back.currency, back.schedule, back.rounded, back.warnings, back.approximate) == (
        cost.total,
        cost.currency,
        cost.schedule,
        cost.rounded,
        cost.warnings,
        cost.approximate,
    )
    assert [(l.item, l.quantity, l.unit_price, l.per, l.amount) for l in back.lines] == [
        (l.item, l.quantity, l.unit_price, l.per, l.amount) for l in cost.lines
    ]
    assert back.usage.to_dict() == USAGE.to_dict()


def test_catalogs_and_schedules_pickle_as_their_sources(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"my-model": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2e-6, "output_cost_per_token": 8e-6}}))
    for catalog in [tokfare.Catalog.bundled(), tokfare.Catalog.from_file(str(path)), tokfare.Catalog.from_dict(json.loads(path.read_text()), extend_bundled=False)]:
        back = again(catalog)
        assert len(back) == len(catalog) and back.models() == catalog.models()
        assert tokfare.price("my-model" if "my-model" in catalog else "gpt-4o", USAGE, catalog=back).total == tokfare.price(
            "my-model" if "my-model" in catalog else "gpt-4o", USAGE, catalog=catalog
        ).total
    # The file's text went with it: the worker needs no file.
    file_catalog = pickle.dumps(tokfare.Catalog.from_file(str(path)))
    path.unlink()
    assert "my-model" in pickle.loads(file_catalog)
    toml = tmp_path / "s.toml"
    toml.write_text(SCHEDULE_TOML)
    for schedule in [tokfare.Schedule.bundled("gtc-2026"), tokfare.Schedule.from_toml(SCHEDULE_TOML), tokfare.Schedule.from_file(str(toml))]:
        back = again(schedule)
        assert (back.name, back.schedules) == (schedule.name, schedule.schedules)
    usage = tokfare.Usage(input_tokens=1_500_000)
    assert tokfare.price("m", usage, schedule=again(tokfare.Schedule.from_file(str(toml)))).total == tokfare.price("m", usage, schedule=str(toml)).total


def test_meters_pickle_as_how_they_were_opened(tmp_path):
    memory = tokfare.Meter(schedule="gtc-2026")
    memory.record_log(str(ROOT / "examples" / "usage.jsonl"), continue_on_error=True)
    back = again(memory)
    assert len(back) == len(memory) and back.invoice()["json"] == memory.invoice()["json"]
    # A store: the copy opens the same database.
    db = tokfare.Meter(str(tmp_path / "meter.db"), catalog=tokfare.Catalog.bundled())
    db.record("e1", "acme", "gpt-4o", USAGE)
    copy = again(db)
    copy.record("e2", "acme", "gpt-4o", USAGE)
    assert len(db) == 2 and not db.record("e2", "acme", "gpt-4o", USAGE)
    copy.close()
    # A relative sqlite:// URL and a schedule file named relatively: pickled for any
    # working directory.
    import os

    (tmp_path / "s.toml").write_text(SCHEDULE_TOML)
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        rel = tokfare.Meter("sqlite://rel.db", schedule="s.toml")
        rel.record("r1", "acme", "m", tokfare.Usage(input_tokens=10))
        data = pickle.dumps(rel)
    finally:
        os.chdir(here)
    (tmp_path / "s.toml").unlink()
    moved = pickle.loads(data)
    assert len(moved) == 1 and moved.location.endswith(str(tmp_path / "rel.db"))
    assert moved.record("r2", "acme", "m", tokfare.Usage(input_tokens=10))
    with pytest.raises(TypeError, match="summing meter does not pickle"):
        pickle.dumps(tokfare.Meter.summing())


def _record_in_child(meter, event_id):
    meter.record(event_id, "acme", "gpt-4o", USAGE)
    n = len(meter)
    meter.close()
    return n


def test_a_pickled_meter_records_from_another_process(tmp_path):
    meter = tokfare.Meter(str(tmp_path / "shared.db"))
    meter.record("parent", "acme", "gpt-4o", USAGE)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(_record_in_child, (meter, "child")) == 2
    assert len(meter) == 2 and meter.spent("acme") == 2 * tokfare.price("gpt-4o", USAGE).total

"""tokfare.arrow: Arrow string columns in every layout and library, counted, encoded and
truncated exactly as one string at a time, null for null."""

import pickle

import pyarrow as pa
import pytest

import tokfare
import tokfare.arrow
from test_corpus import documents

LAYOUTS = [pa.string(), pa.large_string(), pa.string_view()]
ROWS = ["hello world", None, "", "naïve café — 東京の天気は? <|endoftext|> 🦀🦀", None, "fn main() {\n    1 + 2\n}\n"]


def corpus_with_nulls():
    """The shared corpus as 8 KiB documents, with a null after every 7th."""
    rows = []
    for i, doc in enumerate(documents()):
        rows.append(doc)
        if i % 7 == 0:
            rows.append(None)
    return rows


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_corpus_counts_and_ids_equal_the_encodings_in_every_layout(name, layout):
    rows = corpus_with_nulls()
    enc = tokfare.get_encoding(name)
    column = pa.array(rows, type=layout)
    counts = tokfare.arrow.count(column, encoding=name)
    assert counts.type == pa.int64()
    assert counts.to_pylist() == [None if r is None else enc.count(r) for r in rows]
    ids = tokfare.arrow.encode(column, encoding=enc, num_threads=2)
    assert ids.type == pa.list_(pa.field("item", pa.uint32(), nullable=False))
    assert ids.to_pylist() == [None if r is None else enc.encode_ordinary(r) for r in rows]


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_slices_chunks_and_empty_columns(layout):
    enc = tokfare.get_encoding("o200k_base")
    whole = pa.array(ROWS, type=layout)
    sliced = whole.slice(1, 4)
    assert tokfare.arrow.count(sliced, encoding=enc).to_pylist() == [None, 0, enc.count(ROWS[3]), None]
    chunked = pa.chunked_array([whole, whole.slice(3), pa.array([], type=layout)], type=layout)
    out = tokfare.arrow.count(chunked, encoding=enc)
    assert isinstance(out, pa.ChunkedArray) and out.num_chunks == 3
    assert out.to_pylist() == [None if r is None else enc.count(r) for r in ROWS + ROWS[3:]]
    empty = tokfare.arrow.count(pa.chunked_array([], type=layout), encoding=enc)
    assert empty.type == pa.int64() and len(empty) == 0
    assert tokfare.arrow.encode(pa.array([], type=layout), encoding=enc).to_pylist() == []


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
@pytest.mark.parametrize("max_tokens", [0, 1, 3, 10_000])
def test_truncation_keeps_the_layout(layout, max_tokens):
    enc = tokfare.get_encoding("o200k_base")
    column = pa.array(ROWS, type=layout)
    out = tokfare.arrow.truncate(column, max_tokens, encoding="o200k_base")
    assert out.type == layout
    assert out.to_pylist() == [None if r is None else enc.truncate(r, max_tokens) for r in ROWS]


def test_the_tokenizer_is_chosen_as_everywhere():
    column = pa.array(["<|im_start|>hello", None])
    qwen = tokfare.Tokenizer.for_model("Qwen/Qwen3-8B")
    # A model's own tokenizer: an OpenAI encoding, else its tokenizer.json.
    assert tokfare.arrow.count(column, model="Qwen/Qwen3-8B").to_pylist() == [qwen.count("<|im_start|>hello"), None]
    assert tokfare.arrow.count(column, model="gpt-4").to_pylist() == [tokfare.encoding_for_model("gpt-4").count(column[0].as_py()), None]
    assert tokfare.arrow.encode(column, encoding=qwen).to_pylist() == [qwen.encode("<|im_start|>hello"), None]
    # Default: gpt-4o's.
    assert tokfare.arrow.count(column).to_pylist() == [tokfare.get_encoding("o200k_base").count(column[0].as_py()), None]
    with pytest.raises(TypeError, match="model or encoding"):
        tokfare.arrow.count(column, model="gpt-4o", encoding="o200k_base")
    with pytest.raises(TypeError, match="truncate needs a tokfare.Encoding"):
        tokfare.arrow.truncate(column, 3, encoding=qwen)
    with pytest.raises(tokfare.UnknownEncoding):
        tokfare.arrow.count(column, encoding="no_such_encoding")


def test_columns_that_are_not_text_are_clear_errors():
    with pytest.raises(tokfare.InvalidArgument, match="string column .* not Int64") as e:
        tokfare.arrow.count(pa.array([1, 2]), encoding="o200k_base")
    assert e.value.argument == "strings"
    with pytest.raises(tokfare.InvalidArgument, match="not Binary"):
        tokfare.arrow.encode(pa.array([b"ab"]), encoding="o200k_base")
    with pytest.raises(TypeError, match="Arrow array or stream"):
        tokfare.arrow.count(["a list", "of str"], encoding="o200k_base")


def test_polars_series_in_polars_series_out():
    pl = pytest.importorskip("polars")
    enc = tokfare.get_encoding("o200k_base")
    rows = corpus_with_nulls()[:300]
    series = pl.Series("text", rows, dtype=pl.Utf8)
    for series in [series, series.slice(5, 100), pl.concat([series.slice(0, 10), series.slice(20, 30)], rechunk=False)]:
        rows = series.to_list()
        counts = tokfare.arrow.count(series, encoding=enc)
        assert isinstance(counts, pl.Series) and counts.name == "text" and counts.dtype == pl.Int64
        assert counts.to_list() == [None if r is None else enc.count(r) for r in rows]
        ids = tokfare.arrow.encode(series, encoding=enc)
        assert ids.to_list() == [None if r is None else enc.encode_ordinary(r) for r in rows]
        cut = tokfare.arrow.truncate(series, 5, encoding=enc)
        assert cut.dtype == pl.Utf8
        assert cut.to_list() == [None if r is None else enc.truncate(r, 5) for r in rows]
    # A frame's column through an expression (Polars' own map_batches).
    frame = pl.DataFrame({"text": rows})
    out = frame.select(pl.col("text").map_batches(lambda s: tokfare.arrow.count(s, encoding=enc), return_dtype=pl.Int64))
    assert out["text"].to_list() == [None if r is None else enc.count(r) for r in rows]


def test_pandas_series_keep_their_index():
    pd = pytest.importorskip("pandas")
    enc = tokfare.get_encoding("o200k_base")
    series = pd.Series(["hello world", None, "é"], index=[10, 20, 30], name="text", dtype=pd.ArrowDtype(pa.string()))
    counts = tokfare.arrow.count(series, encoding=enc)
    assert list(counts.index) == [10, 20, 30] and counts.name == "text"
    assert counts[10] == 2 and pd.isna(counts[20]) and counts[30] == enc.count("é")
    # A plain object column is converted to Arrow first.
    plain = tokfare.arrow.count(pd.Series(["a b", "c"]), encoding=enc)
    assert plain.tolist() == [enc.count("a b"), enc.count("c")]


def test_encodings_pickle_for_workers():
    enc = tokfare.get_encoding("o200k_base")
    again = pickle.loads(pickle.dumps(enc))
    column = pa.array(ROWS)
    assert tokfare.arrow.count(column, encoding=again).equals(tokfare.arrow.count(column, encoding=enc))


def test_a_table_of_usage_is_priced_row_by_row_as_price_does():
    from decimal import Decimal

    table = pa.table(
        {
            "customer": ["a", "b", "c", "d"],
            "model": ["gpt-4o", "claude-sonnet-4-6", "no-such-model", None],
            "input": pa.array([10_000, 250_000, 5, 1], pa.int64()),
            "cached_input": pa.array([4_000, None, None, None], pa.uint32()),
            "output": [500, 1_000, 1, 1],
            "service": ["batch", None, None, None],
        }
    )
    out = tokfare.arrow.price(table)
    rows = out.to_pylist()
    want = tokfare.price("gpt-4o", tokfare.Usage(input_tokens=10_000, cached_input_tokens=4_000, output_tokens=500), batch=True)
    assert Decimal(rows[0]["cost"]) == want.total and Decimal(rows[0]["rounded"]) == want.rounded
    assert rows[0]["schedule"] == want.schedule and rows[0]["currency"] == "USD"
    want = tokfare.price("claude-sonnet-4-6", tokfare.Usage(input_tokens=250_000, output_tokens=1_000))
    assert Decimal(rows[1]["cost"]) == want.total
    assert rows[2]["cost"] is None and rows[2]["error_code"] == "unknown_model_price"
    assert all(v is None for v in rows[3].values())
    assert tokfare.arrow.to_decimal128(out.column("cost")).type == pa.decimal128(38, 18)
    # The same from Polars and pandas frames.
    pl = pytest.importorskip("polars")
    assert tokfare.arrow.price(pl.from_arrow(table)).to_pylist() == rows
    pd = pytest.importorskip("pandas")
    assert tokfare.arrow.price(table.to_pandas(types_mapper=pd.ArrowDtype)).to_pylist() == rows
    # NumPy-backed pandas turns an integer column with nulls into floats: not a count.
    with pytest.raises(tokfare.InvalidArgument, match="column cached_input: an integer count expected, not Float64"):
        tokfare.arrow.price(table.to_pandas())
    # A count under another name would be priced as 0: refused, naming it.
    with pytest.raises(tokfare.InvalidArgument, match="column input_tokens"):
        tokfare.arrow.price(pa.table({"model": ["gpt-4o"], "input_tokens": [10]}))


def test_decimals_convert_exactly_and_errors_name_the_columns_row():
    chunked = pa.chunked_array([["1.5", None, "0.25"], ["2", "0.0000000000000000001"]])
    with pytest.raises(tokfare.InvalidArgument, match=r"row 4: 0\.0000000000000000001 has 19 decimal places"):
        tokfare.arrow.to_decimal128(chunked)
    out = tokfare.arrow.to_decimal128(pa.chunked_array([["1.5", None], ["-0.000000000000000001"]]))
    assert out.type == pa.decimal128(38, 18)
    from decimal import Decimal

    assert out.to_pylist() == [Decimal("1.5"), None, Decimal("-0.000000000000000001")]
    with pytest.raises(tokfare.InvalidArgument, match="row 0: .* integer digits"):
        tokfare.arrow.to_decimal128(pa.array(["123456789012345678901"]))

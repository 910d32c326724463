//! The `tokfare._tokfare` extension module: thin pyo3 newtypes over the `tokfare` crate.
//! Python-facing names, docs and the exception classes live in `python/tokfare/`.

mod arrow;
mod batch;
mod encoding;
mod errors;
mod gil;
mod hf;
mod id_list;
mod meter;
mod pricing;
mod request;
mod text;
mod time;

use pyo3::prelude::*;

#[pymodule]
fn _tokfare(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<encoding::PyEncoding>()?;
    m.add_function(wrap_pyfunction!(encoding::encoding_name_for_model, m)?)?;
    m.add_function(wrap_pyfunction!(encoding::list_encoding_names, m)?)?;
    m.add_function(wrap_pyfunction!(encoding::count_chat, m)?)?;
    m.add_class::<request::PyRequestCount>()?;
    m.add_function(wrap_pyfunction!(request::count_request, m)?)?;
    m.add_class::<hf::PyTokenizer>()?;
    m.add_class::<pricing::PyUsage>()?;
    m.add_class::<pricing::PyCost>()?;
    m.add_class::<pricing::PyCostLine>()?;
    m.add_class::<pricing::PyCatalog>()?;
    m.add_class::<pricing::PySchedule>()?;
    m.add_function(wrap_pyfunction!(pricing::price, m)?)?;
    m.add_function(wrap_pyfunction!(pricing::estimate, m)?)?;
    m.add_function(wrap_pyfunction!(pricing::gtc_tiers, m)?)?;
    m.add_function(wrap_pyfunction!(pricing::capacity_plan, m)?)?;
    m.add_class::<meter::PyMeter>()?;
    m.add_function(wrap_pyfunction!(arrow::arrow_count, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::arrow_encode, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::arrow_truncate, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::arrow_event_ids, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::arrow_decimal128, m)?)?;
    m.add_function(wrap_pyfunction!(arrow::arrow_price_usage, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The core's error codes, for the test that `tokfare._errors` has a class for each.
    m.add("_ERROR_CODES", tokfare::ERROR_CODES.to_vec())?;
    // The core's usage count names, for the test that `Usage` covers each.
    m.add("_USAGE_FIELDS", tokfare::price::Usage::field_names())?;
    Ok(())
}

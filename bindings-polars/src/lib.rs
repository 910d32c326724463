//! tokfare's Polars expression plugin: token counts, ids and truncation of a string
//! column as Polars expressions, run by Polars' engine (no Python per batch).
//!
//! The work is the core's [`tokfare::arrow`] functions, the ones the Python package's
//! `tokfare.arrow` calls: this crate only moves columns between Polars and arrow-rs and
//! reads the expression's arguments. The tokenizer is named in the expression's keyword
//! arguments (`encoding` or `model`, the rule of [`AnyTokenizer::choose`]; default
//! gpt-4o's) and loaded once per process.
//!
//! # The plugin ABI
//!
//! Polars (version 0.1 of its plugin interface; tested with Polars 2.1) loads a plugin
//! library and calls, for an expression function `f`:
//!
//! - `_polars_plugin_get_version() -> u32`: `major << 16 | minor` (0.1 here);
//! - `_polars_plugin_field_f(inputs, n, out, kwargs, kwargs_len)`: the output field for
//!   the input fields, each an Arrow C data interface `ArrowSchema` (borrowed; the
//!   result is written to `out` and released by Polars);
//! - `_polars_plugin_f(inputs, n, kwargs, kwargs_len, out, context)`: the output column
//!   for the input columns, each a [`SeriesExport`]: one `ArrowSchema` and one
//!   `ArrowArray` per chunk. The plugin owns the inputs (it moves each export out of
//!   Polars' buffer, takes its arrays and calls its release); the result is written to `out` (Polars takes its arrays
//!   and calls its release for the rest);
//! - `_polars_plugin_get_last_error_message() -> *const c_char`: why the last call on
//!   this thread wrote nothing to `out` (`"PANIC"` for a panic, which never crosses
//!   the boundary).
//!
//! The keyword arguments come pickled (Python's `pickle`). This is what pyo3-polars'
//! `#[polars_expr]` generates; it is written out here over arrow-rs's C data interface
//! because that macro compiles polars-core and polars-plan twice (for the proc macro
//! and for the plugin), several times the build of everything else, for five functions.
//! The tests run every function through Polars itself.

use arrow_array::ffi::from_ffi;
use arrow_array::{make_array, Array, ArrayRef};
use arrow_data::ffi::FFI_ArrowArray;
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::{DataType, Field};
use pyo3::prelude::*;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{c_char, c_void, CString};
use std::mem::ManuallyDrop;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use tokfare::{AnyTokenizer, Encoding, Tokenize};

/// An error of a plugin call: its message is what Polars shows.
type Result<T> = std::result::Result<T, String>;

/// Polars' `polars_ffi::version_0::SeriesExport`: a column as Arrow C data, one array
/// per chunk, with the release callback of whoever made it.
#[repr(C)]
pub struct SeriesExport {
    field: *mut FFI_ArrowSchema,
    arrays: *mut *mut FFI_ArrowArray,
    len: usize,
    release: Option<unsafe extern "C" fn(*mut SeriesExport)>,
    private_data: *mut c_void,
}

/// What a [`SeriesExport`] made here owns until Polars releases it.
struct Owned {
    schema: Box<FFI_ArrowSchema>,
    arrays: Box<[*mut FFI_ArrowArray]>,
}

/// The release callback of a [`SeriesExport`] made by [`export`]: frees the schema
/// and the array boxes; the arrays themselves were moved out by the reader.
unsafe extern "C" fn release_export(e: *mut SeriesExport) {
    if e.is_null() {
        return;
    }
    // SAFETY: `e` was made by `export`, so `private_data` is a leaked `Owned`.
    let e = unsafe { &mut *e };
    if e.private_data.is_null() {
        return;
    }
    let owned = unsafe { Box::from_raw(e.private_data.cast::<Owned>()) };
    for &array in owned.arrays.iter() {
        // Free the box, not the array (the reader took it with its release callback).
        drop(unsafe { Box::from_raw(array.cast::<ManuallyDrop<FFI_ArrowArray>>()) });
    }
    drop(owned);
    e.private_data = std::ptr::null_mut();
    e.release = None;
}

/// An input column Polars handed over, moved out of Polars' buffer (so nothing here
/// writes to Polars' memory) and released by its own callback when dropped.
struct Input(SeriesExport);

impl Drop for Input {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: Polars made the export and handed it over; released once, here.
            unsafe { release(&mut self.0) }
        }
    }
}

impl Input {
    /// The inputs of a call, all taken before anything else is done, so that every one
    /// is released whatever fails afterwards.
    ///
    /// # Safety
    /// `inputs` must point to `n` valid exports that nothing else releases.
    unsafe fn take_all(inputs: *const SeriesExport, n: usize) -> Vec<Input> {
        (0..n).map(|i| Input(unsafe { std::ptr::read(inputs.add(i)) })).collect()
    }

    /// The column's field and chunks, owned by arrow-rs from here on.
    fn read(&mut self) -> Result<(Field, Vec<ArrayRef>)> {
        let export = &mut self.0;
        // Take every array first, so that none is left unreleased if one fails (Polars'
        // release frees the boxes they sat in, not the arrays); at most once.
        let arrays: Vec<FFI_ArrowArray> = (0..export.len).map(|i| unsafe { std::ptr::read(*export.arrays.add(i)) }).collect();
        export.len = 0;
        // SAFETY: the export's schema is valid until the export is released.
        let schema = unsafe { &*export.field };
        let field = Field::try_from(schema).map_err(|e| format!("cannot read the column's type: {e}"))?;
        let chunks = arrays
            .into_iter()
            .map(|array| unsafe { from_ffi(array, schema) }.map(make_array))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| format!("cannot read the column: {e}"))?;
        Ok((field, chunks))
    }
}

/// `chunks` as a column named `name` for Polars.
fn export(name: &str, chunks: &[ArrayRef]) -> Result<SeriesExport> {
    let dtype = chunks.first().map_or(DataType::Null, |c| c.data_type().clone());
    let schema = FFI_ArrowSchema::try_from(&Field::new(name, dtype, true)).map_err(|e| e.to_string())?;
    // All arrays made before any is leaked into the export, so an error frees them.
    let arrays: Box<[*mut FFI_ArrowArray]> = chunks.iter().map(|c| Box::into_raw(Box::new(FFI_ArrowArray::new(&c.to_data())))).collect();
    let owned = Box::new(Owned { schema: Box::new(schema), arrays });
    Ok(SeriesExport {
        field: std::ptr::addr_of!(*owned.schema).cast_mut(),
        arrays: owned.arrays.as_ptr().cast_mut(),
        len: owned.arrays.len(),
        release: Some(release_export),
        private_data: Box::into_raw(owned).cast(),
    })
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn set_error(message: &str) {
    let message = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|last| *last.borrow_mut() = message);
}

/// The plugin interface's version: 0.1 (`SeriesExport` columns, kwargs for fields).
/// Polars asks it first, so it also sets this library's panic hook: a panic's message
/// goes to stderr only with `POLARS_VERBOSE=1`, as Polars tells its users.
#[no_mangle]
pub extern "C" fn _polars_plugin_get_version() -> u32 {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            if std::env::var_os("POLARS_VERBOSE").is_some_and(|v| v == "1") {
                eprintln!("{info}");
            }
        }))
    });
    1
}

/// Why the last call on this thread failed.
#[no_mangle]
pub extern "C" fn _polars_plugin_get_last_error_message() -> *const c_char {
    LAST_ERROR.with(|last| last.borrow().as_ptr())
}

/// Keyword arguments, as Polars pickles them.
///
/// # Safety
/// `ptr` must point to `len` readable bytes (or `len` be 0).
unsafe fn kwargs<T: DeserializeOwned>(ptr: *const u8, len: usize) -> Result<T> {
    let bytes = if len == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(ptr, len) } };
    serde_pickle::from_slice(bytes, serde_pickle::DeOptions::new()).map_err(|e| format!("cannot read the expression's arguments: {e}"))
}

/// One expression call: the first input column through `op`, chunk by chunk, into `out`.
///
/// # Safety
/// The pointers are what Polars passes to `_polars_plugin_<name>`.
unsafe fn call<K: DeserializeOwned>(
    inputs: *const SeriesExport,
    n: usize,
    kwargs_ptr: *const u8,
    kwargs_len: usize,
    out: *mut SeriesExport,
    op: impl Fn(&K, &dyn Array) -> Result<ArrayRef>,
) {
    // Every input is taken (and so released, whatever happens) before anything can fail.
    let mut inputs = unsafe { Input::take_all(inputs, n) };
    let run = AssertUnwindSafe(|| -> Result<SeriesExport> {
        let (field, chunks) = inputs.first_mut().ok_or("one string column expected")?.read()?;
        tokfare::arrow::check_strings(field.data_type()).map_err(|e| e.to_string())?;
        let args: K = unsafe { kwargs(kwargs_ptr, kwargs_len) }?;
        // A column of no chunks still gets its type: the result of an empty chunk.
        let empty = [arrow_array::new_empty_array(field.data_type())];
        let chunks = if chunks.is_empty() { &empty[..] } else { &chunks[..] };
        let results = chunks.iter().map(|chunk| op(&args, chunk.as_ref())).collect::<Result<Vec<_>>>()?;
        export(field.name(), &results)
    });
    let outcome = catch_unwind(run);
    drop(inputs);
    match outcome {
        Ok(Ok(result)) => unsafe { out.write(result) },
        Ok(Err(message)) => set_error(&message),
        Err(_) => set_error("PANIC"),
    }
}

/// The output field of a call: the first input field's name with `dtype(input type)`.
///
/// # Safety
/// The pointers are what Polars passes to `_polars_plugin_field_<name>`.
unsafe fn field(inputs: *const FFI_ArrowSchema, n: usize, out: *mut FFI_ArrowSchema, dtype: impl Fn(&DataType) -> DataType) {
    let run = AssertUnwindSafe(|| -> Result<FFI_ArrowSchema> {
        if n == 0 {
            return Err("one string column expected".into());
        }
        let input = Field::try_from(unsafe { &*inputs }).map_err(|e| e.to_string())?;
        // Refused here, when Polars plans the query, as the call would refuse it.
        tokfare::arrow::check_strings(input.data_type()).map_err(|e| e.to_string())?;
        let output = Field::new(input.name(), dtype(input.data_type()), true);
        FFI_ArrowSchema::try_from(&output).map_err(|e| e.to_string())
    });
    match catch_unwind(run) {
        Ok(Ok(schema)) => unsafe { out.write(schema) },
        Ok(Err(message)) => set_error(&message),
        Err(_) => set_error("PANIC"),
    }
}

/// The tokenizer an expression names.
#[derive(Deserialize)]
struct Named {
    encoding: Option<String>,
    model: Option<String>,
}

/// [`Named`] and a token limit.
#[derive(Deserialize)]
struct Truncate {
    encoding: Option<String>,
    model: Option<String>,
    max_tokens: usize,
}

impl Named {
    /// The tokenizer for `encoding` / `model` (default gpt-4o's), loaded once per process.
    fn tokenizer(&self) -> Result<AnyTokenizer> {
        type Loaded = HashMap<(Option<String>, Option<String>), AnyTokenizer>;
        static LOADED: Mutex<Option<Loaded>> = Mutex::new(None);
        if self.encoding.is_some() && self.model.is_some() {
            return Err("pass model or encoding, not both".into());
        }
        let key = (self.encoding.clone(), self.model.clone());
        let lock = || LOADED.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = lock().as_ref().and_then(|map| map.get(&key)) {
            return Ok(t.clone());
        }
        // Loaded without the lock (a tokenizer.json takes a while; other calls go on);
        // two threads loading the same one at once keep the first.
        let model = self.model.as_deref().unwrap_or("gpt-4o");
        let (t, _) = AnyTokenizer::choose(model, self.encoding.as_deref(), None).map_err(|e| e.to_string())?;
        Ok(lock().get_or_insert_with(HashMap::new).entry(key).or_insert(t).clone())
    }

    fn encoding(&self) -> Result<Arc<Encoding>> {
        match self.tokenizer()? {
            AnyTokenizer::Encoding(e) => Ok(e),
            other => Err(format!("truncate needs an OpenAI encoding, not {}", other.name())),
        }
    }
}

/// `count_tokens`: the number of tokens of each string (Int64; null for null).
///
/// # Safety
/// Called by Polars with the plugin ABI's arguments.
#[no_mangle]
pub unsafe extern "C" fn _polars_plugin_count_tokens(
    inputs: *const SeriesExport,
    n: usize,
    kwargs_ptr: *const u8,
    kwargs_len: usize,
    out: *mut SeriesExport,
    _context: *const c_void,
) {
    unsafe {
        call(inputs, n, kwargs_ptr, kwargs_len, out, |k: &Named, strings| {
            let tokenizer = k.tokenizer()?;
            tokfare::arrow::count(&tokenizer, strings).map(|a| Arc::new(a) as ArrayRef).map_err(|e| e.to_string())
        })
    }
}

/// The field of [`_polars_plugin_count_tokens`].
///
/// # Safety
/// Called by Polars with the plugin ABI's arguments.
#[no_mangle]
pub unsafe extern "C" fn _polars_plugin_field_count_tokens(
    inputs: *const FFI_ArrowSchema,
    n: usize,
    out: *mut FFI_ArrowSchema,
    _kwargs_ptr: *const u8,
    _kwargs_len: usize,
) {
    unsafe { field(inputs, n, out, |_| DataType::Int64) }
}

/// `encode`: the ids of each string (List(UInt32); null for null).
///
/// # Safety
/// Called by Polars with the plugin ABI's arguments.
#[no_mangle]
pub unsafe extern "C" fn _polars_plugin_encode(
    inputs: *const SeriesExport,
    n: usize,
    kwargs_ptr: *const u8,
    kwargs_len: usize,
    out: *mut SeriesExport,
    _context: *const c_void,
) {
    unsafe {
        call(inputs, n, kwargs_ptr, kwargs_len, out, |k: &Named, strings| {
            let tokenizer = k.tokenizer()?;
            tokfare::arrow::encode(&tokenizer, strings).map(|a| Arc::new(a) as ArrayRef).map_err(|e| e.to_string())
        })
    }
}

/// The field of [`_polars_plugin_encode`].
///
/// # Safety
/// Called by Polars with the plugin ABI's arguments.
#[no_mangle]
pub unsafe extern "C" fn _polars_plugin_field_encode(
    inputs: *const FFI_ArrowSchema,
    n: usize,
    out: *mut FFI_ArrowSchema,
    _kwargs_ptr: *const u8,
    _kwargs_len: usize,
) {
    unsafe { field(inputs, n, out, |_| DataType::List(Arc::new(Field::new_list_field(DataType::UInt32, false)))) }
}

/// `truncate`: each string cut to at most `max_tokens` tokens (String; null for null).
///
/// # Safety
/// Called by Polars with the plugin ABI's arguments.
#[no_mangle]
pub unsafe extern "C" fn _polars_plugin_truncate(
    inputs: *const SeriesExport,
    n: usize,
    kwargs_ptr: *const u8,
    kwargs_len: usize,
    out: *mut SeriesExport,
    _context: *const c_void,
) {
    unsafe {
        call(inputs, n, kwargs_ptr, kwargs_len, out, |k: &Truncate, strings| {
            let encoding = Named { encoding: k.encoding.clone(), model: k.model.clone() }.encoding()?;
            tokfare::arrow::truncate(&encoding, strings, k.max_tokens).map_err(|e| e.to_string())
        })
    }
}

/// The field of [`_polars_plugin_truncate`]: the input's string type.
///
/// # Safety
/// Called by Polars with the plugin ABI's arguments.
#[no_mangle]
pub unsafe extern "C" fn _polars_plugin_field_truncate(
    inputs: *const FFI_ArrowSchema,
    n: usize,
    out: *mut FFI_ArrowSchema,
    _kwargs_ptr: *const u8,
    _kwargs_len: usize,
) {
    unsafe { field(inputs, n, out, DataType::clone) }
}

/// The Python module (Polars loads the functions above from the library directly).
#[pymodule]
fn _tokfare_polars(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

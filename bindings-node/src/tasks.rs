//! Work for the libuv thread pool: a closure computed off the JS thread, whose result
//! (or core error, with its `code`) settles a promise on the JS thread.

use crate::errors::rejection;
use napi::bindgen_prelude::*;

/// A value computed on a worker thread and converted to JS on the JS thread.
pub trait Settle: Send + 'static {
    type Js: ToNapiValue + TypeName;
    fn into_js(self) -> Self::Js;
}

/// Token ids.
pub struct Ids(pub Vec<u32>);
/// One count.
pub struct Count(pub u32);
/// Ids of many texts.
pub struct IdsBatch(pub Vec<Vec<u32>>);
/// Counts of many texts.
pub struct Counts(pub Vec<u32>);
/// A report as JSON text (`Catalog.update`).
pub struct Json(pub String);

impl Settle for Ids {
    type Js = Uint32Array;
    fn into_js(self) -> Uint32Array {
        Uint32Array::new(self.0)
    }
}

impl Settle for Count {
    type Js = u32;
    fn into_js(self) -> u32 {
        self.0
    }
}

impl Settle for IdsBatch {
    type Js = Vec<Uint32Array>;
    fn into_js(self) -> Vec<Uint32Array> {
        self.0.into_iter().map(Uint32Array::new).collect()
    }
}

impl Settle for Counts {
    type Js = Vec<u32>;
    fn into_js(self) -> Vec<u32> {
        self.0
    }
}

impl Settle for Json {
    type Js = String;
    fn into_js(self) -> String {
        self.0
    }
}

type Work<T> = Box<dyn FnOnce() -> tokfare::Result<T> + Send>;

/// One unit of work; run once.
pub struct Job<T: Settle> {
    work: Option<Work<T>>,
}

impl<T: Settle> Job<T> {
    /// Queues `work` on the libuv pool; an aborted `signal` rejects the promise with
    /// an `AbortError` if the work has not started.
    pub fn spawn<E: Into<tokfare::Error>>(
        signal: Option<AbortSignal>,
        work: impl FnOnce() -> std::result::Result<T, E> + Send + 'static,
    ) -> AsyncTask<Job<T>> {
        AsyncTask::with_optional_signal(Job { work: Some(Box::new(move || work().map_err(Into::into))) }, signal)
    }
}

impl<T: Settle> Task for Job<T> {
    type Output = tokfare::Result<T>;
    type JsValue = T::Js;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let work = self.work.take().ok_or_else(|| napi::Error::from_reason("tokfare: a task ran twice"))?;
        // A panic must not cross into libuv: it becomes a rejected promise.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
            .map_err(|_| napi::Error::from_reason("tokfare: internal error (panic) in a worker thread; please report it"))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        match output {
            Ok(value) => Ok(value.into_js()),
            Err(e) => Err(rejection(&env, e)),
        }
    }
}

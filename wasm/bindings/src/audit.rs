//! Audit events and their delivery, as the extension sees them: `engine.auditEvent` reduces
//! an event to what may be stored and reported; `reportingConfig`, `reportingBody`,
//! `retryDelay` and `delivery` are the reporting rules (`aiguard_engine::audit`). The
//! background only stores, sends and schedules.

use aiguard_engine::audit::{self, ReportingConfig, ReportingFormat};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{to_js, WasmEngine};

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// The event reduced to its allowed fields, with this policy's `auditUrls`.
    #[wasm_bindgen(js_name = auditEvent)]
    pub fn audit_event(&self, raw: JsValue) -> Result<JsValue, JsError> {
        let raw: serde_json::Value = serde_wasm_bindgen::from_value(raw).map_err(|e| JsError::new(&format!("event: {e}")))?;
        to_js(&self.inner.audit_event(&raw))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum ConfigAnswer {
    /// No endpoint is set: nothing is sent.
    None(()),
    Config(ReportingConfig),
    Error(String),
}

/// The reporting settings in managed storage (the whole managed object): `{none: null}`,
/// `{config: {url, format, headers, tags, timeoutMs, batchEvents, batchBytes}}` or
/// `{error: "the setting: what is wrong"}`.
#[wasm_bindgen(js_name = reportingConfig)]
pub fn reporting_config(managed: JsValue) -> Result<JsValue, JsError> {
    let managed: serde_json::Value = serde_wasm_bindgen::from_value(managed).map_err(|e| JsError::new(&format!("managed: {e}")))?;
    to_js(&match ReportingConfig::from_managed(&managed) {
        Ok(None) => ConfigAnswer::None(()),
        Ok(Some(c)) => ConfigAnswer::Config(c),
        Err(e) => ConfigAnswer::Error(e),
    })
}

/// The request body for a batch of complete events in `format` (`hec` or `jsonl`).
#[wasm_bindgen(js_name = reportingBody)]
pub fn reporting_body(events: JsValue, format: &str) -> Result<String, JsError> {
    let events: Vec<serde_json::Value> = serde_wasm_bindgen::from_value(events).map_err(|e| JsError::new(&format!("events: {e}")))?;
    let format = match format {
        "hec" => ReportingFormat::Hec,
        "jsonl" => ReportingFormat::Jsonl,
        other => return Err(JsError::new(&format!("format {other:?}: expected hec or jsonl"))),
    };
    Ok(audit::batch_body(&events, format))
}

/// Milliseconds to wait after the `attempt`-th failure in a row.
#[wasm_bindgen(js_name = retryDelay)]
pub fn retry_delay(attempt: u32, retry_after: Option<String>, now_ms: f64, random: f64) -> f64 {
    audit::retry_delay_ms(attempt, retry_after.as_deref(), now_ms, random)
}

/// What an HTTP status means for a batch: `delivered`, `retry` or `smaller`.
#[wasm_bindgen(js_name = delivery)]
pub fn delivery(status: u16) -> Result<JsValue, JsError> {
    to_js(&audit::delivery(status))
}

/// Events as CSV, for the options page's export (see `aiguard_engine::audit::export_csv`).
#[wasm_bindgen(js_name = auditCsv)]
pub fn audit_csv(events: JsValue) -> Result<String, JsError> {
    let events: Vec<serde_json::Value> = serde_wasm_bindgen::from_value(events).map_err(|e| JsError::new(&format!("events: {e}")))?;
    Ok(audit::export_csv(&events))
}

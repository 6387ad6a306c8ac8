//! The file decoders as the extension's background sees them: bytes in, texts out. Every
//! decision about what was found is the engine's (`aiguard-engine`), in the other module.

use aiguard_files::{decode, Limits};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The texts of a file: `bytes` are the file or its first part (up to the policy's
/// `maxFileBytes`), `size` its full size. Returns `{format, texts: [{entry?, encoding, text}],
/// unreadable: [{entry?, reason}], truncated, size}`, which the engine's `checkSubmission` takes
/// as a file part's `decoded`.
#[wasm_bindgen(js_name = decodeFile)]
pub fn decode_file(bytes: &[u8], size: f64) -> Result<JsValue, JsError> {
    if !(size.is_finite() && size >= 0.0) {
        return Err(JsError::new(&format!("size: expected a byte count, got {size}")));
    }
    let decoded = decode(bytes, size as u64, &Limits::default());
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    decoded.serialize(&ser).map_err(|e| JsError::new(&e.to_string()))
}

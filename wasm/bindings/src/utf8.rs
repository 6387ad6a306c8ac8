//! JavaScript strings into the engine's UTF-8, encoded by `TextEncoder.encodeInto` straight into
//! a buffer of the module's memory.
//!
//! wasm-bindgen's own conversion (of a `&str` parameter, or `JsValue::as_string`) allocates one
//! byte per UTF-16 unit and copies the text over one unit at a time in JavaScript while it is
//! ASCII; at the first other character it grows the buffer to three bytes per remaining unit,
//! which moves the whole buffer, then encodes the rest. Here the buffer holds three bytes per
//! unit from the start (the most a unit can take), the encoder writes it once, and it is shrunk
//! in place to what was written: no copy per unit in JavaScript and no move of the buffer
//! halfway, only the encoder's one pass.

use js_sys::{JsString, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The encoder, made by the generated glue with `new TextEncoder()` in its own scope (in a
    /// Firefox content script that is not the scope `globalThis` names).
    type TextEncoder;

    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;

    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, source: &JsString, destination: &Uint8Array) -> Object;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// `text` as UTF-8 (a lone surrogate becomes U+FFFD, as the encoder writes it).
pub(crate) fn utf8(text: &JsString) -> Result<String, JsError> {
    if !text.is_string() {
        return Err(JsError::new("expected a string"));
    }
    let units = text.length() as usize;
    let capacity = 3 * units;
    let mut bytes: Vec<u8> = Vec::with_capacity(capacity);
    let written = ENCODER.with(|encoder| -> Result<usize, JsValue> {
        // SAFETY: the view covers the vector's allocation and lives only for this call, in
        // which nothing allocates in the module's memory (which could move or grow it).
        let view = unsafe { Uint8Array::view_mut_raw(bytes.as_mut_ptr(), capacity) };
        let result = encoder.encode_into(text, &view);
        let read = Reflect::get(&result, &JsValue::from_str("read"))?.as_f64();
        let written = Reflect::get(&result, &JsValue::from_str("written"))?.as_f64();
        match (read, written) {
            (Some(read), Some(written)) if read as usize == units && written as usize <= capacity => Ok(written as usize),
            _ => Err(JsValue::from_str("TextEncoder.encodeInto did not encode the whole text")),
        }
    });
    let written = written.map_err(|e| JsError::new(&format!("encoding text for the scan: {}", e.as_string().unwrap_or_else(|| format!("{e:?}")))))?;
    // SAFETY: the encoder wrote `written` bytes from the start of the allocation (checked
    // against its capacity above), and what `TextEncoder` writes is UTF-8 by definition.
    unsafe {
        bytes.set_len(written);
        bytes.shrink_to_fit();
        Ok(String::from_utf8_unchecked(bytes))
    }
}

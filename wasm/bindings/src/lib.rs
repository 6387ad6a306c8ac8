//! The engine as the extension sees it. This layer only converts between JavaScript values and
//! the engine's types; every decision is made in `aiguard-engine`.

use aiguard_engine::content::submission::{looks_like_text, DecodedFile, Part, PartContent, PartKind};
use aiguard_engine::dnr::DnrOptions;
use aiguard_engine::page_engine::PageFacts;
use aiguard_engine::policy_source::{self, PolicyCandidates, PolicySource};
use aiguard_engine::{Action, Engine, Grants, PolicyError};
use serde::Serialize;
use wasm_bindgen::prelude::*;

mod audit;
mod bundle;
mod utf8;

/// A compiled policy living in the extension's background context.
#[wasm_bindgen(js_name = Engine)]
pub struct WasmEngine {
    inner: Engine,
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    // JSON-compatible: maps become plain objects, `None` becomes null.
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&ser).map_err(|e| JsError::new(&e.to_string()))
}

fn policy_error(e: &PolicyError) -> JsError {
    JsError::new(&e.to_string())
}

#[derive(Serialize)]
struct PolicyProblem<'a> {
    message: String,
    line: Option<usize>,
    column: Option<usize>,
    rule: Option<&'a str>,
    field: Option<&'a str>,
}

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// The engine with the built-in default policy.
    pub fn builtin() -> WasmEngine {
        WasmEngine { inner: Engine::builtin() }
    }

    /// Compiles an admin policy (JSON text); throws an Error naming line, rule and field.
    #[wasm_bindgen(js_name = fromPolicy)]
    pub fn from_policy(json: &str) -> Result<WasmEngine, JsError> {
        Engine::from_policy_json(json).map(|inner| WasmEngine { inner }).map_err(|e| policy_error(&e))
    }

    /// Validates a policy without keeping it: `null` when valid, otherwise
    /// `{message, line, column, rule, field}`.
    #[wasm_bindgen(js_name = checkPolicy)]
    pub fn check_policy(json: &str) -> Result<JsValue, JsError> {
        match Engine::from_policy_json(json) {
            Ok(_) => Ok(JsValue::NULL),
            Err(e) => to_js(&PolicyProblem {
                message: e.to_string(),
                line: e.line,
                column: e.column,
                rule: e.rule.as_deref(),
                field: e.field.as_deref(),
            }),
        }
    }

    /// `{action, rule}` for a URL.
    pub fn verdict(&self, url: &str) -> Result<JsValue, JsError> {
        let v = self.inner.verdict(url).map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&v)
    }

    /// The action alone as a small integer (0 block, 1 warn, 2 allow; -1 not a URL): the
    /// allocation-free path for per-request checks.
    pub fn action(&self, url: &str) -> i32 {
        match self.inner.action(url) {
            Ok(Action::Block) => 0,
            Ok(Action::Warn) => 1,
            Ok(Action::Allow) => 2,
            Err(_) => -1,
        }
    }

    /// Picks the policy in force from the texts the extension holds (managed, local, the last
    /// good one and its source, and last, optional, the policy text of the verified bundle in
    /// force, which wins over the others) and compiles it: see `aiguard_engine::policy_source`.
    pub fn choose(
        managed: Option<String>,
        local: Option<String>,
        last_good_source: Option<String>,
        last_good_text: Option<String>,
        bundle: Option<String>,
    ) -> ActivePolicy {
        let last_good = match (last_good_source.as_deref().and_then(PolicySource::parse), last_good_text.as_deref()) {
            (Some(source), Some(text)) => Some((source, text)),
            _ => None,
        };
        let chosen = policy_source::choose(PolicyCandidates {
            bundle: bundle.as_deref(),
            managed: managed.as_deref(),
            local: local.as_deref(),
            last_good,
        });
        ActivePolicy { inner: Some(chosen) }
    }

    /// Whether a policy may be saved on the options page (and one saved there used): see
    /// `aiguard_engine::policy_source::local_policy_allowed`.
    #[wasm_bindgen(js_name = localPolicyAllowed)]
    pub fn local_policy_allowed(admin_installed: bool, managed_configured: bool, allow_local: Option<bool>) -> bool {
        policy_source::local_policy_allowed(admin_installed, managed_configured, allow_local)
    }

    /// Whether the toolbar popup links to the console: see
    /// `aiguard_engine::policy_source::console_visible`.
    #[wasm_bindgen(js_name = consoleVisible)]
    pub fn console_visible(admin_installed: bool, managed_configured: bool, show_console: Option<bool>) -> bool {
        policy_source::console_visible(admin_installed, managed_configured, show_console)
    }

    /// Every catalog tool with the action and deciding rule this policy gives it.
    #[wasm_bindgen(js_name = catalogActions)]
    pub fn catalog_actions(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.catalog_actions())
    }

    /// The built-in default policy's text: the console's starting point.
    #[wasm_bindgen(js_name = builtinPolicyText)]
    pub fn builtin_policy_text() -> String {
        aiguard_engine::policy::DEFAULT_POLICY_JSON.to_owned()
    }

    /// What the toolbar popup tells the employee about the page at `url`.
    #[wasm_bindgen(js_name = tabStatus)]
    pub fn tab_status(&self, url: &str, grants: &WasmGrants, now_ms: f64) -> Result<JsValue, JsError> {
        let status = self.inner.tab_status(url, &grants.inner, now_ms).map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&status)
    }

    /// What the warn and block pages show, with the "Continue" `grants` applied at `now_ms`.
    pub fn explain(&self, url: &str, grants: &WasmGrants, now_ms: f64) -> Result<JsValue, JsError> {
        let e = self.inner.explain(url, &grants.inner, now_ms).map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&e)
    }

    /// "Continue" on a warned `url`: `{url, host, rule, until}` to grant, or `{error}` with
    /// `not-a-url`, `not-warned` or `justification-required`.
    #[wasm_bindgen(js_name = continueOn)]
    pub fn continue_on(&self, url: &str, justification: &str, now_ms: f64) -> Result<JsValue, JsError> {
        match self.inner.continue_on(url, justification, now_ms) {
            Ok(grant) => to_js(&grant),
            Err(refusal) => to_js(&serde_json::json!({ "error": refusal.code() })),
        }
    }

    /// A short hash of the content section: changes exactly when engines in pages must reload.
    #[wasm_bindgen(getter, js_name = contentRevision)]
    pub fn content_revision(&self) -> String {
        self.inner.content_revision().to_string()
    }

    /// What a navigation's address carries (query and fragment), checked as content:
    /// `{verdict, networkRulesStop}`, or `null` when out of scope or nothing is carried.
    #[wasm_bindgen(js_name = checkAddress)]
    pub fn check_address(&self, url: &str) -> Result<JsValue, JsError> {
        match self.inner.check_address(url) {
            Some(check) => to_js(&check),
            None => Ok(JsValue::NULL),
        }
    }

    /// The network rules that send navigations with a query to pages in scope to the warn page
    /// first, with ids from `first_id`.
    #[wasm_bindgen(js_name = urlContentRules)]
    pub fn url_content_rules(&self, warn_page: &str, first_id: u32, extension_base: Option<String>) -> Result<JsValue, JsError> {
        let opts = DnrOptions { warn_page: warn_page.into(), block_page: String::new(), first_id, extension_base };
        to_js(&self.inner.url_content_rules(&opts))
    }

    /// The one-off session rule that lets tab `tab_id`'s navigation to `url` through once its
    /// address was checked.
    #[wasm_bindgen(js_name = addressPassRule)]
    pub fn address_pass_rule(&self, id: u32, url: &str, tab_id: i32) -> Result<JsValue, JsError> {
        to_js(&aiguard_engine::dnr::url_content::pass_rule(id, url, tab_id))
    }

    /// Whether content going into a frame is scanned, from what the browser says of the frame:
    /// its URL, its origin, its tab's URL and the URL of the page that opened the tab.
    #[wasm_bindgen(js_name = scansFrame)]
    pub fn scans_frame(&self, url: Option<String>, origin: Option<String>, tab_url: Option<String>, opener_url: Option<String>) -> bool {
        self.inner.scans_frame(&aiguard_engine::FrameContext {
            url: url.as_deref(),
            origin: origin.as_deref(),
            tab_url: tab_url.as_deref(),
            opener_url: opener_url.as_deref(),
        })
    }

    /// Whether a page's content script may compile the engine itself: `"allowed"` or the reason
    /// it may not (`out-of-scope`, `policy-keeps-out`, `fingerprints-loaded`, `no-csp-record`,
    /// `csp-forbids-wasm`). `headerCsps` is null when no response was seen for the document.
    #[wasm_bindgen(js_name = pageEngine)]
    pub fn page_engine(&self, in_scope: bool, header_csps: Option<Vec<String>>, meta_csps: Vec<String>) -> Result<JsValue, JsError> {
        let decision = self.inner.page_engine(PageFacts { in_scope, header_csps: header_csps.as_deref(), meta_csps: &meta_csps });
        to_js(&decision)
    }

    /// `{rules, regexRules, skipped}`: the policy as declarativeNetRequest rules.
    #[wasm_bindgen(js_name = dnrRules)]
    pub fn dnr_rules(
        &self,
        warn_page: &str,
        block_page: &str,
        first_id: u32,
        extension_base: Option<String>,
    ) -> Result<JsValue, JsError> {
        let opts = DnrOptions { warn_page: warn_page.into(), block_page: block_page.into(), first_id, extension_base };
        let c = self.inner.dnr_rules(&opts);
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out<'a> {
            rules: &'a [serde_json::Value],
            regex_rules: usize,
            skipped: &'a [String],
        }
        to_js(&Out { rules: &c.rules, regex_rules: c.regex_rules, skipped: &c.skipped })
    }

    /// Whether the network rules stop a navigation to `url` themselves (see the engine).
    #[wasm_bindgen(js_name = networkRulesCover)]
    pub fn network_rules_cover(&self, url: &str) -> bool {
        self.inner.network_rules_cover(url)
    }

    /// The allow rule that remembers "Continue" for the URL's host, or null.
    #[wasm_bindgen(js_name = grantRule)]
    pub fn grant_rule(&self, id: u32, url: &str) -> Result<JsValue, JsError> {
        let r = self.inner.grant_rule(id, url).map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&r)
    }

    /// `{action, findings}` for text on its way into a page. Offsets are UTF-8 byte offsets;
    /// `findings[].excerpt` never contains a whole secret.
    pub fn scan(&self, text: &js_sys::JsString) -> Result<JsValue, JsError> {
        to_js(&self.inner.scan(&utf8::utf8(text)?))
    }

    /// The verdict on a paste, drop, typed prompt or file selection. `parts` is an array of
    /// `{kind: "text"|"html"|"file", name?, text?}` or, for files, `{kind: "file", name, bytes:
    /// Uint8Array, size}` (`bytes` the file's first `maxFileBytes` when `size` is larger) or
    /// `{kind: "file", name, decoded}` with what the file decoders module's `decodeFile` returned
    /// (for any file that is not plain text: see `looksLikeText`). Returns `{action, parts,
    /// findings, justification, redactable, redactedText}`; findings carry `part`, and `entry`
    /// for a finding inside a container.
    #[wasm_bindgen(js_name = checkSubmission)]
    pub fn check_submission(&self, parts: &js_sys::Array) -> Result<JsValue, JsError> {
        struct Owned {
            kind: PartKind,
            name: Option<String>,
            text: Option<String>,
            bytes: Vec<u8>,
            size: u64,
            decoded: Option<DecodedFile>,
        }
        let field = |obj: &JsValue, key: &str| js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
        let mut owned = Vec::with_capacity(parts.length() as usize);
        for (i, obj) in parts.iter().enumerate() {
            let kind = match field(&obj, "kind").as_string().as_deref() {
                Some("text") => PartKind::Text,
                Some("html") => PartKind::Html,
                Some("file") => PartKind::File,
                other => return Err(JsError::new(&format!("parts[{i}].kind: expected text, html or file, got {other:?}"))),
            };
            let name = field(&obj, "name").as_string();
            let text = match field(&obj, "text").dyn_ref::<js_sys::JsString>() {
                Some(text) => Some(utf8::utf8(text)?),
                None => None,
            };
            let bytes_value = field(&obj, "bytes");
            let has_bytes = !(bytes_value.is_undefined() || bytes_value.is_null());
            let bytes = if has_bytes {
                bytes_value
                    .dyn_into::<js_sys::Uint8Array>()
                    .map_err(|_| JsError::new(&format!("parts[{i}].bytes: expected a Uint8Array")))?
                    .to_vec()
            } else {
                Vec::new()
            };
            let decoded_value = field(&obj, "decoded");
            let decoded = if decoded_value.is_undefined() || decoded_value.is_null() {
                None
            } else {
                Some(
                    serde_wasm_bindgen::from_value::<DecodedFile>(decoded_value)
                        .map_err(|e| JsError::new(&format!("parts[{i}].decoded: {e}")))?,
                )
            };
            if kind == PartKind::File && text.is_none() && !has_bytes && decoded.is_none() {
                return Err(JsError::new(&format!("parts[{i}]: a file needs bytes, decoded or text")));
            }
            let size = field(&obj, "size").as_f64().map_or(bytes.len() as u64, |s| s as u64);
            owned.push(Owned { kind, name, text, bytes, size, decoded });
        }
        let parts: Vec<Part> = owned
            .iter()
            .map(|o| Part {
                kind: o.kind,
                name: o.name.as_deref(),
                content: match (&o.text, &o.decoded) {
                    (Some(t), _) => PartContent::Text(t),
                    (None, Some(d)) => PartContent::Decoded(d),
                    (None, None) => PartContent::Bytes { bytes: &o.bytes, size: o.size },
                },
            })
            .collect();
        to_js(&self.inner.check_submission(&parts))
    }

    /// The verdict on a typed edit turning `before` into `after` (the text around the caret
    /// before and after it): the secrets and markers the edit adds.
    #[wasm_bindgen(js_name = checkTyping)]
    pub fn check_typing(&self, before: &js_sys::JsString, after: &js_sys::JsString) -> Result<JsValue, JsError> {
        to_js(&self.inner.check_typing(&utf8::utf8(before)?, &utf8::utf8(after)?))
    }

    /// The verdict on a prompt `text` about to be sent from an editor whose content the
    /// employee let through as `consented`: every detector, less what was let through.
    #[wasm_bindgen(js_name = checkSince)]
    pub fn check_since(&self, consented: &js_sys::JsString, text: &js_sys::JsString) -> Result<JsValue, JsError> {
        to_js(&self.inner.check_since(&utf8::utf8(consented)?, &utf8::utf8(text)?))
    }

    /// Whether a file's bytes are plain UTF-8 text, which this engine scans as they are; any
    /// other file goes through the file decoders module first.
    #[wasm_bindgen(js_name = looksLikeText)]
    pub fn looks_like_text(bytes: &[u8]) -> bool {
        looks_like_text(bytes)
    }

    /// Files are read up to this many bytes (the policy's `content.maxFileBytes`); a larger one
    /// is scanned up to it and reported as truncated.
    #[wasm_bindgen(getter, js_name = maxFileBytes)]
    pub fn max_file_bytes(&self) -> f64 {
        self.inner.content().policy().max_file_bytes as f64
    }

    /// Installs the proprietary-code fingerprint database (the bytes `aiguard fingerprint`
    /// wrote); throws with the reason when the bytes are not a valid database.
    #[wasm_bindgen(js_name = loadFingerprints)]
    pub fn load_fingerprints(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        let db = aiguard_engine::content::fingerprint::FingerprintDb::from_bytes(bytes)
            .map_err(|e| JsError::new(&e.to_string()))?;
        self.inner.set_fingerprints(Some(db));
        Ok(())
    }

    /// Fingerprints in the loaded database (0 when none is loaded).
    #[wasm_bindgen(js_name = fingerprintCount)]
    pub fn fingerprint_count(&self) -> usize {
        self.inner.content().fingerprints().map_or(0, |db| db.len())
    }

    /// A policy text with only this policy's content section, for the engine a content script
    /// compiles in a page: it scans content exactly as this engine does.
    #[wasm_bindgen(getter, js_name = contentPolicy)]
    pub fn content_policy(&self) -> String {
        self.inner.content_only_policy_json().to_string()
    }


    /// Whether content going into pages at this URL is scanned.
    #[wasm_bindgen(js_name = scansPage)]
    pub fn scans_page(&self, url: &str) -> bool {
        self.inner.scans_page(url)
    }

    /// The text with every secret replaced by `[REDACTED <rule>]`.
    #[wasm_bindgen(js_name = redactSecrets)]
    pub fn redact_secrets(&self, text: &js_sys::JsString) -> Result<String, JsError> {
        let text = utf8::utf8(text)?;
        let report = self.inner.scan(&text);
        Ok(aiguard_engine::content::scanner::redact_secrets(&text, &report.findings))
    }

    /// Counts for the options page and diagnostics.
    pub fn stats(&self) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Stats<'a> {
            engine_version: &'a str,
            catalog_version: &'a str,
            catalog_tools: usize,
            rules: usize,
            filters: usize,
        }
        to_js(&Stats {
            engine_version: env!("CARGO_PKG_VERSION"),
            catalog_version: &self.inner.catalog().version,
            catalog_tools: self.inner.catalog().tools.len(),
            rules: self.inner.policy().rules.len(),
            filters: self.inner.policy().filter_count(),
        })
    }
}

/// The outcome of `Engine.choose`: the policy in force, where it came from and why, and the
/// compiled engine (taken once with `takeEngine`).
#[wasm_bindgen]
pub struct ActivePolicy {
    inner: Option<policy_source::ActivePolicy>,
}

#[wasm_bindgen]
impl ActivePolicy {
    fn chosen(&self) -> Result<&policy_source::ActivePolicy, JsError> {
        self.inner.as_ref().ok_or_else(|| JsError::new("the engine was already taken"))
    }

    /// `bundle`, `managed`, `local` or `builtin`.
    #[wasm_bindgen(getter)]
    pub fn source(&self) -> Result<String, JsError> {
        Ok(self.chosen()?.source.as_str().to_string())
    }

    /// The policy text in force (null for the built-in policy).
    #[wasm_bindgen(getter)]
    pub fn text(&self) -> Result<Option<String>, JsError> {
        Ok(self.chosen()?.text.clone())
    }

    /// `chosen`, `last-good-kept` or `builtin-fallback`.
    #[wasm_bindgen(getter)]
    pub fn reason(&self) -> Result<JsValue, JsError> {
        to_js(&self.chosen()?.reason)
    }

    /// `{source, message}` of the candidate that was turned down, or null.
    #[wasm_bindgen(getter)]
    pub fn rejected(&self) -> Result<JsValue, JsError> {
        to_js(&self.chosen()?.rejected)
    }

    /// `{source, text}` to keep as the last good policy, or null when nothing new compiled.
    #[wasm_bindgen(getter, js_name = lastGood)]
    pub fn last_good(&self) -> Result<JsValue, JsError> {
        let good = self.chosen()?.last_good().map(|(source, text)| serde_json::json!({ "source": source.as_str(), "text": text }));
        to_js(&good)
    }

    /// The compiled engine; the object is empty afterwards.
    #[wasm_bindgen(js_name = takeEngine)]
    pub fn take_engine(&mut self) -> Result<WasmEngine, JsError> {
        let chosen = self.inner.take().ok_or_else(|| JsError::new("the engine was already taken"))?;
        Ok(WasmEngine { inner: chosen.engine })
    }
}

/// "Continue" grants by host, kept by the extension across policy reloads.
#[wasm_bindgen(js_name = Grants)]
pub struct WasmGrants {
    inner: Grants,
}

#[wasm_bindgen(js_class = Grants)]
impl WasmGrants {
    /// Reads the stored form (`{host: {url, until}}` as JSON text); null or an empty string is
    /// no grants. Throws on anything else that is not that shape.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: Option<String>) -> Result<WasmGrants, JsError> {
        let inner = match text.as_deref() {
            None | Some("") => Grants::new(),
            Some(t) => Grants::from_json(t).map_err(|e| JsError::new(&e.to_string()))?,
        };
        Ok(WasmGrants { inner })
    }

    /// The stored form.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    pub fn add(&mut self, host: &str, url: &str, until: f64) {
        self.inner.add(host, url, until);
    }

    /// Drops expired grants; returns how many.
    pub fn prune(&mut self, now_ms: f64) -> usize {
        self.inner.prune(now_ms)
    }

    /// The URLs the grants were given on (one per host), for the network layer's allow rules.
    pub fn urls(&self) -> Vec<String> {
        self.inner.iter().map(|(_, g)| g.url.clone()).collect()
    }

    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }
}

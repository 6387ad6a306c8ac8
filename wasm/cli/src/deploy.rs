//! `aiguard deploy`: the file an admin pushes to force-install AIGuard and hand it its managed
//! settings, for each platform's policy mechanism, from a policy the engine has validated.
//!
//! Every target holds the same three things:
//!
//! * **force-install** from the admin's update URL (Chrome and Edge: `ExtensionInstallForcelist`
//!   with the `updates.xml` URL; Firefox: `ExtensionSettings` with the `.xpi` URL);
//! * **AIGuard's managed settings** (`manifest/managed_schema.json`): the policy text, and the
//!   signed-bundle and options-page settings when given;
//! * **the side doors closed**: Incognito (Chrome) and InPrivate (Edge) and Guest mode off, where
//!   an extension could be bypassed; Firefox runs the extension in private windows instead; and
//!   developer tools as the admin chooses (`--devtools`).
//!
//! | target | format | where it goes |
//! |---|---|---|
//! | `chrome-linux` | JSON | `/etc/opt/chrome/policies/managed/aiguard.json` (Chromium: `/etc/chromium/policies/managed/`) |
//! | `edge-linux` | JSON | `/etc/opt/edge/policies/managed/aiguard.json` |
//! | `chrome-windows`, `edge-windows` | `.reg` | imported, or entered as a GPO/Intune registry setting under `HKLM\SOFTWARE\Policies\Google\Chrome` / `Microsoft\Edge` |
//! | `chrome-macos`, `edge-macos` | `.mobileconfig` | a configuration profile, pushed by the MDM |
//! | `google-admin` | JSON | the Admin console's "Policy for extensions" box of the force-installed app |
//! | `firefox` | `policies.json` | `distribution/policies.json` beside the Firefox binary, or the same keys by GPO |

use std::fmt::Write as _;

use serde_json::{json, Map, Value};

/// The platforms `aiguard deploy` writes for.
pub const TARGETS: &[&str] = &["chrome-linux", "edge-linux", "chrome-windows", "edge-windows", "chrome-macos", "edge-macos", "google-admin", "firefox"];

/// Firefox's id of the add-on (`manifest/firefox.json`).
pub const GECKO_ID: &str = "aiguard@aiguard.dev";

/// Developer tools, as the admin chooses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DevTools {
    /// Allowed, but not on the pages of force-installed extensions (Chrome and Edge's default
    /// for managed browsers; Firefox cannot tell them apart and leaves them allowed).
    NotOnExtensions,
    Allowed,
    Blocked,
}

impl DevTools {
    pub fn parse(text: &str) -> Result<DevTools, String> {
        match text {
            "not-on-extensions" => Ok(DevTools::NotOnExtensions),
            "allow" => Ok(DevTools::Allowed),
            "block" => Ok(DevTools::Blocked),
            _ => Err(format!("{text:?}: expected not-on-extensions, allow or block")),
        }
    }

    /// Chrome and Edge's `DeveloperToolsAvailability`.
    fn chromium_value(self) -> i64 {
        match self {
            DevTools::NotOnExtensions => 0,
            DevTools::Allowed => 1,
            DevTools::Blocked => 2,
        }
    }
}

/// What goes into the file.
pub struct Deployment<'a> {
    pub target: &'a str,
    /// The Chrome/Edge extension id; for Firefox, the add-on id when it is not AIGuard's own
    /// (a company that signs its build under its own id), empty for [`GECKO_ID`].
    pub extension_id: &'a str,
    /// Chrome/Edge: the `updates.xml` URL; Firefox: the `.xpi` URL.
    pub update_url: &'a str,
    /// The policy text, already validated by the engine.
    pub policy: &'a str,
    pub bundle_url: Option<&'a str>,
    pub bundle_keys: &'a [String],
    pub bundle_refresh_minutes: Option<u32>,
    pub allow_local_policy: Option<bool>,
    /// The toolbar popup links the console for employees (managed showConsole).
    pub show_console: Option<bool>,
    pub devtools: DevTools,
    /// Firefox ESR and Developer Edition: install an add-on Mozilla has not signed (the
    /// `xpinstall.signatures.required` preference, locked off; release Firefox ignores it).
    pub unsigned_xpi: bool,
    /// The reporting settings (`reportingUrl`, `reportingToken`, …), already checked by the
    /// engine; empty for none.
    pub reporting: Map<String, Value>,
}

impl Deployment<'_> {
    /// AIGuard's managed settings. The policy text on one line: a registry string value holds
    /// no line break, and outside JSON's strings (which hold none raw) a line break is a space.
    fn settings(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("policy".into(), json!(self.policy.trim().replace("\r\n", " ").replace(['\r', '\n'], " ")));
        if let Some(url) = self.bundle_url {
            m.insert("bundleUrl".into(), json!(url));
        }
        if !self.bundle_keys.is_empty() {
            m.insert("bundleKeys".into(), json!(self.bundle_keys));
        }
        if let Some(n) = self.bundle_refresh_minutes {
            m.insert("bundleRefreshMinutes".into(), json!(n));
        }
        if let Some(allow) = self.allow_local_policy {
            m.insert("allowLocalPolicy".into(), json!(allow));
        }
        if let Some(show) = self.show_console {
            m.insert("showConsole".into(), json!(show));
        }
        m.extend(self.reporting.clone());
        m
    }

    /// The browser's own policies, by name, for Chrome (`edge` false) or Edge.
    fn browser_policies(&self, edge: bool) -> Vec<(&'static str, Value)> {
        vec![
            ("ExtensionInstallForcelist", json!([format!("{};{}", self.extension_id, self.update_url)])),
            (if edge { "InPrivateModeAvailability" } else { "IncognitoModeAvailability" }, json!(1)),
            ("BrowserGuestModeEnabled", json!(false)),
            ("DeveloperToolsAvailability", json!(self.devtools.chromium_value())),
        ]
    }

    /// The file's text.
    pub fn render(&self) -> Result<String, String> {
        match self.target {
            "chrome-linux" | "edge-linux" => Ok(self.linux(self.target == "edge-linux")),
            "chrome-windows" | "edge-windows" => Ok(self.registry(self.target == "edge-windows")),
            "chrome-macos" | "edge-macos" => Ok(self.mobileconfig(self.target == "edge-macos")),
            "google-admin" => Ok(self.google_admin()),
            "firefox" => Ok(self.firefox()),
            other => Err(format!("--target {other:?}: expected one of {}", TARGETS.join(", "))),
        }
    }

    fn linux(&self, edge: bool) -> String {
        let mut root = Map::new();
        for (name, value) in self.browser_policies(edge) {
            root.insert(name.into(), value);
        }
        root.insert("3rdparty".into(), json!({"extensions": {self.extension_id: Value::Object(self.settings())}}));
        pretty(&Value::Object(root))
    }

    fn registry(&self, edge: bool) -> String {
        let base = if edge { r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Edge" } else { r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Google\Chrome" };
        let mut out = String::from("Windows Registry Editor Version 5.00\r\n");
        let mut scalars = Vec::new();
        for (name, value) in self.browser_policies(edge) {
            match value {
                Value::Array(items) => {
                    let _ = write!(out, "\r\n[{base}\\{name}]\r\n");
                    for (i, item) in items.iter().enumerate() {
                        let _ = write!(out, "\"{}\"={}\r\n", i + 1, reg_value(item));
                    }
                }
                other => scalars.push((name, other)),
            }
        }
        let _ = write!(out, "\r\n[{base}]\r\n");
        for (name, value) in scalars {
            let _ = write!(out, "\"{name}\"={}\r\n", reg_value(&value));
        }
        // An extension's managed settings: one value per setting of its schema under
        // 3rdparty\extensions\<id>\policy, a list as a subkey of numbered values, an object
        // (reportingTags) as a subkey of named values.
        let key = format!(r"{base}\3rdparty\extensions\{}\policy", self.extension_id);
        let settings = self.settings();
        let _ = write!(out, "\r\n[{key}]\r\n");
        for (name, value) in settings.iter().filter(|(_, v)| !v.is_array() && !v.is_object()) {
            let _ = write!(out, "\"{name}\"={}\r\n", reg_value(value));
        }
        for (name, value) in settings.iter().filter(|(_, v)| v.is_array() || v.is_object()) {
            let _ = write!(out, "\r\n[{key}\\{name}]\r\n");
            match value {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let _ = write!(out, "\"{}\"={}\r\n", i + 1, reg_value(item));
                    }
                }
                Value::Object(fields) => {
                    for (field, item) in fields {
                        let _ = write!(out, "\"{}\"={}\r\n", field.replace('\\', "\\\\").replace('"', "\\\""), reg_value(item));
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn mobileconfig(&self, edge: bool) -> String {
        let (domain, name) = if edge { ("com.microsoft.Edge", "Microsoft Edge") } else { ("com.google.Chrome", "Google Chrome") };
        let mut browser = Map::new();
        for (key, value) in self.browser_policies(edge) {
            browser.insert(key.into(), value);
        }
        let payloads = [
            (domain.to_string(), format!("{name}: AIGuard force-installed, private windows and Guest off"), browser),
            (format!("{domain}.extensions.{}", self.extension_id), "AIGuard's managed settings".to_string(), self.settings()),
        ];
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n");
        out.push_str("  <key>PayloadContent</key>\n  <array>\n");
        for (i, (payload_type, display, content)) in payloads.iter().enumerate() {
            out.push_str("    <dict>\n");
            plist_entry(&mut out, 6, "PayloadType", &json!(payload_type));
            plist_entry(&mut out, 6, "PayloadIdentifier", &json!(format!("dev.aiguard.deploy.{}.{i}", self.target)));
            plist_entry(&mut out, 6, "PayloadUUID", &json!(uuid_of(&format!("{}:{payload_type}", self.target))));
            plist_entry(&mut out, 6, "PayloadVersion", &json!(1));
            plist_entry(&mut out, 6, "PayloadDisplayName", &json!(display));
            for (key, value) in content {
                plist_entry(&mut out, 6, key, value);
            }
            out.push_str("    </dict>\n");
        }
        out.push_str("  </array>\n");
        plist_entry(&mut out, 2, "PayloadDisplayName", &json!(format!("AIGuard for {name}")));
        plist_entry(&mut out, 2, "PayloadIdentifier", &json!(format!("dev.aiguard.deploy.{}", self.target)));
        plist_entry(&mut out, 2, "PayloadType", &json!("Configuration"));
        plist_entry(&mut out, 2, "PayloadUUID", &json!(uuid_of(self.target)));
        plist_entry(&mut out, 2, "PayloadVersion", &json!(1));
        plist_entry(&mut out, 2, "PayloadScope", &json!("System"));
        out.push_str("</dict>\n</plist>\n");
        out
    }

    /// The Admin console takes an extension's policy as `{"setting": {"Value": …}}`.
    fn google_admin(&self) -> String {
        let wrapped: Map<String, Value> = self.settings().into_iter().map(|(k, v)| (k, json!({"Value": v}))).collect();
        pretty(&Value::Object(wrapped))
    }

    fn firefox(&self) -> String {
        let id = if self.extension_id.is_empty() { GECKO_ID } else { self.extension_id };
        let mut policies = Map::new();
        policies.insert("ExtensionSettings".into(), json!({id: {
            "installation_mode": "force_installed",
            "install_url": self.update_url,
            // Private windows are no way around it.
            "private_browsing": true,
        }}));
        policies.insert("3rdparty".into(), json!({"Extensions": {id: Value::Object(self.settings())}}));
        if self.unsigned_xpi {
            policies.insert("Preferences".into(), json!({"xpinstall.signatures.required": {"Value": false, "Status": "locked"}}));
        }
        if self.devtools == DevTools::Blocked {
            policies.insert("DisableDeveloperTools".into(), json!(true));
        }
        pretty(&json!({"policies": Value::Object(policies)}))
    }
}

/// A Firefox add-on id: `name@domain` or a braced UUID.
pub fn is_gecko_id(id: &str) -> bool {
    let email = id.split_once('@').is_some_and(|(name, domain)| {
        let ok = |s: &str, empty: bool| (empty || !s.is_empty()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
        ok(name, true) && ok(domain, false)
    });
    let uuid = id.strip_prefix('{').and_then(|r| r.strip_suffix('}')).is_some_and(|u| {
        let parts: Vec<_> = u.split('-').collect();
        parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]) && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
    });
    email || uuid
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("JSON serialises");
    s.push('\n');
    s
}

/// A value in `.reg` syntax: a string (backslashes and quotes escaped) or a DWORD.
fn reg_value(v: &Value) -> String {
    match v {
        Value::Bool(b) => format!("dword:{:08x}", *b as u32),
        Value::Number(n) => format!("dword:{:08x}", n.as_u64().unwrap_or(0) as u32),
        Value::String(s) => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
        other => format!("\"{}\"", other.to_string().replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

/// One `<key>…</key>` and its value, indented by `indent` spaces.
fn plist_entry(out: &mut String, indent: usize, key: &str, value: &Value) {
    let pad = " ".repeat(indent);
    let _ = writeln!(out, "{pad}<key>{}</key>", xml_escape(key));
    plist_value(out, indent, value);
}

fn plist_value(out: &mut String, indent: usize, value: &Value) {
    let pad = " ".repeat(indent);
    match value {
        Value::Bool(true) => { let _ = writeln!(out, "{pad}<true/>"); }
        Value::Bool(false) => { let _ = writeln!(out, "{pad}<false/>"); }
        Value::Number(n) => { let _ = writeln!(out, "{pad}<integer>{n}</integer>"); }
        Value::String(s) => { let _ = writeln!(out, "{pad}<string>{}</string>", xml_escape(s)); }
        Value::Array(items) => {
            let _ = writeln!(out, "{pad}<array>");
            for item in items {
                plist_value(out, indent + 2, item);
            }
            let _ = writeln!(out, "{pad}</array>");
        }
        Value::Object(map) => {
            let _ = writeln!(out, "{pad}<dict>");
            for (k, v) in map {
                plist_entry(out, indent + 2, k, v);
            }
            let _ = writeln!(out, "{pad}</dict>");
        }
        Value::Null => { let _ = writeln!(out, "{pad}<string></string>"); }
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A stable UUID for a payload (a profile pushed again replaces the one before, which a random
/// UUID would not): the SHA-256 of its name, formatted as a version 4 UUID.
fn uuid_of(name: &str) -> String {
    let h = aiguard_engine::bundle::sha256(format!("aiguard-deploy:{name}").as_bytes());
    let hex: String = h[..16].iter().map(|b| format!("{b:02X}")).collect();
    format!("{}-{}-4{}-{}{}-{}", &hex[..8], &hex[8..12], &hex[13..16], ["8", "9", "A", "B"][(h[8] & 3) as usize], &hex[17..20], &hex[20..32])
}

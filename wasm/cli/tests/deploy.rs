//! `aiguard deploy`: every target's file against its golden copy, read back with a parser of
//! its format (JSON; the registry file syntax; a property list, as macOS reads a profile), and
//! holding the force-install, the managed settings and the closed side doors. A policy that
//! does not validate writes nothing. `UPDATE_GOLDEN=1` rewrites the golden files.

use std::path::{Path, PathBuf};
use std::process::Command;

const ID: &str = "kkhmejlbipbofdbnlelodghbngnkgnli";
const UPDATES: &str = "https://extensions.example.internal/aiguard/updates.xml";
const XPI: &str = "https://extensions.example.internal/aiguard/aiguard-firefox.xpi";
const BUNDLE: &str = "https://extensions.example.internal/aiguard/bundle.json";
const KEYS: [&str; 2] = ["MCowBQYDK2VwAyEAq1lD0sM2bG3d7pYj6Z0o8m5w7N0v0oY9mDq0rO8Qx0U=", "R2FyYmxlZCBrZXkgZm9yIGEgcm90YXRpb24gdGVzdCAhISEhISEhISEhIQ=="];
// A policy with quotes, a backslash and a line break: what each format must carry intact.
const POLICY: &str = "{\"version\": 1, \"defaultAction\": \"allow\",\n \"rules\": [{\"id\": \"genai\", \"action\": \"warn\", \"categories\": [\"ai-chat\"], \"justification\": \"required\",\n \"message\": {\"en\": \"Use \\\"Copilot\\\" (C:\\\\tools)\"}}]}\n";

fn aiguard(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aiguard")).args(args).output().expect("run aiguard");
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("aiguard-deploy-test-{}-{name}", std::process::id()))
}

fn deploy(target: &str, policy: &Path) -> String {
    let (id, url) = if target == "firefox" { ("", XPI) } else { (ID, UPDATES) };
    let (code, out, err) = aiguard(&[
        "deploy", "--policy", policy.to_str().unwrap(), "--target", target, "--extension-id", id, "--update-url", url,
        "--bundle-url", BUNDLE, "--bundle-key", KEYS[0], "--bundle-key", KEYS[1],
    ]);
    assert_eq!(code, 0, "{target}: {err}");
    out
}

/// The golden copy of `target`'s file (rewritten with UPDATE_GOLDEN=1).
fn golden(target: &str, ext: &str, got: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/deploy/{target}.{ext}"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert_eq!(got, want, "{target} differs from {}", path.display());
}

/// The policy as every target must carry it: one line, the same JSON.
fn policy_value() -> serde_json::Value {
    serde_json::from_str(POLICY).unwrap()
}

fn assert_policy(text: &str, target: &str) {
    assert!(!text.contains('\n'), "{target}: the policy on one line");
    assert_eq!(serde_json::from_str::<serde_json::Value>(text).unwrap(), policy_value(), "{target}: the policy text");
}

#[test]
fn every_target_writes_its_golden_file_which_its_format_reads_back() {
    let policy = temp("policy.json");
    std::fs::write(&policy, POLICY).unwrap();
    for (target, edge) in [("chrome-linux", false), ("edge-linux", true)] {
        let out = deploy(target, &policy);
        golden(target, "json", &out);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["ExtensionInstallForcelist"], serde_json::json!([format!("{ID};{UPDATES}")]));
        assert_eq!(v[if edge { "InPrivateModeAvailability" } else { "IncognitoModeAvailability" }], 1, "{target}");
        assert_eq!(v["BrowserGuestModeEnabled"], false);
        assert_eq!(v["DeveloperToolsAvailability"], 0);
        let settings = &v["3rdparty"]["extensions"][ID];
        assert_policy(settings["policy"].as_str().unwrap(), target);
        assert_eq!(settings["bundleUrl"], BUNDLE);
        assert_eq!(settings["bundleKeys"], serde_json::json!(KEYS));
    }
    for (target, edge) in [("chrome-windows", false), ("edge-windows", true)] {
        let out = deploy(target, &policy);
        golden(target, "reg", &out);
        let reg = parse_reg(&out);
        let base = if edge { r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Edge" } else { r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Google\Chrome" };
        assert_eq!(reg[&format!(r"{base}\ExtensionInstallForcelist")]["1"], Reg::String(format!("{ID};{UPDATES}")));
        assert_eq!(reg[base][if edge { "InPrivateModeAvailability" } else { "IncognitoModeAvailability" }], Reg::Dword(1));
        assert_eq!(reg[base]["BrowserGuestModeEnabled"], Reg::Dword(0));
        let settings = &reg[&format!(r"{base}\3rdparty\extensions\{ID}\policy")];
        let Reg::String(text) = &settings["policy"] else { panic!("{target}: policy is a string") };
        assert_policy(text, target);
        assert_eq!(settings["bundleUrl"], Reg::String(BUNDLE.into()));
        let keys = &reg[&format!(r"{base}\3rdparty\extensions\{ID}\policy\bundleKeys")];
        assert_eq!((keys["1"].clone(), keys["2"].clone()), (Reg::String(KEYS[0].into()), Reg::String(KEYS[1].into())));
    }
    for (target, domain) in [("chrome-macos", "com.google.Chrome"), ("edge-macos", "com.microsoft.Edge")] {
        let out = deploy(target, &policy);
        golden(target, "mobileconfig", &out);
        let profile = plist::Value::from_reader_xml(out.as_bytes()).unwrap_or_else(|e| panic!("{target}: not a property list: {e}"));
        let profile = profile.as_dictionary().unwrap();
        assert_eq!(profile["PayloadType"].as_string(), Some("Configuration"));
        let payloads = profile["PayloadContent"].as_array().unwrap();
        let by_type = |t: &str| payloads.iter().map(|p| p.as_dictionary().unwrap()).find(|p| p["PayloadType"].as_string() == Some(t)).unwrap_or_else(|| panic!("{target}: no {t} payload"));
        let browser = by_type(domain);
        assert_eq!(browser["ExtensionInstallForcelist"].as_array().unwrap()[0].as_string(), Some(format!("{ID};{UPDATES}").as_str()));
        assert_eq!(browser["BrowserGuestModeEnabled"].as_boolean(), Some(false));
        let settings = by_type(&format!("{domain}.extensions.{ID}"));
        assert_policy(settings["policy"].as_string().unwrap(), target);
        assert_eq!(settings["bundleKeys"].as_array().unwrap().len(), 2);
        let uuids: std::collections::HashSet<&str> = payloads.iter().map(|p| p.as_dictionary().unwrap()["PayloadUUID"].as_string().unwrap()).collect();
        assert_eq!(uuids.len(), 2, "{target}: a UUID per payload");
    }
    let out = deploy("google-admin", &policy);
    golden("google-admin", "json", &out);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_policy(v["policy"]["Value"].as_str().unwrap(), "google-admin");
    assert_eq!(v["bundleKeys"]["Value"], serde_json::json!(KEYS));
    let out = deploy("firefox", &policy);
    golden("firefox", "json", &out);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let install = &v["policies"]["ExtensionSettings"]["aiguard@aiguard.dev"];
    assert_eq!((install["installation_mode"].as_str(), install["install_url"].as_str(), install["private_browsing"].as_bool()), (Some("force_installed"), Some(XPI), Some(true)));
    assert_policy(v["policies"]["3rdparty"]["Extensions"]["aiguard@aiguard.dev"]["policy"].as_str().unwrap(), "firefox");
    let _ = std::fs::remove_file(&policy);
}

#[test]
fn a_policy_that_does_not_validate_writes_nothing() {
    let (policy, out) = (temp("bad.json"), temp("bad.out"));
    std::fs::write(&policy, "{\"version\": 1,\n \"rules\": [{\"id\": \"x\", \"action\": \"explode\"}]}").unwrap();
    let (code, stdout, err) = aiguard(&["deploy", "--policy", policy.to_str().unwrap(), "--target", "chrome-linux", "--extension-id", ID, "--update-url", UPDATES, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("line 2"), "{err}");
    assert!(stdout.is_empty() && !out.exists());
    std::fs::write(&policy, POLICY).unwrap();
    for (args, says) in [
        (vec!["--target", "chrome-beos", "--extension-id", ID, "--update-url", UPDATES], "expected one of"),
        (vec!["--target", "chrome-linux", "--extension-id", "not-an-id", "--update-url", UPDATES], "--extension-id"),
        (vec!["--target", "chrome-linux", "--extension-id", ID, "--update-url", "http://plain.example/u.xml"], "https URL"),
        (vec!["--target", "chrome-linux", "--extension-id", ID, "--update-url", "http://127.0.0.1.example/u.xml"], "https URL"),
        (vec!["--target", "chrome-linux", "--extension-id", ID, "--update-url", UPDATES, "--allow-unsigned"], "only for --target firefox"),
        (vec!["--target", "firefox", "--extension-id", ID, "--update-url", XPI], "a Firefox add-on id"),
        (vec!["--target", "firefox", "--extension-id", "aiguard@", "--update-url", XPI], "a Firefox add-on id"),
        (vec!["--target", "firefox", "--extension-id", "{1234-5678}", "--update-url", XPI], "a Firefox add-on id"),
        (vec!["--target", "firefox", "--update-url", XPI, "--reporting-url", "http://siem.example/e"], "reportingUrl"),
        (vec!["--target", "firefox", "--update-url", XPI, "--reporting-url", "https://siem.example/e"], "reportingToken"),
        (vec!["--target", "firefox", "--update-url", XPI, "--reporting-token", "t"], "need --reporting-url"),
        (vec!["--target", "firefox", "--update-url", XPI, "--reporting-url", "https://siem.example/e", "--reporting-token", "t", "--reporting-tag", "site"], "NAME=VALUE"),
        (vec!["--target", "firefox", "--update-url", XPI, "--reporting-url", "https://siem.example/e", "--reporting-token", "t", "--reporting-format", "syslog"], "reportingFormat"),
    ] {
        let mut all = vec!["deploy", "--policy", policy.to_str().unwrap()];
        all.extend(args);
        let (code, _, err) = aiguard(&all);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(says), "{err}");
    }
    let _ = std::fs::remove_file(&policy);
}

#[test]
fn reporting_settings_in_every_format() {
    let policy = temp("rep.json");
    std::fs::write(&policy, POLICY).unwrap();
    let reporting = ["--show-console", "--reporting-url", "https://siem.example:8088/services/collector/event", "--reporting-token", "hec-token", "--reporting-tag", "site=Lyon \"2\"", "--reporting-tag", "team=platform"];
    let run = |target: &str| {
        let (id, url) = if target == "firefox" { ("", XPI) } else { (ID, UPDATES) };
        let mut args = vec!["deploy", "--policy", policy.to_str().unwrap(), "--target", target, "--extension-id", id, "--update-url", url];
        args.extend(reporting);
        let (code, out, err) = aiguard(&args);
        assert_eq!(code, 0, "{target}: {err}");
        out
    };
    let linux: serde_json::Value = serde_json::from_str(&run("chrome-linux")).unwrap();
    let settings = &linux["3rdparty"]["extensions"][ID];
    assert_eq!(settings["reportingUrl"], "https://siem.example:8088/services/collector/event");
    assert_eq!(settings["showConsole"], true);
    assert_eq!(settings["reportingTags"], serde_json::json!({"site": "Lyon \"2\"", "team": "platform"}));
    let ff: serde_json::Value = serde_json::from_str(&run("firefox")).unwrap();
    assert_eq!(ff["policies"]["3rdparty"]["Extensions"]["aiguard@aiguard.dev"]["reportingToken"], "hec-token");
    let reg = parse_reg(&run("chrome-windows"));
    let key = format!(r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Google\Chrome\3rdparty\extensions\{ID}\policy");
    assert_eq!(reg[&key]["reportingToken"], Reg::String("hec-token".into()));
    assert_eq!(reg[&format!(r"{key}\reportingTags")]["site"], Reg::String("Lyon \"2\"".into()));
    let profile = plist::Value::from_reader_xml(run("edge-macos").as_bytes()).unwrap();
    let payloads = profile.as_dictionary().unwrap()["PayloadContent"].as_array().unwrap();
    let tags = payloads[1].as_dictionary().unwrap()["reportingTags"].as_dictionary().unwrap();
    assert_eq!(tags["team"].as_string(), Some("platform"));
    let _ = std::fs::remove_file(&policy);
}

#[test]
fn firefox_under_a_company_id_and_unsigned_for_esr() {
    let policy = temp("ff.json");
    std::fs::write(&policy, POLICY).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["deploy", "--policy", policy.to_str().unwrap(), "--target", "firefox", "--update-url", XPI];
        args.extend(extra);
        let (code, out, err) = aiguard(&args);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let plain = run(&[]);
    assert!(plain["policies"].get("Preferences").is_none(), "signatures stay required unless asked");
    for id in ["aiguard@example.com", "{0b5e6a4c-8a7e-4b55-9a3f-1c2d3e4f5a6b}"] {
        let v = run(&["--extension-id", id, "--allow-unsigned"]);
        assert_eq!(v["policies"]["ExtensionSettings"][id]["installation_mode"], "force_installed", "{id}");
        assert_policy(v["policies"]["3rdparty"]["Extensions"][id]["policy"].as_str().unwrap(), "firefox");
        assert!(v["policies"]["ExtensionSettings"].get("aiguard@aiguard.dev").is_none());
        assert_eq!(v["policies"]["Preferences"]["xpinstall.signatures.required"], serde_json::json!({"Value": false, "Status": "locked"}));
    }
    let _ = std::fs::remove_file(&policy);
}

#[derive(Clone, Debug, PartialEq)]
enum Reg {
    String(String),
    Dword(u32),
}

/// The registry file syntax that `regedit` imports (version 5.00, CRLF lines): `[key]` sections
/// of `"name"=value` lines, a value being a quoted string with `\\` and `\"` escaped, or
/// `dword:` and eight hex digits. Anything else fails the test.
fn parse_reg(text: &str) -> std::collections::HashMap<String, std::collections::HashMap<String, Reg>> {
    assert!(text.starts_with("Windows Registry Editor Version 5.00\r\n"), "the header");
    assert!(!text.replace("\r\n", "").contains('\n'), "CRLF lines only");
    let mut keys: std::collections::HashMap<String, std::collections::HashMap<String, Reg>> = Default::default();
    let mut current = None;
    for line in text.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
        if let Some(key) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(key.to_string());
            keys.entry(key.to_string()).or_default();
            continue;
        }
        let key = current.clone().unwrap_or_else(|| panic!("a value outside a key: {line}"));
        let rest = line.strip_prefix('"').unwrap_or_else(|| panic!("a value name in quotes: {line}"));
        let (name, value) = rest.split_once("\"=").unwrap_or_else(|| panic!("name=value: {line}"));
        let value = if let Some(hex) = value.strip_prefix("dword:") {
            assert_eq!(hex.len(), 8, "{line}");
            Reg::Dword(u32::from_str_radix(hex, 16).unwrap())
        } else {
            let quoted = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or_else(|| panic!("a quoted string: {line}"));
            let mut out = String::new();
            let mut chars = quoted.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => out.push(chars.next().filter(|n| *n == '\\' || *n == '"').unwrap_or_else(|| panic!("an escape: {line}"))),
                    '"' => panic!("an unescaped quote: {line}"),
                    c => out.push(c),
                }
            }
            Reg::String(out)
        };
        keys.get_mut(&key).unwrap().insert(name.to_string(), value);
    }
    keys
}

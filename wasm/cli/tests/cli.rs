//! The CLI contract: `aiguard url` prints one JSON object per URL; a malformed policy exits 2
//! with one line naming the file and the position or rule and field.

use std::io::Write;
use std::process::Command;

fn aiguard(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aiguard")).args(args).output().expect("run aiguard");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A file in the temporary directory, removed when the test ends (passing or not).
struct TempFile(std::path::PathBuf);

impl std::ops::Deref for TempFile {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn temp_policy(name: &str, text: &str) -> TempFile {
    let file = TempFile(std::env::temp_dir().join(format!("aiguard-cli-test-{}-{name}.json", std::process::id())));
    std::fs::File::create(&file.0).unwrap().write_all(text.as_bytes()).unwrap();
    file
}

#[test]
fn url_prints_one_json_object_per_url_with_the_builtin_policy() {
    let (code, out, _) = aiguard(&["url", "https://claude.ai/new", "https://example.com/"]);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], serde_json::json!({"url": "https://claude.ai/new", "action": "warn", "rule": "ai-tools"}));
    assert_eq!(lines[1], serde_json::json!({"url": "https://example.com/", "action": "allow", "rule": null}));
}

#[test]
fn url_with_a_policy_file() {
    let p = temp_policy("ok", r#"{"version": 1, "rules": [{"id": "no-claude", "action": "block", "patterns": ["claude.ai"]}]}"#);
    let (code, out, _) = aiguard(&["url", "--policy", p.to_str().unwrap(), "https://CLAUDE.ai./x"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["action"], "block");
    assert_eq!(v["rule"], "no-claude");
}

#[test]
fn malformed_policy_exits_2_with_file_line_and_column() {
    let p = temp_policy("syntax", "{\n  \"version\": 1,\n  \"rules\": [\n    {\"id\": \"a\" \"action\": \"block\"}\n  ]\n}\n");
    let (code, out, err) = aiguard(&["url", "--policy", p.to_str().unwrap(), "https://claude.ai/"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(&format!("{}:4:", p.display())), "{err}");
}

#[test]
fn invalid_rule_names_rule_and_field() {
    let p = temp_policy("rule", r#"{"version": 1, "rules": [{"id": "ok", "action": "warn", "patterns": ["a.com"]}, {"id": "bad-port", "action": "block", "patterns": ["x.com", "y.com:99999"]}]}"#);
    let (code, _, err) = aiguard(&["policy", "check", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains(r#"rule "bad-port""#) && err.contains("rules[1].patterns[1]"), "{err}");
}

#[test]
fn policy_check_accepts_a_valid_policy() {
    let p = temp_policy("valid", r#"{"version": 1, "rules": [{"id": "g", "action": "warn", "categories": ["ai-chat"]}]}"#);
    let (code, out, _) = aiguard(&["policy", "check", p.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("ok: 1 rules"), "{out}");
}

#[test]
fn missing_policy_file_is_an_error_not_a_crash() {
    let (code, _, err) = aiguard(&["url", "--policy", "/nonexistent/policy.json", "https://a.com/"]);
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/policy.json"), "{err}");
}

fn aiguard_stdin(args: &[&str], input: &[u8]) -> (i32, String, String) {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_aiguard"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn scan_reports_a_secret_with_byte_offsets_and_a_mask() {
    let token = concat!("ghp_", "R8xq2LmV7tNcP4wZ0kYb9HsD3fJ6gA1eUiOn");
    let input = format!("héllo {token} bye");
    let (code, out, err) = aiguard_stdin(&["scan"], input.as_bytes());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["action"], "block");
    let f = &v["findings"][0];
    assert_eq!(f["detector"], "secret");
    assert_eq!(f["rule"], "github-pat-classic");
    let (s, e) = (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize);
    assert_eq!(&input.as_bytes()[s..e], token.as_bytes());
    assert!(!out.contains(token), "the output must not echo the secret");
}

#[test]
fn scan_finds_a_base64_encoded_secret_at_the_encoded_span_and_names_the_disguise() {
    // base64 of "export GH_TOKEN=ghp_KpcFfvQx8EeMZk1iJFAZIFFaYhbDZCI1d3BX"
    let encoded = "ZXhwb3J0IEdIX1RPS0VOPWdocF9LcGNGZnZReDhFZU1aazFpSkZBWklGRmFZaGJEWkNJMWQzQlg=";
    let input = format!("config blob: {encoded}\n");
    let (code, out, err) = aiguard_stdin(&["scan"], input.as_bytes());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["action"], "block", "{out}");
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "github-pat-classic").expect(&out);
    assert_eq!(f["disguise"], "base64");
    let (s, e) = (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize);
    assert_eq!(&input[s..e], encoded);
}

#[test]
fn scan_finds_a_key_read_out_in_groups_at_the_spaced_span_and_names_the_disguise() {
    let spaced = "AKIA FLHB MUAP TT2Z N5X2";
    let input = format!("the key, read out: {spaced}\nand a token wrapped: ghp_KpcFfvQx8EeMZk1iJF\n    AZIFFaYhbDZCI1d3BX\n");
    let (code, out, err) = aiguard_stdin(&["scan"], input.as_bytes());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["action"], "block", "{out}");
    let span = |rule: &str| {
        let f = v["findings"].as_array().unwrap().iter().find(|f| f["rule"] == rule).expect(&out);
        assert_eq!(f["disguise"], "spaced", "{rule}");
        &input[f["start"].as_u64().unwrap() as usize..f["end"].as_u64().unwrap() as usize]
    };
    assert_eq!(span("aws-access-key-id"), spaced);
    assert_eq!(span("github-pat-classic"), "ghp_KpcFfvQx8EeMZk1iJF\n    AZIFFaYhbDZCI1d3BX");
}

#[test]
fn scan_keeps_offsets_exact_across_invalid_utf8_and_binary() {
    let token = concat!("ghp_", "R8xq2LmV7tNcP4wZ0kYb9HsD3fJ6gA1eUiOn");
    let mut input = vec![0u8, 0xff, 0xfe, b'x', 0xc3];
    let at = input.len() + 1;
    input.push(b' ');
    input.extend_from_slice(token.as_bytes());
    input.extend_from_slice(&[0x80, 0, 0]);
    let (code, out, _) = aiguard_stdin(&["scan", "-"], &input);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["findings"][0]["start"].as_u64().unwrap() as usize, at);
    assert_eq!(v["invalidUtf8Bytes"], 4);
}

#[test]
fn scan_finds_a_secret_straddling_a_block_border_in_a_large_input() {
    // 17 MiB of text with the token across the 16 MiB block border, in one long line.
    let token = concat!("ghp_", "R8xq2LmV7tNcP4wZ0kYb9HsD3fJ6gA1eUiOn");
    let border = 16 << 20;
    let mut input = vec![b'a'; border - 10];
    input.push(b' ');
    input.extend_from_slice(token.as_bytes());
    input.push(b' ');
    input.resize(17 << 20, b'b');
    let (code, out, _) = aiguard_stdin(&["scan"], &input);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(v["findings"][0]["start"].as_u64().unwrap() as usize, border - 9);
}

#[test]
fn scan_rejects_a_foreign_fingerprint_database() {
    let p = temp_policy("notadb", "this is not a database");
    let (code, _, err) = aiguard_stdin(&["scan", "--fingerprints", p.to_str().unwrap()], b"fn main() {}");
    assert_eq!(code, 2);
    assert!(err.contains(p.to_str().unwrap()), "{err}");
}

/// A file of `bytes` in the temporary directory, removed when the test ends.
fn temp_file(name: &str, bytes: &[u8]) -> TempFile {
    let file = TempFile(std::env::temp_dir().join(format!("aiguard-cli-test-{}-{name}", std::process::id())));
    std::fs::write(&file.0, bytes).unwrap();
    file
}

/// Issue 21: the same `.env` as UTF-16, zipped, in a `.docx` split across runs or in a PDF
/// passed `aiguard scan` (and the browser) unread. The CLI reads them through the browser's
/// decoders and finds the key, naming the entry it is in.
#[test]
fn scan_reads_files_through_the_decoders_as_the_browser_does() {
    use aiguard_files::testdata::{docx, pdf, zip, ZipEntry};
    let key = "AKIAFLHBMUAPTT2ZN5X2";
    let env = format!("aws_access_key_id = {key}\n");
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(env.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let cases: Vec<(&str, Vec<u8>, &str, Option<&str>)> = vec![
        ("prod.env", utf16, "text", None),
        ("bundle.zip", zip(&[ZipEntry::deflated("config/.env", &env)]), "zip", Some("config/.env")),
        ("notes.docx", docx(&["aws_access_key_id = ", "AKIA", &key[4..]]), "zip", Some("word/document.xml")),
        ("notes.pdf", pdf(&format!("BT /F1 12 Tf 72 700 Td (aws_access_key_id = {key}) Tj ET"), true, ""), "pdf", None),
    ];
    for (name, bytes, format, entry) in cases {
        let file = temp_file(name, &bytes);
        let (code, out, err) = aiguard(&["scan", file.to_str().unwrap()]);
        assert_eq!(code, 0, "{name}: {err}");
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["action"], "block", "{name}: {out}");
        assert_eq!(v["decoded"], format, "{name}: {out}");
        let f = &v["findings"][0];
        assert_eq!((f["detector"].as_str(), f["rule"].as_str(), f["entry"].as_str()), (Some("secret"), Some("aws-access-key-id"), entry), "{name}: {out}");
        assert!(!out.contains(key), "{name}: the output must not echo the secret");
    }
}

#[test]
fn scan_reports_what_the_decoders_cannot_read_with_the_policy_action() {
    use aiguard_files::testdata::{zip, ZipEntry};
    let locked = temp_file("locked.zip", &zip(&[ZipEntry::encrypted("secrets/prod.env", b"\x13\x37ciphertext")]));
    let (code, out, _) = aiguard(&["scan", locked.to_str().unwrap()]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["action"], "warn", "{out}");
    assert_eq!(v["findings"], serde_json::json!([{"detector": "unscannable", "rule": "encrypted", "start": 0, "end": 0, "action": "warn", "entry": "secrets/prod.env"}]));
    let p = temp_policy("unscannable-block", r#"{"version": 1, "rules": [], "content": {"unscannable": "block"}}"#);
    let (_, out, _) = aiguard(&["scan", "--policy", p.to_str().unwrap(), locked.to_str().unwrap()]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(out.trim()).unwrap()["action"], "block");
    let bad = temp_policy("unscannable-bad", "{\"version\": 1, \"rules\": [],\n \"content\": {\"unscannable\": \"ignore\"}}");
    let (code, _, err) = aiguard(&["scan", "--policy", bad.to_str().unwrap(), locked.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("content.unscannable") && err.contains("block, warn, allow"), "{err}");
}

/// `aiguard fingerprint --index` and `aiguard scan --index`: a match names the lines of the paste
/// it covers and the company file it is a copy of; an index is used only with its own database
/// and a damaged one is refused with what is wrong.
#[test]
fn a_match_names_its_lines_and_with_the_index_the_company_file() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpora/fingerprint-fixtures/company");
    let (db, idx, other) = (temp_policy("index-db", ""), temp_policy("index-idx", ""), temp_policy("index-other-db", ""));
    let (code, out, err) = aiguard(&["fingerprint", "--out", db.to_str().unwrap(), "--index", idx.to_str().unwrap(), fixtures.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote the file index"), "{out}");
    let quota = std::fs::read_to_string(fixtures.join("quota.go")).unwrap();
    let code_lines: Vec<&str> = quota.lines().skip(28).take(15).collect();
    let paste = format!("Hello, can you review this?\n\n```go\n{}\n```\n", code_lines.join("\n"));
    let (code, out, err) = aiguard_stdin(&["scan", "--fingerprints", db.to_str().unwrap(), "--index", idx.to_str().unwrap()], paste.as_bytes());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["detector"], "fingerprint", "{out}");
    let (first, last) = (f["lines"]["first"].as_u64().unwrap(), f["lines"]["last"].as_u64().unwrap());
    assert!((4..=6).contains(&first) && (16..=18).contains(&last), "lines {first}-{last} of a paste whose code is lines 4-18");
    assert!(f["files"][0]["path"].as_str().unwrap().ends_with("quota.go"), "{out}");
    assert!(f["files"][0]["fingerprints"].as_u64().unwrap() >= 4, "{out}");
    // Without the index, the lines still; no file names.
    let (_, out, _) = aiguard_stdin(&["scan", "--fingerprints", db.to_str().unwrap()], paste.as_bytes());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["findings"][0]["lines"].is_object() && v["findings"][0]["files"].is_null(), "{out}");
    // Another database's index, and a cut one.
    let (code, _, err) = aiguard(&["fingerprint", "--out", other.to_str().unwrap(), fixtures.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = aiguard_stdin(&["scan", "--fingerprints", other.to_str().unwrap(), "--index", idx.to_str().unwrap()], paste.as_bytes());
    assert_eq!(code, 2);
    assert!(err.contains("built with another database"), "{err}");
    let bytes = std::fs::read(&*idx).unwrap();
    std::fs::write(&*idx, &bytes[..bytes.len() - 5]).unwrap();
    let (code, _, err) = aiguard_stdin(&["scan", "--fingerprints", db.to_str().unwrap(), "--index", idx.to_str().unwrap()], paste.as_bytes());
    assert_eq!(code, 2);
    assert!(err.contains("entries declared"), "{err}");
}

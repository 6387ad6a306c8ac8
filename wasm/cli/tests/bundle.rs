//! Signed bundles from the admin's side: `aiguard keygen`, `aiguard bundle` and `aiguard bundle
//! verify`, with each way a bundle is refused and its exit status (0 accepted, 2 usage or bad
//! input, 3 refused with the reason code, 4 the database does not match).

use std::path::{Path, PathBuf};
use std::process::Command;

fn aiguard(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aiguard")).args(args).output().expect("run aiguard");
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// A directory in the temporary directory, removed when the test ends (passing or not).
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("aiguard-bundle-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }

    fn write(&self, name: &str, text: &str) -> String {
        std::fs::write(self.0.join(name), text).unwrap();
        self.path(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const POLICY: &str = "{\n  \"version\": 1,\n  \"rules\": [{\"id\": \"a\", \"action\": \"block\", \"patterns\": [\"a.example\"]}]\n}\n";
const DB_URL: &str = "https://rules.example.com/company.db";

fn keygen(dir: &TempDir, name: &str) -> (String, String) {
    let (code, out, err) = aiguard(&["keygen", "--out", &dir.path(name)]);
    assert_eq!(code, 0, "{err}");
    let public = std::fs::read_to_string(dir.0.join(name).join("public.key")).unwrap();
    assert_eq!(public.trim(), out.trim(), "keygen prints the public key it wrote");
    (dir.path(&format!("{name}/private.key")), dir.path(&format!("{name}/public.key")))
}

/// A fingerprint database of this crate's own sources.
fn database(dir: &TempDir) -> String {
    let db = dir.path("company.db");
    let (code, _, err) = aiguard(&["fingerprint", "--out", &db, concat!(env!("CARGO_MANIFEST_DIR"), "/src")]);
    assert_eq!(code, 0, "{err}");
    db
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

#[test]
fn keygen_writes_a_private_key_for_its_owner_only_and_keeps_existing_keys() {
    let dir = TempDir::new("keygen");
    let (private, public) = keygen(&dir, "keys");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&private).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let key = std::fs::read_to_string(&public).unwrap();
    assert_eq!(key.lines().count(), 1);
    assert_eq!(key.trim().len(), 44, "32 bytes in base64: {key}");
    assert!(std::fs::read_to_string(&private).unwrap().starts_with("-----BEGIN PRIVATE KEY-----\n"));

    let (code, _, err) = aiguard(&["keygen", "--out", &dir.path("keys")]);
    assert_eq!(code, 1);
    assert!(err.contains("private.key: exists") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&public).unwrap(), key, "the keys are kept");
    let (code, out, _) = aiguard(&["keygen", "--out", &dir.path("keys"), "--force"]);
    assert_eq!(code, 0);
    assert_ne!(out.trim(), key.trim(), "--force makes a new pair");
}

#[test]
fn a_bundle_round_trips_with_its_database() {
    let dir = TempDir::new("round-trip");
    let (private, public) = keygen(&dir, "keys");
    let policy = dir.write("policy.json", POLICY);
    let db = database(&dir);
    let bundle = dir.path("bundle.json");
    let (code, out, err) = aiguard(&["bundle", "--policy", &policy, "--fingerprints", &db, "--fingerprints-url", DB_URL, "--version", "7", "--key", &private, "--expires-in", "30d", "--out", &bundle]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("version 7"), "{out}");

    let (code, out, err) = aiguard(&["bundle", "verify", "--public-key", &public, &bundle, "--fingerprints", &db]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(": ok: version 7"), "{out}");
    assert!(out.contains("policy: 1 rules"), "{out}");
    let bytes = std::fs::metadata(&db).unwrap().len();
    assert!(out.contains(&format!("fingerprints: {DB_URL}, {bytes} bytes, sha256 ")), "{out}");
    assert!(out.contains("company.db: matches the bundle"), "{out}");

    // The policy inside is the file as written, byte for byte.
    let envelope: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&bundle).unwrap()).unwrap();
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::STANDARD.decode(envelope["payload"].as_str().unwrap()).unwrap();
    let payload: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(payload["policy"], POLICY);
    assert_eq!(payload["version"], 7);
    let thirty_days = payload["expiresMs"].as_u64().unwrap() - payload["issuedMs"].as_u64().unwrap();
    assert_eq!(thirty_days, 30 * 86_400_000);
}

/// Each way a bundle goes wrong is refused with its reason code and exit status.
#[test]
fn bad_bundles_are_refused_with_their_reason_and_exit_status() {
    let dir = TempDir::new("refused");
    let (private, public) = keygen(&dir, "keys");
    let (_, other_public) = keygen(&dir, "other");
    let policy = dir.write("policy.json", POLICY);
    let db = database(&dir);
    let bundle = dir.path("bundle.json");
    let (code, _, err) = aiguard(&["bundle", "--policy", &policy, "--fingerprints", &db, "--fingerprints-url", DB_URL, "--version", "7", "--key", &private, "--expires-in", "1d", "--out", &bundle]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&bundle).unwrap();

    // One byte of the signed payload changed (a base64 digit for another: still base64).
    let at = text.find("\"payload\": \"").unwrap() + 12 + 40;
    let mut tampered = text.clone().into_bytes();
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = dir.write("tampered.json", std::str::from_utf8(&tampered).unwrap());
    // A database of the same size with one byte changed, and one cut short.
    let mut db_bytes = std::fs::read(&db).unwrap();
    let cut = dir.path("cut.db");
    std::fs::write(&cut, &db_bytes[..db_bytes.len() - 1]).unwrap();
    let middle = db_bytes.len() / 2;
    db_bytes[middle] ^= 1;
    let changed = dir.path("changed.db");
    std::fs::write(&changed, &db_bytes).unwrap();
    let later = (now_ms() + 2 * 86_400_000).to_string();

    let cases: Vec<(&str, Vec<&str>, i32, &str)> = vec![
        ("a byte of the payload changed", vec!["--public-key", &public, &tampered], 3, "refused: bad-signature"),
        ("another key", vec!["--public-key", &other_public, &bundle], 3, "refused: unknown-key"),
        ("older than the one in force", vec!["--public-key", &public, "--in-force-version", "8", &bundle], 3, "refused: rollback"),
        ("the one in force", vec!["--public-key", &public, "--in-force-version", "7", &bundle], 3, "refused: same-version"),
        ("expired", vec!["--public-key", &public, "--at", &later, &bundle], 3, "refused: expired"),
        ("a database with another hash", vec!["--public-key", &public, "--fingerprints", &changed, &bundle], 4, "database-hash"),
        ("a database cut short", vec!["--public-key", &public, "--fingerprints", &cut, &bundle], 4, "database-size"),
        ("not a bundle", vec!["--public-key", &public, &policy], 3, "refused: malformed"),
        ("a public key file that is not a key", vec!["--public-key", &policy, &bundle], 2, "not a base64 Ed25519 public key"),
    ];
    for (name, args, status, says) in cases {
        let mut all = vec!["bundle", "verify"];
        all.extend(args);
        let (code, out, err) = aiguard(&all);
        assert_eq!(code, status, "{name}: {err}");
        assert!(err.contains(says), "{name}: {err:?} should say {says:?}");
        assert_eq!(err.lines().count(), 1, "{name}: one line: {err}");
        assert!(out.is_empty(), "{name}: {out}");
    }
    // Trusting both keys, as during a rotation, accepts it.
    let (code, _, err) = aiguard(&["bundle", "verify", "--public-key", &other_public, "--public-key", &public, &bundle]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_bad_policy_makes_no_bundle_and_names_file_line_and_field() {
    let dir = TempDir::new("bad-policy");
    let (private, _) = keygen(&dir, "keys");
    let policy = dir.write("policy.json", "{\n  \"version\": 1,\n  \"rules\": [\n    {\"id\": \"x\", \"action\": \"explode\"}\n  ]\n}\n");
    let bundle = dir.path("bundle.json");
    let (code, _, err) = aiguard(&["bundle", "--policy", &policy, "--version", "1", "--key", &private, "--out", &bundle]);
    assert_eq!(code, 2);
    assert!(err.contains(&format!("{policy}:4:")) && err.contains(r#"rule "x""#) && err.contains("rules[0].action"), "{err}");
    assert!(!Path::new(&bundle).exists(), "no bundle written");
}

#[test]
fn a_database_url_browsers_would_refuse_makes_no_bundle() {
    let dir = TempDir::new("http-url");
    let (private, _) = keygen(&dir, "keys");
    let policy = dir.write("policy.json", POLICY);
    let db = database(&dir);
    let bundle = dir.path("bundle.json");
    let (code, _, err) = aiguard(&["bundle", "--policy", &policy, "--fingerprints", &db, "--fingerprints-url", "http://rules.example.com/company.db", "--version", "1", "--key", &private, "--out", &bundle]);
    assert_eq!(code, 2);
    assert!(err.contains("not an https URL"), "{err}");
    assert!(!Path::new(&bundle).exists(), "no bundle written");
    // A database without its URL is a usage error.
    let (code, _, _) = aiguard(&["bundle", "--policy", &policy, "--fingerprints", &db, "--version", "1", "--key", &private, "--out", &bundle]);
    assert_eq!(code, 2);
}

//! `aiguard pack`: the CRX3 read back as Chromium reads it (magic, header, the RSA proof over
//! the signed data and the archive, the id in the signed header), the archive's files, the
//! update manifest, the version rule, the key file, and a clear error with nothing written for
//! each bad input. Chromium installing the package by policy is the end-to-end test
//! (tests/e2e/forceinstall.chromium.test.mjs).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::RsaPublicKey;
use sha2::{Digest, Sha256};

const OTHER_ID: &str = "abcdefghijklmnopabcdefghijklmnop";
const CODEBASE: &str = "https://extensions.example.internal/aiguard/aiguard.crx?channel=stable&v='1'";

fn aiguard(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aiguard")).args(args).output().expect("run aiguard");
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn dev_key() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../manifest/dev-key.pem").to_str().unwrap().to_owned()
}

struct Temp(PathBuf);
impl Temp {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("aiguard-pack-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Temp(dir)
    }
    fn path(&self, p: &str) -> String {
        self.0.join(p).to_str().unwrap().to_owned()
    }
}
impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A small Chrome extension: a manifest with a static ruleset naming another id, a page, a
/// nested script and a dotfile.
fn extension(dir: &Path, version: &str) {
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::create_dir_all(dir.join("background/lib")).unwrap();
    let manifest = serde_json::json!({
        "manifest_version": 3, "name": "AIGuard", "version": version,
        "key": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAold",
        "declarative_net_request": {"rule_resources": [{"id": "default", "enabled": true, "path": "rules/default.json"}]},
    });
    std::fs::write(dir.join("manifest.json"), serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    std::fs::write(dir.join("rules/default.json"), format!("[{{\"action\": {{\"type\": \"redirect\", \"redirect\": {{\"regexSubstitution\": \"chrome-extension://{OTHER_ID}/pages/warn.html#url=\\\\0\"}}}}}}]")).unwrap();
    std::fs::write(dir.join("background/lib/main.js"), format!("// chrome-extension://{OTHER_ID}/ stays in a script\n")).unwrap();
    std::fs::write(dir.join("page.html"), "<!doctype html><title>AIGuard</title>\n").unwrap();
    std::fs::write(dir.join(".DS_Store"), "junk").unwrap();
}

fn le32(b: &[u8]) -> usize {
    u32::from_le_bytes(b[..4].try_into().unwrap()) as usize
}

/// Reads protobuf length-delimited fields: (field number, bytes).
fn fields(mut b: &[u8]) -> Vec<(u64, &[u8])> {
    fn varint(b: &mut &[u8]) -> u64 {
        let (mut n, mut shift) = (0u64, 0);
        loop {
            let byte = b[0];
            *b = &b[1..];
            n |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return n;
            }
            shift += 7;
        }
    }
    let mut out = Vec::new();
    while !b.is_empty() {
        let key = varint(&mut b);
        assert_eq!(key & 7, 2, "only length-delimited fields");
        let len = varint(&mut b) as usize;
        out.push((key >> 3, &b[..len]));
        b = &b[len..];
    }
    out
}

fn id_of(public_der: &[u8]) -> String {
    Sha256::digest(public_der)[..16].iter().flat_map(|b| [b >> 4, b & 0xf]).map(|n| char::from(b'a' + n)).collect()
}

#[test]
fn a_crx_chromium_accepts_and_the_update_manifest() {
    let t = Temp::new("crx");
    let ext = t.0.join("ext");
    extension(&ext, "1.2.300.4");
    let (code, stdout, stderr) = aiguard(&["pack", "--key", &dev_key(), "--codebase", CODEBASE, "--out", &t.path("out"), ext.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let id = stdout.trim();
    assert_eq!(aiguard(&["pack", "--key", &dev_key(), "--print-id"]).1.trim(), id);
    assert!(stderr.contains("version 1.2.300.4") && stderr.contains(id), "{stderr}");

    let crx = std::fs::read(t.0.join("out/aiguard.crx")).unwrap();
    assert_eq!(&crx[..4], b"Cr24");
    assert_eq!(le32(&crx[4..]), 3);
    let header_len = le32(&crx[8..]);
    let (header, archive) = crx[12..].split_at(header_len);
    let header = fields(header);
    let proofs: Vec<_> = header.iter().filter(|(n, _)| *n == 2).map(|(_, b)| fields(b)).collect();
    let signed_header_data = header.iter().find(|(n, _)| *n == 10000).expect("signed_header_data").1;
    assert_eq!(proofs.len(), 1);
    let public_der = proofs[0].iter().find(|(n, _)| *n == 1).unwrap().1;
    let signature = proofs[0].iter().find(|(n, _)| *n == 2).unwrap().1;
    assert_eq!(id_of(public_der), id, "the id is the key's");
    let crx_id = fields(signed_header_data)[0];
    assert_eq!((crx_id.0, id_of(public_der)[..].len()), (1, 32));
    assert_eq!(crx_id.1, &Sha256::digest(public_der)[..16], "the signed header names the key's id");

    let message = [b"CRX3 SignedData\0".as_slice(), &(signed_header_data.len() as u32).to_le_bytes(), signed_header_data, archive].concat();
    let verifier = VerifyingKey::<Sha256>::new(RsaPublicKey::from_public_key_der(public_der).unwrap());
    verifier.verify(&message, &Signature::try_from(signature).unwrap()).expect("the signature verifies");
    let mut tampered = message.clone();
    *tampered.last_mut().unwrap() ^= 1;
    assert!(verifier.verify(&tampered, &Signature::try_from(signature).unwrap()).is_err(), "a changed archive fails");

    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
    let mut names: Vec<_> = zip.file_names().map(str::to_owned).collect();
    names.sort();
    assert_eq!(names, ["background/lib/main.js", "manifest.json", "page.html", "rules/default.json"], "dotfiles are left out");
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let manifest: serde_json::Value = serde_json::from_str(&read("manifest.json")).unwrap();
    use base64::Engine as _;
    assert_eq!(manifest["key"].as_str().unwrap(), base64::engine::general_purpose::STANDARD.encode(public_der), "the manifest key is the packing key");
    assert_eq!(manifest["version"], "1.2.300.4");
    let rules = read("rules/default.json");
    assert!(rules.contains(&format!("chrome-extension://{id}/pages/warn.html")) && !rules.contains(OTHER_ID), "{rules}");
    assert!(read("background/lib/main.js").contains(OTHER_ID), "only rulesets are rewritten");
    assert!(read("page.html").starts_with("<!doctype html>"));
    let on_disk: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(ext.join("manifest.json")).unwrap()).unwrap();
    assert!(on_disk["key"].as_str().unwrap().ends_with("EAold"), "the extension directory is left as it was");

    let updates = std::fs::read_to_string(t.0.join("out/updates.xml")).unwrap();
    for part in [
        "<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>",
        &format!("<app appid='{id}'>"),
        "codebase='https://extensions.example.internal/aiguard/aiguard.crx?channel=stable&amp;v=&apos;1&apos;'",
        "version='1.2.300.4'",
    ] {
        assert!(updates.contains(part), "{part} in {updates}");
    }

    // The same version again would be ignored by browsers: refused, and the package kept.
    let (code, _, stderr) = aiguard(&["pack", "--key", &dev_key(), "--codebase", CODEBASE, "--out", &t.path("out"), ext.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("already offers version 1.2.300.4"), "{stderr}");
    assert_eq!(std::fs::read(t.0.join("out/aiguard.crx")).unwrap(), crx);
    // A higher one replaces both files.
    extension(&ext, "1.2.300.10");
    let (code, _, stderr) = aiguard(&["pack", "--key", &dev_key(), "--codebase", CODEBASE, "--out", &t.path("out"), ext.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read_to_string(t.0.join("out/updates.xml")).unwrap().contains("version='1.2.300.10'"));
    assert!(std::fs::read_dir(t.0.join("out")).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".partial")));
}

#[test]
fn a_new_key_is_written_once_and_gives_its_id() {
    let t = Temp::new("newkey");
    let key = t.path("keys/company.pem");
    let (code, stdout, stderr) = aiguard(&["pack", "--new-key", &key]);
    assert_eq!(code, 0, "{stderr}");
    let id = stdout.trim().to_owned();
    assert!(id.len() == 32 && id.bytes().all(|b| (b'a'..=b'p').contains(&b)), "{id}");
    let text = std::fs::read_to_string(&key).unwrap();
    assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(aiguard(&["pack", "--key", &key, "--print-id"]).1.trim(), id);
    let manifest_key = aiguard(&["pack", "--key", &key, "--print-manifest-key"]).1;
    use base64::Engine as _;
    assert_eq!(id_of(&base64::engine::general_purpose::STANDARD.decode(manifest_key.trim()).unwrap()), id);

    let (code, _, stderr) = aiguard(&["pack", "--new-key", &key]);
    assert_eq!(code, 1);
    assert!(stderr.contains("exists; not replaced"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&key).unwrap(), text, "the key is kept");
}

#[test]
fn bad_input_is_named_and_nothing_is_written() {
    let t = Temp::new("bad");
    let ext = t.0.join("ext");
    extension(&ext, "1.0");
    let firefox = t.0.join("firefox");
    extension(&firefox, "1.0");
    std::fs::write(firefox.join("manifest.json"), r#"{"manifest_version": 3, "version": "1.0", "browser_specific_settings": {"gecko": {"id": "a@b"}}}"#).unwrap();
    let bad_version = t.0.join("badversion");
    extension(&bad_version, "1.02");
    let not_json = t.0.join("notjson");
    extension(&not_json, "1.0");
    std::fs::write(not_json.join("manifest.json"), "{\n  \"version\": 1,\n  oops\n}").unwrap();
    std::fs::write(t.0.join("not-a-key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").unwrap();
    let small = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
    use rsa::pkcs8::EncodePrivateKey;
    std::fs::write(t.0.join("small.pem"), small.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap().as_bytes()).unwrap();

    let key = dev_key();
    for (args, code, expected) in [
        (vec!["--key", &key, "--codebase", "http://extensions.example.internal/a.crx", ext.to_str().unwrap()], 2, "--codebase"),
        (vec!["--key", &key, "--codebase", "http://127.0.0.1.example/a.crx", ext.to_str().unwrap()], 2, "https URL"),
        (vec!["--key", &key, "--codebase", CODEBASE, firefox.to_str().unwrap()], 2, "a Firefox manifest"),
        (vec!["--key", &key, "--codebase", CODEBASE, bad_version.to_str().unwrap()], 2, "version \"1.02\""),
        (vec!["--key", &key, "--codebase", CODEBASE, not_json.to_str().unwrap()], 2, "manifest.json:3:3: not JSON"),
        (vec!["--key", &key, "--codebase", CODEBASE, t.0.join("missing").to_str().unwrap()], 1, "missing/manifest.json: cannot read"),
        (vec!["--key", &t.path("not-a-key.pem"), "--codebase", CODEBASE, ext.to_str().unwrap()], 2, "not-a-key.pem: not an RSA private key"),
        (vec!["--key", &t.path("small.pem"), "--codebase", CODEBASE, ext.to_str().unwrap()], 2, "a 1024-bit RSA key"),
        (vec!["--key", &t.path("nowhere.pem"), "--codebase", CODEBASE, ext.to_str().unwrap()], 1, "nowhere.pem: cannot read"),
        (vec!["--codebase", CODEBASE, ext.to_str().unwrap()], 2, "--key"),
        (vec!["--key", &key, ext.to_str().unwrap()], 2, "--codebase"),
    ] {
        let out = t.path("out");
        let (got, _, stderr) = aiguard(&[&["pack", "--out", &out][..], &args].concat());
        assert_eq!(got, code, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!Path::new(&out).exists(), "{args:?}: nothing written");
    }
}

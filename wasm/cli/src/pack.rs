//! `aiguard pack`: the Chrome/Edge package an admin hosts. A CRX3 file signed with the company's
//! RSA key, and the `updates.xml` that ExtensionInstallForcelist points browsers at.
//!
//! The extension id is the key's: the first 16 bytes of the SHA-256 of the public key (DER
//! SubjectPublicKeyInfo), each nibble written as a letter `a`-`p`. Packing makes the package
//! agree with the key, in the package only (the extension directory is left as it is): the
//! manifest's `key` becomes the public key, so an unpacked copy has the same id, and every
//! `chrome-extension://<id>` in the static rulesets (the redirects that carry a URL to the warn
//! page) names the new id.
//!
//! CRX3 layout (Chromium's `components/crx_file/crx3.proto`), all integers little-endian:
//!
//! ```text
//! "Cr24" | u32 3 | u32 header length | CrxFileHeader | zip archive
//! CrxFileHeader   { 2: AsymmetricKeyProof sha256_with_rsa; 10000: bytes signed_header_data }
//! AsymmetricKeyProof { 1: bytes public_key (DER SPKI); 2: bytes signature }
//! SignedData      { 1: bytes crx_id (the id's 16 bytes) }   = signed_header_data
//! signature = RSASSA-PKCS1-v1_5 SHA-256 over
//!     "CRX3 SignedData\0" | u32 length of signed_header_data | signed_header_data | archive
//! ```

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};

use crate::Failure;

/// Keys shorter than this are refused: Chrome Web Store and Chrome's own packer use 2048 bits.
const MIN_KEY_BITS: usize = 2048;
const CRX_MAGIC: &[u8; 4] = b"Cr24";
const CRX_VERSION: u32 = 3;
const SIGNATURE_CONTEXT: &[u8] = b"CRX3 SignedData\0";
const EXTENSION_SCHEME: &str = "chrome-extension://";

fn io(path: &Path, what: &str, e: impl std::fmt::Display) -> Failure {
    Failure(1, format!("{}: cannot {what}: {e}", path.display()))
}

/// The company's packing key and what follows from it.
pub struct PackingKey {
    private: RsaPrivateKey,
    public_der: Vec<u8>,
}

impl PackingKey {
    fn new(private: RsaPrivateKey) -> Result<Self, String> {
        let public_der = private.to_public_key().to_public_key_der().map_err(|e| e.to_string())?.as_bytes().to_vec();
        Ok(Self { private, public_der })
    }

    /// Reads a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`, as `--new-key` and Chrome's
    /// packer write it) or PKCS#1 (`BEGIN RSA PRIVATE KEY`, as older OpenSSL writes it).
    pub fn read(path: &Path) -> Result<Self, Failure> {
        let text = std::fs::read_to_string(path).map_err(|e| io(path, "read", e))?;
        let private = RsaPrivateKey::from_pkcs8_pem(&text)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(&text))
            .map_err(|_| Failure(2, format!("{}: not an RSA private key in PEM (expected \"-----BEGIN PRIVATE KEY-----\", as `aiguard pack --new-key` and Chrome's packer write it, or \"-----BEGIN RSA PRIVATE KEY-----\")", path.display())))?;
        let bits = private.size() * 8;
        if bits < MIN_KEY_BITS {
            return Err(Failure(2, format!("{}: a {bits}-bit RSA key; expected at least {MIN_KEY_BITS} bits", path.display())));
        }
        Self::new(private).map_err(|e| Failure(2, format!("{}: {e}", path.display())))
    }

    /// Makes a 2048-bit key and writes it to `path` (PKCS#8 PEM, mode 0600); an existing file is
    /// never replaced: the key is the extension's identity, and a new one is a new extension.
    pub fn generate(path: &Path) -> Result<Self, Failure> {
        if path.exists() {
            return Err(Failure(1, format!("{}: exists; not replaced (the key is the extension's identity: browsers would see a package signed with a new key as another extension)", path.display())));
        }
        let private = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, MIN_KEY_BITS).map_err(|e| Failure(1, format!("cannot make an RSA key: {e}")))?;
        let pem = private.to_pkcs8_pem(LineEnding::LF).map_err(|e| Failure(1, format!("cannot encode the key: {e}")))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, "create", e))?;
        }
        crate::bundle::write_private(path, pem.as_bytes()).map_err(|e| io(path, "write", e))?;
        Self::new(private).map_err(|e| Failure(1, e))
    }

    /// The manifest's `key`: the public key's DER in base64.
    pub fn manifest_key(&self) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&self.public_der)
    }

    fn id_bytes(&self) -> [u8; 16] {
        let digest = Sha256::digest(&self.public_der);
        digest[..16].try_into().expect("16 bytes")
    }

    /// The extension id: 32 letters a-p.
    pub fn extension_id(&self) -> String {
        self.id_bytes().iter().flat_map(|b| [b >> 4, b & 0xf]).map(|n| char::from(b'a' + n)).collect()
    }
}

/// A URL browsers may fetch a package or update manifest from: https, or plain http on a loopback
/// host (a test server on this machine).
pub fn is_served_url(url: &str) -> bool {
    fn rest_ok(rest: &str) -> bool {
        !rest.is_empty() && !rest.contains(char::is_whitespace)
    }
    if let Some(rest) = url.strip_prefix("https://") {
        return rest_ok(rest);
    }
    let Some(rest) = url.strip_prefix("http://") else { return false };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host_port.strip_prefix("[::1]").map(|_| "[::1]").unwrap_or_else(|| host_port.split(':').next().unwrap_or(""));
    rest_ok(rest) && matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

pub struct Packed {
    pub id: String,
    pub version: String,
    pub crx: PathBuf,
    pub updates: PathBuf,
    pub files: usize,
}

/// Packs `extension_dir` into `out/aiguard.crx` and writes `out/updates.xml` offering it at
/// `codebase`.
pub fn pack(extension_dir: &Path, key: &PackingKey, codebase: &str, out: &Path) -> Result<Packed, Failure> {
    if !is_served_url(codebase) {
        return Err(Failure(2, format!("--codebase {codebase:?}: expected the https URL the CRX will be served from (http only on 127.0.0.1 or localhost, for testing)")));
    }
    let manifest_path = extension_dir.join("manifest.json");
    let manifest_text = std::fs::read_to_string(&manifest_path).map_err(|e| io(&manifest_path, "read", e))?;
    let mut manifest: serde_json::Value = serde_json::from_str(&manifest_text)
        .map_err(|e| Failure(2, format!("{}:{}:{}: not JSON: {e}", manifest_path.display(), e.line(), e.column())))?;
    let version = check_manifest(&manifest_path, &manifest)?;
    let id = key.extension_id();
    manifest["key"] = serde_json::Value::String(key.manifest_key());
    let rulesets: Vec<String> = manifest
        .pointer("/declarative_net_request/rule_resources")
        .and_then(|r| r.as_array())
        .map(|r| r.iter().filter_map(|r| r["path"].as_str().map(|p| p.trim_start_matches('/').to_owned())).collect())
        .unwrap_or_default();

    let updates = out.join("updates.xml");
    if let Some(offered) = std::fs::read_to_string(&updates).ok().as_deref().and_then(offered_version) {
        if compare_versions(&version, &offered) != std::cmp::Ordering::Greater {
            return Err(Failure(2, format!("{}: already offers version {offered}, and this package is version {version}: browsers only take a higher version. Build again (each build stamps a higher version) or pack into another --out", updates.display())));
        }
    }

    let mut files = Vec::new();
    collect_files(extension_dir, extension_dir, &mut files)?;
    files.sort();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for name in &files {
        let bytes = if name == "manifest.json" {
            let mut text = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
            text.push('\n');
            text.into_bytes()
        } else {
            let path = extension_dir.join(name);
            let bytes = std::fs::read(&path).map_err(|e| io(&path, "read", e))?;
            if rulesets.contains(name) { with_extension_id(&bytes, &id) } else { bytes }
        };
        zip.start_file(name.as_str(), options).map_err(|e| Failure(1, format!("cannot add {name} to the archive: {e}")))?;
        zip.write_all(&bytes).map_err(|e| Failure(1, format!("cannot add {name} to the archive: {e}")))?;
    }
    let archive = zip.finish().map_err(|e| Failure(1, format!("cannot finish the archive: {e}")))?.into_inner();
    let crx_bytes = crx3(key, &archive)?;

    std::fs::create_dir_all(out).map_err(|e| io(out, "create", e))?;
    let crx = out.join("aiguard.crx");
    write_replacing(&crx, &crx_bytes)?;
    write_replacing(&updates, update_manifest(&id, codebase, &version).as_bytes())?;
    Ok(Packed { id, version, crx, updates, files: files.len() })
}

/// The manifest's version, once the manifest is known to be a Chrome MV3 one.
fn check_manifest(path: &Path, manifest: &serde_json::Value) -> Result<String, Failure> {
    let bad = |what: String| Failure(2, format!("{}: {what}", path.display()));
    if manifest.pointer("/browser_specific_settings/gecko").is_some() {
        return Err(bad("a Firefox manifest (browser_specific_settings.gecko): pack takes the Chrome/Edge package, dist/chrome".into()));
    }
    if manifest["manifest_version"] != 3 {
        return Err(bad(format!("manifest_version: expected 3, found {}", manifest["manifest_version"])));
    }
    let version = manifest["version"].as_str().ok_or_else(|| bad("version: expected a string such as \"1.2.3.4\"".into()))?;
    let parts: Vec<_> = version.split('.').collect();
    let valid = (1..=4).contains(&parts.len())
        && parts.iter().all(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) && (p == &"0" || !p.starts_with('0')) && p.parse::<u32>().is_ok_and(|n| n <= 65535));
    if !valid {
        return Err(bad(format!("version {version:?}: expected one to four dot-separated integers 0-65535 without leading zeros")));
    }
    Ok(version.to_owned())
}

/// Every regular file under `dir`, as archive names with `/` separators; dotfiles are left out,
/// as Chrome's packer leaves them out.
fn collect_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), Failure> {
    let entries = std::fs::read_dir(dir).map_err(|e| io(dir, "read", e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io(dir, "read", e))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = std::fs::metadata(&path).map_err(|e| io(&path, "read", e))?;
        if kind.is_dir() {
            collect_files(root, &path, out)?;
        } else if kind.is_file() {
            let relative = path.strip_prefix(root).expect("under the root");
            let name: Vec<_> = relative.components().map(|c| c.as_os_str().to_str().map(str::to_owned)).collect::<Option<_>>()
                .ok_or_else(|| Failure(2, format!("{}: a file name that is not UTF-8", path.display())))?;
            out.push(name.join("/"));
        }
    }
    Ok(())
}

/// `bytes` with every `chrome-extension://<32 letters a-p>` naming `id` instead.
fn with_extension_id(bytes: &[u8], id: &str) -> Vec<u8> {
    let scheme = EXTENSION_SCHEME.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(scheme) {
            let start = i + scheme.len();
            let candidate = bytes.get(start..start + 32);
            let after = bytes.get(start + 32).copied();
            if candidate.is_some_and(|c| c.iter().all(|b| (b'a'..=b'p').contains(b))) && !after.is_some_and(|b| b.is_ascii_alphanumeric()) {
                out.extend_from_slice(scheme);
                out.extend_from_slice(id.as_bytes());
                i = start + 32;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn crx3(key: &PackingKey, archive: &[u8]) -> Result<Vec<u8>, Failure> {
    let signed_header_data = field(1, &key.id_bytes());
    let mut message = Vec::with_capacity(SIGNATURE_CONTEXT.len() + 4 + signed_header_data.len() + archive.len());
    message.extend_from_slice(SIGNATURE_CONTEXT);
    message.extend_from_slice(&(signed_header_data.len() as u32).to_le_bytes());
    message.extend_from_slice(&signed_header_data);
    message.extend_from_slice(archive);
    let signer = SigningKey::<Sha256>::new(key.private.clone());
    let signature = signer.try_sign(&message).map_err(|e| Failure(1, format!("cannot sign the package: {e}")))?.to_vec();
    let proof = [field(1, &key.public_der), field(2, &signature)].concat();
    let header = [field(2, &proof), field(10000, &signed_header_data)].concat();
    let mut crx = Vec::with_capacity(12 + header.len() + archive.len());
    crx.extend_from_slice(CRX_MAGIC);
    crx.extend_from_slice(&CRX_VERSION.to_le_bytes());
    crx.extend_from_slice(&(header.len() as u32).to_le_bytes());
    crx.extend_from_slice(&header);
    crx.extend_from_slice(archive);
    Ok(crx)
}

/// A protobuf length-delimited field.
fn field(number: u32, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 8);
    varint(&mut out, u64::from(number) << 3 | 2);
    varint(&mut out, bytes.len() as u64);
    out.extend_from_slice(bytes);
    out
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The gupdate response Chrome and Edge read from an ExtensionInstallForcelist update URL.
fn update_manifest(id: &str, codebase: &str, version: &str) -> String {
    let codebase = codebase.replace('&', "&amp;").replace('\'', "&apos;").replace('<', "&lt;").replace('>', "&gt;");
    format!(
        "<?xml version='1.0' encoding='UTF-8'?>\n\
         <gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>\n  \
         <app appid='{id}'>\n    \
         <updatecheck codebase='{codebase}' version='{version}' />\n  \
         </app>\n\
         </gupdate>\n"
    )
}

/// The version an existing updates.xml offers.
fn offered_version(xml: &str) -> Option<String> {
    let check = &xml[xml.find("<updatecheck")?..];
    let attr = &check[check.find("version=")? + "version=".len()..];
    let quote = attr.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let value = &attr[1..];
    Some(value[..value.find(quote)?].to_owned())
}

/// Chrome's version order: component by component, missing components count as 0.
fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |v: &str| -> Vec<u64> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    let (a, b) = (parts(a), parts(b));
    (0..a.len().max(b.len())).map(|i| a.get(i).unwrap_or(&0).cmp(b.get(i).unwrap_or(&0))).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
}

/// Writes `path` through a temporary file and a rename, so a browser fetching it meanwhile gets
/// the old file or the new one, never half of one.
fn write_replacing(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".partial");
    let temp = PathBuf::from(temp);
    std::fs::write(&temp, bytes).map_err(|e| io(&temp, "write", e))?;
    std::fs::rename(&temp, path).map_err(|e| io(path, "write", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_urls() {
        for (url, ok) in [
            ("https://ext.example.com/aiguard.crx", true),
            ("https://", false),
            ("http://ext.example.com/aiguard.crx", false),
            ("http://127.0.0.1:8080/aiguard.crx", true),
            ("http://localhost/aiguard.crx", true),
            ("http://[::1]:9/a", true),
            ("http://127.0.0.1.evil.example/a", false),
            ("http://localhost.evil.example/a", false),
            ("ftp://127.0.0.1/a", false),
            ("https://a b", false),
        ] {
            assert_eq!(is_served_url(url), ok, "{url}");
        }
    }

    #[test]
    fn extension_ids_in_rulesets() {
        let old = "abcdefghijklmnopabcdefghijklmnop";
        let new = "ponmlkjihgfedcbaponmlkjihgfedcba";
        for (input, expected) in [
            (format!("\"chrome-extension://{old}/pages/warn.html#url=\\\\0\""), format!("\"chrome-extension://{new}/pages/warn.html#url=\\\\0\"")),
            (format!("chrome-extension://{old}"), format!("chrome-extension://{new}")),
            (format!("chrome-extension://{old}x/"), format!("chrome-extension://{old}x/")),
            ("chrome-extension://short/".to_owned(), "chrome-extension://short/".to_owned()),
            (format!("chrome-extension://{}/", "q".repeat(32)), format!("chrome-extension://{}/", "q".repeat(32))),
        ] {
            assert_eq!(String::from_utf8(with_extension_id(input.as_bytes(), new)).unwrap(), expected);
        }
    }

    #[test]
    fn versions_in_chrome_order() {
        use std::cmp::Ordering::*;
        for (a, b, o) in [("1.2", "1.2.0", Equal), ("1.10", "1.9", Greater), ("0.1.700.5", "0.1.700.12", Less), ("2", "1.65535", Greater)] {
            assert_eq!(compare_versions(a, b), o, "{a} {b}");
        }
        assert_eq!(offered_version(&update_manifest("a", "https://x/a.crx?a=1&b='2'", "1.2.3")).as_deref(), Some("1.2.3"));
        assert_eq!(offered_version("<gupdate><app><updatecheck codebase=\"x\" version=\"4.5\"/></app></gupdate>").as_deref(), Some("4.5"));
    }

    #[test]
    fn protobuf_fields() {
        assert_eq!(field(1, b"ab"), [0x0a, 2, b'a', b'b']);
        assert_eq!(field(10000, &[]), [0x82, 0xf1, 0x04, 0]);
        assert_eq!(field(2, &[0; 300])[..3], [0x12, 0xac, 0x02]);
    }
}

//! `aiguard keygen`, `aiguard bundle` and `aiguard bundle verify`: the admin's side of signed
//! bundles. The format and every check are the engine's (`aiguard_engine::bundle`); this module
//! holds what only an admin's machine has: the private key, the clock, the files.
//!
//! Key files:
//! * `private.key`: the Ed25519 private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), the
//!   form OpenSSL reads and writes (`openssl pkey -in private.key -pubout` shows its public
//!   half), so a team can keep signing in its own tooling. Mode 0600.
//! * `public.key`: one line, the 32-byte public key in base64, as managed storage's
//!   `bundleKeys` takes it.

use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use aiguard_engine::bundle::{self, BundleError, FingerprintRef};
use aiguard_engine::content::fingerprint::FingerprintDb;
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};

use crate::{policy_failure, Failure};

/// DER of a PKCS#8 v1 `PrivateKeyInfo` for Ed25519 (RFC 8410) up to the 32-byte seed.
const PKCS8_PREFIX: [u8; 16] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
const PEM_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const PEM_END: &str = "-----END PRIVATE KEY-----";

/// Exit status of `aiguard bundle verify` when the bundle is refused.
pub const EXIT_REFUSED: u8 = 3;
/// Exit status of `aiguard bundle verify` when the database does not match the bundle.
pub const EXIT_DATABASE: u8 = 4;

fn io(path: &Path, what: &str, e: std::io::Error) -> Failure {
    Failure(1, format!("{}: cannot {what}: {e}", path.display()))
}

/// Makes a key pair in `dir` (created if missing); existing keys are kept unless `force`.
pub fn keygen(dir: &Path, force: bool) -> Result<String, Failure> {
    let (private, public) = (dir.join("private.key"), dir.join("public.key"));
    if !force {
        if let Some(existing) = [&private, &public].into_iter().find(|p| p.exists()) {
            return Err(Failure(1, format!("{}: exists; not replaced (browsers trusting its key would refuse bundles signed by a new one): pass --force to replace it", existing.display())));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| io(dir, "create", e))?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| Failure(1, format!("cannot get random bytes for the key: {e}")))?;
    let key = SigningKey::from_bytes(&seed);
    seed.fill(0);
    let der = [&PKCS8_PREFIX[..], key.as_bytes()].concat();
    let pem = format!("{PEM_BEGIN}\n{}\n{PEM_END}\n", base64::engine::general_purpose::STANDARD.encode(der));
    write_private(&private, pem.as_bytes()).map_err(|e| io(&private, "write", e))?;
    let public_text = bundle::public_key_text(&key.verifying_key().to_bytes());
    std::fs::write(&public, format!("{public_text}\n")).map_err(|e| io(&public, "write", e))?;
    Ok(public_text)
}

/// Writes the private key readable by its owner only, from the moment the file exists.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

fn read_private(path: &Path) -> Result<SigningKey, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, "read", e))?;
    let bad = || Failure(2, format!("{}: not an Ed25519 private key in PKCS#8 PEM (as `aiguard keygen` writes)", path.display()));
    let body: String = text
        .lines()
        .map(str::trim)
        .skip_while(|l| *l != PEM_BEGIN)
        .skip(1)
        .take_while(|l| *l != PEM_END)
        .collect();
    let der = base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| bad())?;
    match der.strip_prefix(&PKCS8_PREFIX[..]).and_then(|seed| <[u8; 32]>::try_from(seed).ok()) {
        Some(seed) => Ok(SigningKey::from_bytes(&seed)),
        None => Err(bad()),
    }
}

fn read_public(path: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, "read", e))?;
    let key = text.trim();
    bundle::public_key(key)
        .map(|_| key.to_string())
        .ok_or_else(|| Failure(2, format!("{}: not a base64 Ed25519 public key (as `aiguard keygen` writes)", path.display())))
}

/// `30d`, `12h`, `90m`: a duration in milliseconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let ms = match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        _ => return Err(format!("{text:?}: expected a number of days, hours or minutes, like 30d, 12h or 90m")),
    };
    match number.parse::<u64>() {
        Ok(n) if n > 0 => n.checked_mul(ms).ok_or_else(|| format!("{text:?}: too long")),
        _ => Err(format!("{text:?}: expected a positive number before the unit, like 30d")),
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Unix milliseconds as an RFC 3339 UTC time, for people.
pub fn rfc3339(ms: u64) -> String {
    let (days, rest) = ((ms / 86_400_000) as i64, ms % 86_400_000);
    let (year, month, day) = aiguard_engine::time::civil_from_days(days);
    let s = rest / 1000;
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

pub struct MakeArgs<'a> {
    pub policy: &'a Path,
    /// The database file and the https URL it will be served from.
    pub fingerprints: Option<(&'a Path, &'a str)>,
    pub version: u64,
    pub key: &'a Path,
    pub expires_in_ms: u64,
    pub out: &'a Path,
}

/// Validates, signs and writes a bundle; nothing is written unless the bundle verifies.
pub fn make(a: MakeArgs<'_>) -> Result<String, Failure> {
    let policy = std::fs::read_to_string(a.policy).map_err(|e| io(a.policy, "read", e))?;
    aiguard_engine::Engine::from_policy_json(&policy).map_err(|e| policy_failure(a.policy, &e))?;
    let fingerprints = match a.fingerprints {
        None => None,
        Some((path, url)) => {
            let bytes = std::fs::read(path).map_err(|e| io(path, "read", e))?;
            let db = FingerprintDb::from_bytes(&bytes).map_err(|e| Failure(2, format!("{}: {e}", path.display())))?;
            eprintln!("aiguard: {}: {} fingerprints, {} bytes", path.display(), db.len(), bytes.len());
            Some(FingerprintRef { url: url.to_string(), sha256: bundle::sha256(&bytes), bytes: bytes.len() as u64 })
        }
    };
    if a.version == 0 {
        return Err(Failure(2, "--version: versions start at 1".into()));
    }
    let key = read_private(a.key)?;
    let issued = now_ms();
    let expires = issued.saturating_add(a.expires_in_ms);
    let payload = bundle::payload_json(a.version, issued, expires, &policy, fingerprints.as_ref());
    let sig = key.sign(&bundle::signed_message(payload.as_bytes()));
    let public = key.verifying_key().to_bytes();
    let text = bundle::envelope_json(payload.as_bytes(), &[(public, sig.to_bytes())]);
    // What the browsers will check, checked here first: an http database URL, say.
    let public_text = bundle::public_key_text(&public);
    bundle::verify(&text, &[&public_text], None, issued as f64).map_err(|e| Failure(2, format!("the bundle would be refused: {e}")))?;
    std::fs::write(a.out, &text).map_err(|e| io(a.out, "write", e))?;
    Ok(format!("version {}, expires {}, signed by {public_text}", a.version, rfc3339(expires)))
}

pub struct VerifyArgs<'a> {
    pub bundle: &'a Path,
    pub public_keys: &'a [std::path::PathBuf],
    pub fingerprints: Option<&'a Path>,
    pub in_force_version: Option<u64>,
    pub at_ms: Option<u64>,
}

/// Checks a bundle as a browser would; the report on success, or the reason it is refused.
pub fn verify(a: VerifyArgs<'_>) -> Result<String, Failure> {
    let keys = a.public_keys.iter().map(|p| read_public(p)).collect::<Result<Vec<_>, _>>()?;
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let text = std::fs::read_to_string(a.bundle).map_err(|e| io(a.bundle, "read", e))?;
    let now = a.at_ms.unwrap_or_else(now_ms);
    let refused = |e: BundleError, code: u8| Failure(code, format!("{}: refused: {e}", a.bundle.display()));
    let v = bundle::verify(&text, &keys, a.in_force_version, now as f64).map_err(|e| refused(e, EXIT_REFUSED))?;
    let engine = aiguard_engine::Engine::from_policy_json(&v.policy_text).expect("a verified bundle's policy compiles");
    let mut report = format!(
        "{}: ok: version {}, issued {}, expires {}, signed by {}\npolicy: {} rules, {} URL filters, default action {}\n",
        a.bundle.display(),
        v.version,
        rfc3339(v.issued_ms),
        rfc3339(v.expires_ms),
        v.signed_by,
        engine.policy().rules.len(),
        engine.policy().filter_count(),
        engine.policy().default_action.as_str(),
    );
    match &v.fingerprints {
        Some(f) => report += &format!("fingerprints: {}, {} bytes, sha256 {}\n", f.url, f.bytes, f.sha256_hex()),
        None => report += "fingerprints: none\n",
    }
    if let Some(path) = a.fingerprints {
        let Some(expected) = &v.fingerprints else {
            return Err(Failure(EXIT_DATABASE, format!("{}: the bundle references no fingerprint database", a.bundle.display())));
        };
        let bytes = std::fs::read(path).map_err(|e| io(path, "read", e))?;
        bundle::check_database(&bytes, expected).map_err(|e| Failure(EXIT_DATABASE, format!("{}: {e}", path.display())))?;
        let db = FingerprintDb::from_bytes(&bytes).map_err(|e| {
            Failure(EXIT_DATABASE, format!("{}: matches the bundle, but the engine refuses it: {e}", path.display()))
        })?;
        report += &format!("{}: matches the bundle: {} fingerprints\n", path.display(), db.len());
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_765_000_000_000), "2025-12-06T05:46:40Z");
    }

    #[test]
    fn durations_read_days_hours_and_minutes() {
        assert_eq!(parse_duration("30d"), Ok(30 * 86_400_000));
        assert_eq!(parse_duration("12h"), Ok(12 * 3_600_000));
        assert_eq!(parse_duration("90m"), Ok(90 * 60_000));
        for bad in ["", "30", "d", "0d", "-1d", "1.5d", "30 d", "30s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }
}

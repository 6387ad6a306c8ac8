//! `aiguard`: the admin CLI over the same engine the extension runs.
//!
//! Exit status: 0 success, 1 an operational failure (I/O, keys that would be overwritten), 2
//! bad input or usage (a policy that does not validate, a string that is not a URL, a key file
//! that is not a key); `aiguard bundle verify` also exits 3 when the bundle is refused and 4
//! when the fingerprint database does not match it.

mod bundle;
mod pack;
mod scan;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aiguard_engine::dnr::DnrOptions;
use aiguard_engine::Engine;
use aiguard_cli::index::FileIndex;
use aiguard_cli::walk;
use std::io::Read;
use clap::{Parser, Subcommand};
use serde_json::json;

#[derive(Parser)]
#[command(name = "aiguard", version, about = "AIGuard admin CLI: check policies, classify URLs, build browser rules")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the verdict for each URL, one JSON object per line.
    Url {
        /// Policy file (JSON); the built-in default policy when omitted.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// URLs to classify.
        #[arg(required = true)]
        urls: Vec<String>,
    },
    /// Policy file commands.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Print the policy compiled to declarativeNetRequest rules (JSON array).
    Dnr {
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Extension page for warned navigations.
        #[arg(long, default_value = "/pages/warn.html")]
        warn_page: String,
        /// Extension page for blocked navigations.
        #[arg(long, default_value = "/pages/block.html")]
        block_page: String,
        /// The extension's origin (e.g. `chrome-extension://<id>`): redirects then carry the
        /// original URL to the warn and block pages.
        #[arg(long)]
        extension_base: Option<String>,
    },
    /// Scan text for proprietary code, credentials and confidential markers; prints one JSON
    /// object `{"action", "findings"}` with byte offsets into the input.
    Scan {
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Fingerprint database built by `aiguard fingerprint`.
        #[arg(long)]
        fingerprints: Option<PathBuf>,
        /// The database's file index (`aiguard fingerprint --index`): each match then names the
        /// company files it is a copy of (`files`: path and fingerprints shared, most first).
        #[arg(long, requires = "fingerprints")]
        index: Option<PathBuf>,
        /// File to scan, or `-` (the default) for standard input.
        #[arg(default_value = "-")]
        input: String,
    },
    /// Build a fingerprint database of the company's source trees (honours .gitignore; skips
    /// binaries, vendored, generated, minified and huge files, and says how many of each).
    Fingerprint {
        /// Where to write the database.
        #[arg(long)]
        out: PathBuf,
        /// A tree of generic, non-proprietary code (open-source dependencies, say): fingerprints
        /// it shares with the company's code are left out as boilerplate. Repeatable.
        #[arg(long)]
        common: Vec<PathBuf>,
        /// Also write which company file each fingerprint came from to this file, for
        /// `aiguard scan --index`. Keep it with the admin: it names the company's files, and
        /// the database the browsers get does not.
        #[arg(long)]
        index: Option<PathBuf>,
        /// The company's source trees or files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Write the file an admin pushes to force-install AIGuard with its managed settings, for
    /// one platform's policy mechanism (to standard output without --out). The policy is
    /// validated first: a policy that does not validate exits 2 and nothing is written.
    Deploy {
        #[arg(long)]
        policy: PathBuf,
        /// chrome-linux, edge-linux, chrome-windows, edge-windows, chrome-macos, edge-macos,
        /// google-admin or firefox.
        #[arg(long)]
        target: String,
        /// The Chrome/Edge extension id (`aiguard pack` prints it); for Firefox, the add-on id
        /// when the package was built and signed under the company's own (AIGUARD_GECKO_ID).
        #[arg(long, default_value = "")]
        extension_id: String,
        /// Chrome/Edge: the URL of the updates.xml you host; Firefox: the URL of the .xpi.
        #[arg(long)]
        update_url: String,
        /// The signed bundle's URL (managed bundleUrl).
        #[arg(long)]
        bundle_url: Option<String>,
        /// A trusted bundle key, as public.key holds it (managed bundleKeys). Repeatable.
        #[arg(long = "bundle-key")]
        bundle_keys: Vec<String>,
        #[arg(long)]
        bundle_refresh_minutes: Option<u32>,
        /// Let the options page set a policy anyway (managed allowLocalPolicy; for a pilot).
        #[arg(long)]
        allow_local_policy: bool,
        /// Let employees open the console from the toolbar popup (managed showConsole; read-only
        /// for them while the policy is managed).
        #[arg(long)]
        show_console: bool,
        /// Developer tools: not-on-extensions (the default: not on the pages of force-installed
        /// extensions), allow, or block.
        #[arg(long, default_value = "not-on-extensions")]
        devtools: String,
        /// The audit collector: an HTTP Event Collector URL (…/services/collector/event), or a
        /// webhook with --reporting-format jsonl (managed reportingUrl).
        #[arg(long)]
        reporting_url: Option<String>,
        /// The collector's token (managed reportingToken).
        #[arg(long)]
        reporting_token: Option<String>,
        /// hec (the default) or jsonl.
        #[arg(long)]
        reporting_format: Option<String>,
        /// jsonl: the header that carries the token (default Authorization).
        #[arg(long)]
        reporting_header: Option<String>,
        /// A label added to every event, NAME=VALUE (managed reportingTags). Repeatable.
        #[arg(long = "reporting-tag")]
        reporting_tags: Vec<String>,
        /// Firefox ESR or Developer Edition: install the package unsigned by Mozilla (locks
        /// xpinstall.signatures.required off; release Firefox ignores it and needs a signed one).
        #[arg(long)]
        allow_unsigned: bool,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Pack the Chrome/Edge extension as a CRX signed with the company's key, with the
    /// updates.xml that ExtensionInstallForcelist points at (OUT/aiguard.crx, OUT/updates.xml);
    /// prints the extension id, which follows from the key.
    Pack {
        /// The company's RSA private key (PEM), made once with --new-key and kept safe: it is
        /// the extension's identity.
        #[arg(long, required_unless_present = "new_key", conflicts_with = "new_key")]
        key: Option<PathBuf>,
        /// Make a new 2048-bit key in this file (mode 0600; an existing file is never replaced),
        /// print its extension id, and pack nothing.
        #[arg(long)]
        new_key: Option<PathBuf>,
        /// The URL the CRX will be served from (https; http only on 127.0.0.1 or localhost).
        #[arg(long, required_unless_present_any = ["new_key", "print_id", "print_manifest_key"])]
        codebase: Option<String>,
        #[arg(long, default_value = "dist")]
        out: PathBuf,
        /// Print the key's extension id and pack nothing.
        #[arg(long)]
        print_id: bool,
        /// Print the manifest `key` (the public key) that gives an unpacked copy the same id, and
        /// pack nothing.
        #[arg(long)]
        print_manifest_key: bool,
        /// The Chrome/Edge extension directory.
        #[arg(default_value = "dist/chrome")]
        extension_dir: PathBuf,
    },
    /// Make an Ed25519 key pair for signing bundles: KEYDIR/private.key (PKCS#8 PEM, mode 0600)
    /// and KEYDIR/public.key (one line of base64, as managed storage's bundleKeys takes it).
    Keygen {
        /// The directory for the two key files (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Replace existing key files.
        #[arg(long)]
        force: bool,
    },
    /// Make a signed bundle of a policy and a fingerprint database reference for browsers to
    /// fetch (`aiguard bundle verify` checks one as a browser does).
    Bundle(BundleArgs),
    /// List the built-in secret rules.
    Secrets,
    /// List the built-in AI-tool catalog.
    Catalog {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct BundleArgs {
    #[command(subcommand)]
    command: Option<BundleCommand>,
    /// The policy file (JSON); validated as the browser will, and a bad one makes no bundle.
    #[arg(long, required = true)]
    policy: Option<PathBuf>,
    /// A fingerprint database built by `aiguard fingerprint`, recorded by size and SHA-256.
    #[arg(long, requires = "fingerprints_url")]
    fingerprints: Option<PathBuf>,
    /// The https URL the database will be served from.
    #[arg(long, requires = "fingerprints")]
    fingerprints_url: Option<String>,
    /// The bundle's version: greater than every bundle published before it.
    #[arg(long, required = true)]
    version: Option<u64>,
    /// The private key (KEYDIR/private.key from `aiguard keygen`).
    #[arg(long, required = true)]
    key: Option<PathBuf>,
    /// How long browsers accept the bundle: days, hours or minutes (30d, 12h, 90m).
    #[arg(long, default_value = "30d")]
    expires_in: String,
    /// Where to write the bundle.
    #[arg(long, required = true)]
    out: Option<PathBuf>,
}

#[derive(Subcommand)]
enum BundleCommand {
    /// Check a bundle as a browser would and say exactly why it would be refused.
    ///
    /// Exit status: 0 accepted, 1 a file cannot be read, 2 usage or a key file that is not a key, 3 refused
    /// (the reason code is printed: malformed, format, unknown-key, bad-signature, rollback,
    /// same-version, expired, bad-policy), 4 the database does not match the bundle
    /// (database-size, database-hash).
    Verify {
        /// A trusted public key file (KEYDIR/public.key); repeat it for a key rotation.
        #[arg(long = "public-key", required = true)]
        public_keys: Vec<PathBuf>,
        /// A fingerprint database to check against the bundle's reference.
        #[arg(long)]
        fingerprints: Option<PathBuf>,
        /// The version of the bundle in force in the browsers: an older or equal one is refused.
        #[arg(long)]
        in_force_version: Option<u64>,
        /// Check as of this time (Unix milliseconds) instead of now.
        #[arg(long)]
        at: Option<u64>,
        /// The bundle file.
        bundle: PathBuf,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Validate a policy file; prints a summary, or the first error with its position.
    Check { file: PathBuf },
}

/// An error already formatted for the user, with its exit status.
struct Failure(u8, String);

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(code, msg)) => {
            eprintln!("aiguard: {msg}");
            ExitCode::from(code)
        }
    }
}

fn load_engine(policy: Option<&Path>) -> Result<Engine, Failure> {
    let Some(path) = policy else { return Ok(Engine::builtin()) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(1, format!("{}: cannot read: {e}", path.display())))?;
    Engine::from_policy_json(&text).map_err(|e| policy_failure(path, &e))
}

/// A policy error as `file:line:column: rule "id": field: message`.
fn policy_failure(path: &Path, e: &aiguard_engine::PolicyError) -> Failure {
    let pos = match (e.line, e.column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", path.display()),
        _ => path.display().to_string(),
    };
    let mut plain = e.clone();
    plain.line = None;
    plain.column = None;
    Failure(2, format!("{pos}: {plain}"))
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Url { policy, urls } => {
            let engine = load_engine(policy.as_deref())?;
            let mut bad = 0;
            for url in &urls {
                match engine.verdict(url) {
                    Ok(v) => println!("{}", json!({"url": url, "action": v.action, "rule": v.rule})),
                    Err(e) => {
                        eprintln!("aiguard: {e}");
                        bad += 1;
                    }
                }
            }
            if bad > 0 {
                return Err(Failure(2, format!("{bad} of {} inputs were not URLs", urls.len())));
            }
        }
        Command::Policy { command: PolicyCommand::Check { file } } => {
            let engine = load_engine(Some(&file))?;
            let p = engine.policy();
            println!(
                "{}: ok: {} rules, {} URL filters, default action {}",
                file.display(),
                p.rules.len(),
                p.filter_count(),
                p.default_action.as_str()
            );
        }
        Command::Dnr { policy, warn_page, block_page, extension_base } => {
            let engine = load_engine(policy.as_deref())?;
            let c = engine.dnr_rules(&DnrOptions { warn_page, block_page, first_id: 1, extension_base });
            for s in &c.skipped {
                eprintln!("aiguard: note: `{s}`: network rules can't express it exactly (its regex would exceed the browser's size cap, or a scheme they don't see); the navigation check covers it");
            }
            println!("{}", serde_json::to_string_pretty(&c.rules).expect("rules serialise"));
        }
        Command::Scan { policy, fingerprints, index, input } => {
            let mut engine = load_engine(policy.as_deref())?;
            let mut named = None;
            if let Some(path) = fingerprints {
                let bytes = std::fs::read(&path).map_err(|e| Failure(1, format!("{}: cannot read: {e}", path.display())))?;
                let db = aiguard_engine::content::fingerprint::FingerprintDb::from_bytes(&bytes)
                    .map_err(|e| Failure(2, format!("{}: {e}", path.display())))?;
                if let Some(index) = &index {
                    named = Some((FileIndex::read(index, &db).map_err(|e| Failure(2, e))?, db.clone()));
                }
                engine.set_fingerprints(Some(db));
            }
            let Some((index, db)) = named else {
                let report = scan::scan_input(&engine, &input).map_err(|e| Failure(1, e))?;
                println!("{}", serde_json::to_string(&report).expect("report serialises"));
                return Ok(());
            };
            // The input is read whole, to look up the text of each match in the index.
            let mut bytes = Vec::new();
            let read = if input == "-" { std::io::stdin().lock().read_to_end(&mut bytes) } else { std::fs::File::open(&input).and_then(|mut f| f.read_to_end(&mut bytes)) };
            read.map_err(|e| Failure(1, format!("{input}: cannot read: {e}")))?;
            let report = scan::scan_reader(&engine, &input, bytes.as_slice()).map_err(|e| Failure(1, e))?;
            let mut out = serde_json::to_value(&report).expect("report serialises");
            for (finding, value) in report.findings.iter().zip(out["findings"].as_array_mut().expect("findings")) {
                if finding.detector != aiguard_engine::content::scanner::Detector::Fingerprint || finding.entry.is_some() {
                    continue;
                }
                let Ok(text) = std::str::from_utf8(&bytes[finding.start..finding.end]) else { continue };
                let hashes = aiguard_engine::content::fingerprint::fingerprints(text, db.key()).into_iter().map(|f| f.hash).filter(|&h| db.contains(h));
                let files: Vec<_> = index.files_of(hashes, 5).into_iter().map(|(path, n)| json!({"path": path, "fingerprints": n})).collect();
                value["files"] = json!(files);
            }
            println!("{out}");
        }
        Command::Fingerprint { out, common, index, paths } => {
            let summary = walk::build_database_indexed(&paths, &common, &out, index.as_deref()).map_err(|e| Failure(1, e))?;
            println!("{summary}");
            println!("wrote {}", out.display());
            if let Some(index) = &index {
                println!("wrote the file index {} (keep it with the admin: it names the company's files)", index.display());
            }
        }
        Command::Deploy {
            policy, target, extension_id, update_url, bundle_url, bundle_keys, bundle_refresh_minutes, allow_local_policy, show_console, devtools,
            reporting_url, reporting_token, reporting_format, reporting_header, reporting_tags, allow_unsigned, out,
        } => {
            let text = std::fs::read_to_string(&policy).map_err(|e| Failure(1, format!("{}: cannot read: {e}", policy.display())))?;
            if let Err(e) = Engine::from_policy_json(&text) {
                return Err(Failure(2, format!("{}: {e}", policy.display())));
            }
            if target == "firefox" {
                if !extension_id.is_empty() && !aiguard_cli::deploy::is_gecko_id(&extension_id) {
                    return Err(Failure(2, format!("--extension-id {extension_id:?}: expected a Firefox add-on id, name@domain or {{UUID}} (or none, for {})", aiguard_cli::deploy::GECKO_ID)));
                }
            } else {
                if !is_extension_id(&extension_id) {
                    return Err(Failure(2, format!("--extension-id {extension_id:?}: expected the 32 letters a-p of a Chrome/Edge extension id (aiguard pack prints it)")));
                }
                if allow_unsigned {
                    return Err(Failure(2, "--allow-unsigned: only for --target firefox (a CRX is always signed, by aiguard pack)".into()));
                }
            }
            if !pack::is_served_url(&update_url) {
                return Err(Failure(2, format!("--update-url {update_url:?}: expected an https URL (http only on 127.0.0.1 or localhost, for testing)")));
            }
            let devtools = aiguard_cli::deploy::DevTools::parse(&devtools).map_err(|e| Failure(2, format!("--devtools {e}")))?;
            let reporting = reporting_settings(reporting_url, reporting_token, reporting_format, reporting_header, &reporting_tags)?;
            let deployment = aiguard_cli::deploy::Deployment {
                target: &target,
                extension_id: &extension_id,
                update_url: &update_url,
                policy: &text,
                bundle_url: bundle_url.as_deref(),
                bundle_keys: &bundle_keys,
                bundle_refresh_minutes,
                allow_local_policy: allow_local_policy.then_some(true),
                show_console: show_console.then_some(true),
                devtools,
                unsigned_xpi: allow_unsigned,
                reporting,
            };
            let file = deployment.render().map_err(|e| Failure(2, e))?;
            match out {
                Some(path) => std::fs::write(&path, file).map_err(|e| Failure(1, format!("{}: cannot write: {e}", path.display())))?,
                None => print!("{file}"),
            }
        }
        Command::Pack { key, new_key, codebase, out, print_id, print_manifest_key, extension_dir } => {
            if let Some(path) = new_key {
                let key = pack::PackingKey::generate(&path)?;
                println!("{}", key.extension_id());
                eprintln!("aiguard: wrote {} (keep it secret and keep it: every later package must be signed with it); the line above is its extension id", path.display());
                return Ok(());
            }
            let key = pack::PackingKey::read(&key.expect("clap requires --key"))?;
            if print_id || print_manifest_key {
                println!("{}", if print_id { key.extension_id() } else { key.manifest_key() });
                return Ok(());
            }
            let packed = pack::pack(&extension_dir, &key, &codebase.expect("clap requires --codebase"), &out)?;
            println!("{}", packed.id);
            eprintln!(
                "aiguard: wrote {} (version {}, {} files) and {}; extension id {}",
                packed.crx.display(), packed.version, packed.files, packed.updates.display(), packed.id
            );
        }
        Command::Keygen { out, force } => {
            let public = bundle::keygen(&out, force)?;
            println!("{public}");
            eprintln!("aiguard: wrote {} (keep it secret) and {}", out.join("private.key").display(), out.join("public.key").display());
        }
        Command::Bundle(args) => match args.command {
            Some(BundleCommand::Verify { public_keys, fingerprints, in_force_version, at, bundle: path }) => {
                let report = bundle::verify(bundle::VerifyArgs {
                    bundle: &path,
                    public_keys: &public_keys,
                    fingerprints: fingerprints.as_deref(),
                    in_force_version,
                    at_ms: at,
                })?;
                print!("{report}");
            }
            None => {
                let required = "required unless a subcommand is given";
                let (Some(policy), Some(version), Some(key), Some(out)) = (args.policy, args.version, args.key, args.out) else {
                    return Err(Failure(2, format!("--policy, --version, --key and --out are {required}")));
                };
                let expires_in_ms = bundle::parse_duration(&args.expires_in).map_err(|e| Failure(2, format!("--expires-in: {e}")))?;
                let summary = bundle::make(bundle::MakeArgs {
                    policy: &policy,
                    fingerprints: fingerprints_pair(&args.fingerprints, &args.fingerprints_url),
                    version,
                    key: &key,
                    expires_in_ms,
                    out: &out,
                })?;
                println!("wrote {}: {summary}", out.display());
            }
        },
        Command::Secrets => {
            for r in aiguard_engine::content::secrets::RULES {
                println!("{:<36} {}", r.id, r.name);
            }
            eprintln!("{} secret rules", aiguard_engine::content::secrets::RULES.len());
        }
        Command::Catalog { json } => {
            let engine = Engine::builtin();
            let cat = engine.catalog();
            if json {
                let tools: Vec<_> = cat
                    .tools
                    .iter()
                    .map(|t| json!({"id": t.id, "name": t.name, "vendor": t.vendor, "category": t.category, "patterns": t.patterns}))
                    .collect();
                println!("{}", json!({"version": cat.version, "tools": tools}));
            } else {
                for t in &cat.tools {
                    println!("{:<28} {:<9} {}", t.id, t.category, t.patterns.join(" "));
                }
                eprintln!("catalog {}: {} entries", cat.version, cat.tools.len());
            }
        }
    }
    Ok(())
}

/// The managed reporting settings from `aiguard deploy`'s flags, checked as the extension
/// checks them.
fn reporting_settings(
    url: Option<String>,
    token: Option<String>,
    format: Option<String>,
    header: Option<String>,
    tags: &[String],
) -> Result<serde_json::Map<String, serde_json::Value>, Failure> {
    let mut m = serde_json::Map::new();
    if url.is_none() {
        if token.is_some() || format.is_some() || header.is_some() || !tags.is_empty() {
            return Err(Failure(2, "--reporting-token, --reporting-format, --reporting-header and --reporting-tag need --reporting-url".into()));
        }
        return Ok(m);
    }
    for (key, value) in [("reportingUrl", url), ("reportingToken", token), ("reportingFormat", format), ("reportingHeader", header)] {
        if let Some(v) = value {
            m.insert(key.into(), json!(v));
        }
    }
    if !tags.is_empty() {
        let mut labels = serde_json::Map::new();
        for tag in tags {
            let Some((name, value)) = tag.split_once('=').filter(|(n, _)| !n.is_empty()) else {
                return Err(Failure(2, format!("--reporting-tag {tag:?}: expected NAME=VALUE")));
            };
            labels.insert(name.into(), json!(value));
        }
        m.insert("reportingTags".into(), serde_json::Value::Object(labels));
    }
    let managed = serde_json::Value::Object(m.clone());
    aiguard_engine::audit::ReportingConfig::from_managed(&managed).map_err(|e| Failure(2, format!("--reporting: {e}")))?;
    Ok(m)
}

fn fingerprints_pair<'a>(path: &'a Option<PathBuf>, url: &'a Option<String>) -> Option<(&'a Path, &'a str)> {
    Some((path.as_deref()?, url.as_deref()?))
}

/// A Chrome/Edge extension id: 32 letters a-p.
fn is_extension_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| (b'a'..=b'p').contains(&b))
}

//! `aiguard`: the admin CLI over the same engine the extension runs.
//!
//! Exit status: 0 success, 1 an operational failure (I/O), 2 bad input (a policy that does not
//! validate, a string that is not a URL).

mod scan;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aiguard_engine::dnr::DnrOptions;
use aiguard_engine::Engine;
use aiguard_cli::walk;
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
        /// The company's source trees or files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// List the built-in secret rules.
    Secrets,
    /// List the built-in AI-tool catalog.
    Catalog {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
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
    Engine::from_policy_json(&text).map_err(|e| {
        let pos = match (e.line, e.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", path.display()),
            _ => path.display().to_string(),
        };
        let mut plain = e.clone();
        plain.line = None;
        plain.column = None;
        Failure(2, format!("{pos}: {plain}"))
    })
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
        Command::Scan { policy, fingerprints, input } => {
            let mut engine = load_engine(policy.as_deref())?;
            if let Some(path) = fingerprints {
                let bytes = std::fs::read(&path).map_err(|e| Failure(1, format!("{}: cannot read: {e}", path.display())))?;
                let db = aiguard_engine::content::fingerprint::FingerprintDb::from_bytes(&bytes)
                    .map_err(|e| Failure(2, format!("{}: {e}", path.display())))?;
                engine.set_fingerprints(Some(db));
            }
            let report = scan::scan_input(&engine, &input).map_err(|e| Failure(1, e))?;
            println!("{}", serde_json::to_string(&report).expect("report serialises"));
        }
        Command::Fingerprint { out, common, paths } => {
            let summary = walk::build_database(&paths, &common, &out).map_err(|e| Failure(1, e))?;
            println!("{summary}");
            println!("wrote {}", out.display());
        }
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

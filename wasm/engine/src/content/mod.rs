//! Content scanning: what must not leave in a paste, a drop, a typed prompt or an uploaded file.
//!
//! * [`secrets`]: credentials (keyword prefilter, regex, entropy floor).
//! * [`markers`]: the policy's confidentiality terms and regexes (`term_finder.rs` finds where
//!   terms may start).
//! * [`fingerprint`]: fingerprints of the company's own source code.
//! * [`normalise`]: views of a text with its disguises undone (encodings, look-alikes,
//!   invisible characters, split literals), which the secret and marker detectors scan too.
//! * [`scanner`]: one pass of all detectors over a text, with the policy's actions.
//! * [`submission`]: a paste, drop, prompt or file selection (several parts) judged as a whole.
//! * [`edit`]: a typed edit, or a text the employee already let through, judged by what it adds.
//!
//! `swar.rs` has the eight-bytes-at-a-time byte tests the tokenizer and the secret prefilter share.

pub mod edit;
pub mod fingerprint;
pub mod markers;
pub mod normalise;
pub mod policy;
pub mod scanner;
pub mod secrets;
pub mod submission;
mod swar;
mod term_finder;

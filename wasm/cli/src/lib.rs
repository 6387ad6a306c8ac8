//! The parts of the `aiguard` CLI that other tools reuse: the source-tree walk behind
//! `aiguard fingerprint` (the fingerprint accuracy benchmark walks its corpus with it, so it
//! measures the files a real build would fingerprint), the file index beside a database, and
//! the deployment files of `aiguard deploy`.

pub mod deploy;
pub mod index;
pub mod walk;

//! From source files to a database, without the boilerplate.
//!
//! Two things are removed before the filter is built:
//!
//! * **Generic code.** Fingerprints of code that is not the company's (the admin passes trees
//!   of open-source or example code as "common" input) are dropped: an idiom that occurs there is
//!   no evidence of a leak.
//! * **Boilerplate of the tree itself.** A fingerprint found in more files than
//!   [`BuildOptions::file_limit`] allows (10% of the files, at least 2 and at most 100) is a
//!   licence-ish header, a generated pattern or an idiom of the house style, not a secret.
//!
//! Each file's fingerprints are de-duplicated, then all are sorted once to count in how many
//! files each occurs: memory is 8 bytes per distinct fingerprint per file, time `n log n`.

use super::db::{BuildStats, DbError, FingerprintDb};
use super::{for_each_fingerprint, FingerprintKey, KeyedHasher, Repetition, REPETITION};

/// How aggressively boilerplate is dropped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BuildOptions {
    /// A fingerprint in more than this share of the files is boilerplate...
    pub max_file_share: f64,
    /// ...but a tree this small or smaller never calls a fingerprint shared by this many files
    /// boilerplate (two files may share a real helper).
    pub min_file_limit: u64,
    /// ...and in a large tree, a fingerprint in more than this many files always is.
    pub max_file_limit: u64,
    /// The k-grams too repetitive to be stored ([`REPETITION`]; the accuracy benchmark's
    /// ablation builds with others).
    pub repetition: Repetition,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions { max_file_share: 0.10, min_file_limit: 2, max_file_limit: 100, repetition: REPETITION }
    }
}

impl BuildOptions {
    /// The largest number of files a fingerprint may occur in and stay in the database.
    pub fn file_limit(&self, files: u64) -> u64 {
        let share = (self.max_file_share * files as f64).ceil() as u64;
        share.clamp(self.min_file_limit, self.max_file_limit.max(self.min_file_limit))
    }
}

/// Collects files, then builds the database.
#[derive(Debug)]
pub struct DbBuilder {
    key: FingerprintKey,
    hasher: KeyedHasher,
    options: BuildOptions,
    /// Every file's distinct fingerprints, concatenated.
    per_file: Vec<u64>,
    common: Vec<u64>,
    stats: BuildStats,
    scratch: Vec<u64>,
}

impl DbBuilder {
    pub fn new(key: FingerprintKey, options: BuildOptions) -> Self {
        DbBuilder { hasher: key.hasher(), key, options, per_file: Vec::new(), common: Vec::new(), stats: BuildStats::default(), scratch: Vec::new() }
    }

    /// Fingerprints one of the company's source files; returns its distinct fingerprints.
    pub fn add_file(&mut self, text: &str) -> usize {
        let scratch = &mut self.scratch;
        scratch.clear();
        for_each_fingerprint(text, &self.hasher, self.options.repetition, |fp, _, repeats| {
            if !repeats {
                scratch.push(fp.hash);
            }
        });
        scratch.sort_unstable();
        scratch.dedup();
        self.per_file.extend_from_slice(scratch);
        self.stats.files += 1;
        self.stats.bytes += text.len() as u64;
        scratch.len()
    }

    /// The distinct fingerprints of the file [`add_file`](Self::add_file) took last (for the
    /// admin's file index, which records where each came from).
    pub fn last_file_fingerprints(&self) -> &[u64] {
        &self.scratch
    }

    /// Fingerprints a file of generic (not proprietary) code: its fingerprints are removed.
    pub fn add_common(&mut self, text: &str) {
        for_each_fingerprint(text, &self.hasher, self.options.repetition, |fp, _, repeats| {
            if !repeats {
                self.common.push(fp.hash);
            }
        });
    }

    /// Counts files the caller decided not to fingerprint.
    pub fn note_skipped(&mut self, files: u64) {
        self.stats.skipped += files;
    }

    pub fn stats(&self) -> &BuildStats {
        &self.stats
    }

    /// Drops generic and boilerplate fingerprints and builds the filter.
    pub fn build(mut self) -> Result<FingerprintDb, DbError> {
        self.common.sort_unstable();
        self.common.dedup();
        self.per_file.sort_unstable();
        let limit = self.options.file_limit(self.stats.files);
        let mut keep = Vec::new();
        let mut removed_common = 0;
        let mut removed_boilerplate = 0;
        for run in self.per_file.chunk_by(|a, b| a == b) {
            let h = run[0];
            if self.common.binary_search(&h).is_ok() {
                removed_common += 1;
            } else if run.len() as u64 > limit {
                removed_boilerplate += 1;
            } else {
                keep.push(h);
            }
        }
        drop(self.per_file);
        self.stats.removed_common = removed_common;
        self.stats.removed_boilerplate = removed_boilerplate;
        FingerprintDb::build(self.key, keep, self.stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_limit_table() {
        let o = BuildOptions::default();
        for (files, limit) in [(0, 2), (1, 2), (8, 2), (20, 2), (21, 3), (500, 50), (1_000, 100), (100_000, 100)] {
            assert_eq!(o.file_limit(files), limit, "{files} files");
        }
    }
}

//! The file index of a fingerprint database: which of the company's files each fingerprint
//! came from, for the admin's `aiguard scan` to name the file a match is a copy of.
//!
//! `aiguard fingerprint --index FILE` writes it beside the database. It stays with the admin:
//! the database the browsers receive holds no file name, and the index is not in any bundle.
//! All integers are little-endian.
//!
//! ```text
//!  0  magic            8 bytes  0x89 'A' 'I' 'G' 'I' 'X' '\r' '\n'
//!  8  format           u16      1
//! 10  reserved         u16      0
//! 12  files            u32      number of file names
//! 16  entries          u64      number of (fingerprint, file) pairs
//! 24  database key     8 bytes  the first 8 bytes of the SHA-256 of the database's key: an
//!                               index is used only with the database it was built with
//! 32  file names       files × (u32 length, UTF-8 bytes), paths as given to the build
//!  …  entries          entries × (u64 fingerprint hash, u32 file number), sorted
//! ```
//!
//! Every length is checked against the file before anything is allocated.

use std::path::Path;

use aiguard_engine::bundle::sha256;
use aiguard_engine::content::fingerprint::{FingerprintDb, FingerprintKey};

const MAGIC: [u8; 8] = *b"\x89AIGIX\r\n";
const FORMAT: u16 = 1;
const HEADER: usize = 32;
const ENTRY: usize = 12;

/// What `aiguard fingerprint --index` collects while it walks the company's files.
#[derive(Default)]
pub struct IndexBuilder {
    files: Vec<String>,
    entries: Vec<(u64, u32)>,
}

impl IndexBuilder {
    /// Records the distinct fingerprints of one file of the company's code.
    pub fn add_file(&mut self, name: String, distinct: impl IntoIterator<Item = u64>) {
        let file = self.files.len() as u32;
        self.files.push(name);
        self.entries.extend(distinct.into_iter().map(|h| (h, file)));
    }

    /// The index file's bytes, for the database built with `key`.
    pub fn to_bytes(mut self, key: &FingerprintKey) -> Vec<u8> {
        self.entries.sort_unstable();
        let names: usize = self.files.iter().map(|f| 4 + f.len()).sum();
        let mut out = Vec::with_capacity(HEADER + names + ENTRY * self.entries.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&(self.files.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.entries.len() as u64).to_le_bytes());
        out.extend_from_slice(&key_check(key));
        for f in &self.files {
            out.extend_from_slice(&(f.len() as u32).to_le_bytes());
            out.extend_from_slice(f.as_bytes());
        }
        for (hash, file) in &self.entries {
            out.extend_from_slice(&hash.to_le_bytes());
            out.extend_from_slice(&file.to_le_bytes());
        }
        out
    }
}

fn key_check(key: &FingerprintKey) -> [u8; 8] {
    sha256(key.as_bytes())[..8].try_into().expect("8 bytes")
}

/// A loaded file index.
pub struct FileIndex {
    files: Vec<String>,
    /// Sorted by hash.
    entries: Vec<(u64, u32)>,
}

impl FileIndex {
    /// Reads the index at `path`, which must have been built with `db`.
    pub fn read(path: &Path, db: &FingerprintDb) -> Result<FileIndex, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        Self::from_bytes(&bytes, db).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn from_bytes(bytes: &[u8], db: &FingerprintDb) -> Result<FileIndex, String> {
        let not_index = || "not a file index written by `aiguard fingerprint --index`".to_string();
        if bytes.len() < HEADER || bytes[..8] != MAGIC {
            return Err(not_index());
        }
        let u16_at = |i: usize| u16::from_le_bytes(bytes[i..i + 2].try_into().expect("2 bytes"));
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        let format = u16_at(8);
        if format != FORMAT {
            return Err(format!("index format {format}; this aiguard reads format {FORMAT} (rebuild the index)"));
        }
        if bytes[24..32] != key_check(db.key()) {
            return Err("built with another database (an index belongs to the database built with it)".into());
        }
        let files = u32_at(12) as usize;
        let entries = u64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes"));
        let mut at = HEADER;
        let mut names = Vec::new();
        for i in 0..files {
            let truncated = || format!("file name {} of {files} is cut short at byte {at}", i + 1);
            let len = bytes.get(at..at + 4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize).ok_or_else(truncated)?;
            let name = bytes.get(at + 4..at + 4 + len).ok_or_else(truncated)?;
            names.push(String::from_utf8(name.to_vec()).map_err(|_| format!("file name {} of {files} is not UTF-8", i + 1))?);
            at += 4 + len;
        }
        let rest = &bytes[at..];
        if entries.checked_mul(ENTRY as u64) != Some(rest.len() as u64) {
            return Err(format!("{entries} entries declared, {} bytes of them present ({ENTRY} each)", rest.len()));
        }
        let mut list = Vec::with_capacity(entries as usize);
        for chunk in rest.chunks_exact(ENTRY) {
            let hash = u64::from_le_bytes(chunk[..8].try_into().expect("8 bytes"));
            let file = u32::from_le_bytes(chunk[8..].try_into().expect("4 bytes"));
            if file as usize >= files {
                return Err(format!("an entry names file {file}; the index has {files}"));
            }
            list.push((hash, file));
        }
        if !list.windows(2).all(|w| w[0] <= w[1]) {
            return Err("entries out of order".into());
        }
        Ok(FileIndex { files: names, entries: list })
    }

    /// The files that `hashes` (fingerprints of a match) came from, with how many of them each
    /// holds, most first; at most `limit`.
    pub fn files_of(&self, hashes: impl IntoIterator<Item = u64>, limit: usize) -> Vec<(&str, usize)> {
        let mut counts: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
        for h in hashes {
            let from = self.entries.partition_point(|e| e.0 < h);
            for &(_, file) in self.entries[from..].iter().take_while(|e| e.0 == h) {
                *counts.entry(file).or_default() += 1;
            }
        }
        let mut by_count: Vec<(u32, usize)> = counts.into_iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        by_count.into_iter().take(limit).map(|(f, n)| (self.files[f as usize].as_str(), n)).collect()
    }
}

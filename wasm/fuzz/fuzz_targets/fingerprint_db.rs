//! Any bytes as a fingerprint database: rejected with a reason or loaded and usable, never a
//! panic or an absurd allocation.
#![no_main]
use aiguard_engine::content::fingerprint::FingerprintDb;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(db) = FingerprintDb::from_bytes(data) {
        let _ = db.scan("fn main() { let x = vec![1, 2, 3]; for i in x { println!(\"{i}\"); } }", 3);
        assert_eq!(FingerprintDb::from_bytes(&db.to_bytes()).map(|d| d.len()).ok(), Some(db.len()));
    }
});

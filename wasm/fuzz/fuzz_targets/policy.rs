//! Any text as a policy: never panics; a rejected policy always says where.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match aiguard_engine::Engine::from_policy_json(text) {
        Ok(engine) => {
            let _ = engine.dnr_rules(&Default::default());
            let _ = engine.verdict("https://claude.ai/new");
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});

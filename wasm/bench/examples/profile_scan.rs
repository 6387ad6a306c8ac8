fn main() {
    let text = std::fs::read_to_string("target/bench/scan-1.txt").unwrap();
    let policy = std::fs::read_to_string("target/bench/scan-policy.json").unwrap();
    let e = aiguard_engine::Engine::from_policy_json(&policy).unwrap();
    let mut n = 0;
    for _ in 0..2 {
        n += e.scan(&text).findings.len();
    }
    println!("{n}");
}

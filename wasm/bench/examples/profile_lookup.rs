fn main() {
    let text = std::fs::read_to_string("target/bench/policy-10k.json").unwrap();
    let urls: Vec<String> = std::fs::read_to_string("target/bench/urls-10k.txt").unwrap().lines().map(str::to_string).collect();
    let e = aiguard_engine::Engine::from_policy_json(&text).unwrap();
    let mut n = 0;
    for _ in 0..5 {
        for u in &urls {
            n += e.decide(u).unwrap().1.map_or(0, |r| r.len());
        }
    }
    println!("{n}");
}

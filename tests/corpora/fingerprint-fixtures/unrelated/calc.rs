use std::collections::HashMap;
use std::io::{self, BufRead};

#[derive(Debug)]
enum Command {
    Set(String, i64),
    Get(String),
    Sum,
}

fn parse(line: &str) -> Option<Command> {
    let mut parts = line.split_whitespace();
    match parts.next()? {
        "set" => Some(Command::Set(parts.next()?.to_string(), parts.next()?.parse().ok()?)),
        "get" => Some(Command::Get(parts.next()?.to_string())),
        "sum" => Some(Command::Sum),
        _ => None,
    }
}

fn main() {
    let mut vars: HashMap<String, i64> = HashMap::new();
    for line in io::stdin().lock().lines() {
        let line = line.expect("read stdin");
        match parse(&line) {
            Some(Command::Set(name, value)) => {
                vars.insert(name, value);
            }
            Some(Command::Get(name)) => match vars.get(&name) {
                Some(v) => println!("{v}"),
                None => println!("unset"),
            },
            Some(Command::Sum) => println!("{}", vars.values().sum::<i64>()),
            None => eprintln!("cannot parse: {line}"),
        }
    }
}

//! Proprietary-code fingerprints against what must never match the company tree: other
//! projects' code in the same languages, idioms every codebase has, licence text and prose; and
//! the database's own defences: lists too regular to be evidence, code the admin passed as
//! generic, and fingerprints found in too many of the company's files.

mod fingerprint_fixtures;

use aiguard_engine::content::fingerprint::{fingerprints_with, vocabulary, BuildOptions, DbBuilder, Repetition, DEFAULT_MIN_MATCHES, MIN_VOCABULARY, REPETITION};
use fingerprint_fixtures::{company_db, key, scan, GO_SRC, IDIOMS, JAVA_IMPORTS, PROSE, PYTHON_ALL, RUST_SRC, SQL_SRC, TREE, UNRELATED};

#[test]
fn unrelated_code_idioms_and_prose_do_not_match() {
    let db = company_db();
    let mut failures = Vec::new();
    let negatives = UNRELATED.iter().chain(IDIOMS).map(|(n, t)| (*n, t.to_string())).chain([
        ("English prose", PROSE.to_string()),
        ("English prose, ten times", PROSE.repeat(10)),
        ("every idiom together", IDIOMS.iter().map(|(_, t)| *t).collect::<Vec<_>>().join("\n")),
        ("each idiom twenty times", IDIOMS.iter().map(|(_, t)| t.repeat(20)).collect::<Vec<_>>().join("\n")),
    ]);
    for (name, text) in negatives {
        let m = scan(&db, &text);
        if !m.is_empty() {
            let spans: Vec<String> = m.iter().map(|m| format!("{m:?}: {:?}", &text[m.start..m.end])).collect();
            failures.push(format!("{name} matched:\n{}", spans.join("\n")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn shared_lists_are_not_code() {
    // The company tree has these lists too. Two defences: the k-grams of a list whose lines
    // have one shape repeat with a short period and are never fingerprints; and where they are
    // (lines of several shapes, or without that filter, when each list is in the database
    // verbatim), a span of a handful of kinds of token is not evidence.
    for repetition in [REPETITION, Repetition::OFF] {
        let mut b = DbBuilder::new(key(), BuildOptions { repetition, ..BuildOptions::default() });
        for s in TREE {
            b.add_file(s.text);
        }
        for list in [JAVA_IMPORTS, PYTHON_ALL] {
            b.add_file(list);
        }
        let db = b.build().unwrap();
        for list in [JAVA_IMPORTS, PYTHON_ALL] {
            let hits = fingerprints_with(list, db.key(), repetition).iter().filter(|f| db.contains(f.hash)).count();
            if repetition == Repetition::OFF {
                assert!(hits >= DEFAULT_MIN_MATCHES, "the list is in the database ({hits} fingerprints)");
            }
            assert!(vocabulary(list) < MIN_VOCABULARY, "{list}");
            assert!(db.scan_with(list, DEFAULT_MIN_MATCHES, repetition).is_empty(), "a list is not evidence of a leak:\n{list}");
        }
        // The same database still finds the code of the tree, lists around it or not.
        for s in TREE.iter().filter(|s| s.text.len() > 400) {
            assert!(!db.scan_with(s.text, DEFAULT_MIN_MATCHES, repetition).is_empty(), "{}", s.name);
            let wrapped = format!("{JAVA_IMPORTS}\n{}\n{PYTHON_ALL}", s.text);
            assert!(!db.scan_with(&wrapped, DEFAULT_MIN_MATCHES, repetition).is_empty(), "{} between lists", s.name);
        }
    }
}

#[test]
fn getter_tables_of_mixed_types_are_repetitive() {
    // Getters whose lines differ only in names and in their return types, builtin (`string`,
    // `boolean`, `u32`) or a class of one word: no fingerprint starts after the first few
    // getters. (A type of several tokens, `Option<Span>`, changes the lines' shape.)
    let table = |types: &[&str], line: &dyn Fn(usize, &str) -> String| (0..18).map(|i| line(i, types[i % types.len()])).collect::<Vec<_>>().join("\n");
    let tables = [
        table(&["string", "bool", "int", "Duration", "uint64", "float64"], &|i, t| format!("func (c Config) Field{i}() {t} {{ return c.field{i} }}")),
        table(&["String", "int", "boolean", "long", "Value", "double"], &|i, t| format!("    public {t} getField{i}() {{ return field{i}; }}")),
        table(&["u32", "bool", "Span", "usize", "f64", "i64"], &|i, t| format!("    pub fn field{i}(&self) -> {t} {{ self.field{i} }}")),
    ];
    for text in tables {
        let all = fingerprints_with(&text, &key(), Repetition::OFF);
        assert!(all.len() > 10, "{text}");
        let third_line = text.match_indices('\n').nth(2).unwrap().0;
        let kept = fingerprints_with(&text, &key(), REPETITION);
        assert!(kept.iter().all(|f| f.start < third_line), "{text}\n{:?}", kept.iter().map(|f| &text[f.start..f.end]).collect::<Vec<_>>());
    }
}

#[test]
fn generic_code_passed_as_common_is_removed_from_the_database() {
    // The same tree, but the admin also passed the SQL file as "generic" code.
    let mut b = DbBuilder::new(key(), BuildOptions::default());
    for s in TREE {
        b.add_file(s.text);
    }
    b.add_common(SQL_SRC);
    let db = b.build().unwrap();
    assert!(db.stats().removed_common > 0);
    assert!(scan(&db, SQL_SRC).is_empty());
    assert!(!scan(&db, GO_SRC).is_empty());
}

#[test]
fn fingerprints_in_too_many_files_are_boilerplate() {
    // Five copies of one file among six files: in more than 10% (and more than 2) of the files.
    let mut b = DbBuilder::new(key(), BuildOptions::default());
    for _ in 0..5 {
        b.add_file(GO_SRC);
    }
    b.add_file(RUST_SRC);
    let db = b.build().unwrap();
    assert!(db.stats().removed_boilerplate > 0);
    assert!(scan(&db, GO_SRC).is_empty());
    assert!(!scan(&db, RUST_SRC).is_empty());
    assert_eq!(db.stats().files, 6);
}

//! Proprietary-code fingerprints against what a user does to code before pasting it: a copy
//! re-indented, with its comments stripped or changed, its identifiers renamed, its literals
//! changed, wrapped in a prompt or a Markdown fence, cut to a fragment, or all of these at once
//! must still match the company tree it came from, and the match must point at the code.

mod fingerprint_fixtures;

use aiguard_engine::content::fingerprint::{fingerprints, token_count, vocabulary, DEFAULT_MIN_MATCHES, MIN_VOCABULARY, MIN_WHOLE};
use fingerprint_fixtures::{company_db, scan, Source, IDIOMS, TREE, UNRELATED};

fn map_lines(text: &str, f: impl Fn(&str) -> String) -> String {
    text.lines().map(f).collect::<Vec<_>>().join("\n")
}

fn indent_of(line: &str) -> (&str, &str) {
    let body = line.trim_start();
    (&line[..line.len() - body.len()], body)
}

/// Indentation halved (4 → 2, a tab → 2 spaces): what a different formatter does.
fn reindent(_: &Source, text: &str) -> String {
    map_lines(text, |l| {
        let (ws, body) = indent_of(l);
        let width: usize = ws.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum();
        format!("{}{body}", " ".repeat(width / 2))
    })
}

/// Tabs become four spaces and runs of four spaces become tabs.
fn swap_tabs(_: &Source, text: &str) -> String {
    map_lines(text, |l| {
        let (ws, body) = indent_of(l);
        let new = if ws.contains('\t') { ws.replace('\t', "    ") } else { ws.replace("    ", "\t") };
        format!("{new}{body}")
    })
}

fn crlf(_: &Source, text: &str) -> String {
    text.replace('\n', "\r\n")
}

/// Whether a trimmed line is a whole-line comment in this fixture.
fn is_comment_line(s: &Source, body: &str) -> bool {
    match s.fence {
        "python" | "bash" => body.starts_with('#') && !body.starts_with("#!"),
        "sql" => body.starts_with("--"),
        _ => body.starts_with("//") || body.starts_with("/*") || body.starts_with("* ") || body == "*" || body.starts_with("*/"),
    }
}

/// The position of a trailing comment on a code line, if any (fixtures keep these simple).
fn trailing_comment(s: &Source, line: &str) -> Option<usize> {
    let marker = match s.fence {
        "python" | "bash" => " # ",
        "sql" => " -- ",
        _ => " // ",
    };
    line.find(marker)
}

fn strip_comments(s: &Source, text: &str) -> String {
    let mut out = Vec::new();
    let mut in_block = false;
    for l in text.lines() {
        let (_, body) = indent_of(l);
        if in_block {
            in_block = !body.contains("*/");
            continue;
        }
        if body.starts_with("/*") && !body.contains("*/") && s.fence != "python" {
            in_block = true;
            continue;
        }
        if is_comment_line(s, body) || (s.fence == "python" && body.starts_with("\"\"\"") && body.len() > 6 && body.ends_with("\"\"\"")) {
            continue;
        }
        out.push(match trailing_comment(s, l) {
            Some(i) => l[..i].to_string(),
            None => l.to_string(),
        });
    }
    out.join("\n")
}

fn change_comments(s: &Source, text: &str) -> String {
    map_lines(text, |l| {
        let (ws, body) = indent_of(l);
        if is_comment_line(s, body) && !body.starts_with("*/") {
            let marker: String = body.chars().take_while(|c| matches!(c, '/' | '*' | '#' | '-' | '!')).collect();
            let close = if body.starts_with("/*") && body.ends_with("*/") { " */" } else { "" };
            format!("{ws}{marker} Reviewed; see the design notes for details.{close}")
        } else {
            l.to_string()
        }
    })
}

/// Whole-word replacement (ASCII word characters), outside nothing in particular: the fixtures'
/// rename lists avoid words that also occur inside strings in a way that matters.
fn rename(text: &str, from: &str, to: &str) -> String {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + from.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(is_word) || after.is_some_and(is_word) {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}

fn rename_identifiers(s: &Source, text: &str) -> String {
    s.renames.iter().fold(text.to_string(), |t, (from, to)| rename(&t, from, to))
}

/// Every number becomes 42 and every letter or digit inside a quoted string becomes `x`.
fn change_literals(s: &Source, text: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q && prev != '\\' => {
                quote = None;
                out.push(c);
            }
            Some(_) if c == '\n' => {
                quote = None;
                out.push(c);
            }
            Some(_) => out.push(if c.is_ascii_alphanumeric() { 'x' } else { c }),
            None if s.quotes.contains(c) => {
                quote = Some(c);
                out.push(c);
            }
            None if c.is_ascii_digit() && !(prev.is_ascii_alphanumeric() || prev == '_' || prev == '.') => {
                while chars.peek().is_some_and(|d| d.is_ascii_alphanumeric() || *d == '.' || *d == '_') {
                    chars.next();
                }
                out.push_str("42");
            }
            None => out.push(c),
        }
        prev = c;
    }
    out
}

fn in_prose(s: &Source, text: &str) -> String {
    format!(
        "Hi! Our build started failing after yesterday's merge and I can't see why. Here is the \
         code from {}:\n\n{}\n\nCan you explain what this does step by step, and suggest a fix? \
         Please keep the public interface the same.",
        s.name, text
    )
}

fn in_fence(s: &Source, text: &str) -> String {
    format!("Review this please:\n\n```{}\n{}```\n", s.fence, text)
}

/// Twelve lines from the middle of the file.
fn fragment(_: &Source, text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len() / 2 - 6;
    lines[start..start + 12].join("\n")
}

/// Everything together: renamed, literals changed, comments stripped, re-indented, CRLF, in a
/// fence inside a prompt.
fn everything(s: &Source, text: &str) -> String {
    let steps: [Transform; 6] = [rename_identifiers, change_literals, strip_comments, reindent, in_fence, in_prose];
    steps.iter().fold(text.to_string(), |t, step| step(s, &t)).replace('\n', "\r\n")
}

/// A transformation of one fixture's text (the fixture says which language it is).
type Transform = fn(&Source, &str) -> String;

const MUST_MATCH: &[(&str, Transform)] = &[
    ("verbatim", |_, text| text.to_string()),
    ("re-indented", reindent),
    ("tabs and spaces swapped", swap_tabs),
    ("CRLF line endings", crlf),
    ("comments stripped", strip_comments),
    ("comments changed", change_comments),
    ("identifiers renamed", rename_identifiers),
    ("literals changed", change_literals),
    ("embedded in a prose prompt", in_prose),
    ("inside a Markdown fence", in_fence),
    ("12-line fragment", fragment),
    ("all of the above at once", everything),
];

#[test]
fn transformed_copies_still_match() {
    let db = company_db();
    let mut failures = Vec::new();
    let mut report = Vec::new();
    for (what, transform) in MUST_MATCH {
        for s in TREE {
            let text = transform(s, s.text);
            assert_ne!(text.trim(), "", "{what} of {} is empty", s.name);
            let m = scan(&db, &text);
            let best = m.iter().map(|m| m.matched).max().unwrap_or(0);
            report.push(format!("{what:28} {:24} spans {} best matched {best}", s.name, m.len()));
            if m.is_empty() {
                failures.push(format!("{what}: {} did not match ({} tokens)\n{text}", s.name, token_count(&text)));
            }
            for span in &m {
                assert!(span.start < span.end && span.end <= text.len(), "{what}/{}: bad range", s.name);
                assert!(span.matched >= DEFAULT_MIN_MATCHES && span.matched <= span.total, "{what}/{}: {span:?}", s.name);
                assert!((0.0..=1.0).contains(&span.score), "{what}/{}: {span:?}", s.name);
            }
        }
    }
    println!("{}", report.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_verbatim_copy_is_covered_end_to_end_and_scores_high() {
    let db = company_db();
    for s in TREE {
        let m = scan(&db, s.text);
        let covered: usize = m.iter().map(|m| m.end - m.start).sum();
        assert!(covered * 10 >= s.text.len() * 7, "{}: {covered} of {} bytes covered: {m:?}", s.name, s.text.len());
        assert!(m.iter().all(|m| m.score >= 0.9), "{}: {m:?}", s.name);
    }
}

#[test]
fn matches_in_a_prompt_point_at_the_code_not_the_prose() {
    let db = company_db();
    for s in TREE {
        let text = in_prose(s, s.text);
        let code_start = text.find(s.text).unwrap();
        let code_end = code_start + s.text.len();
        for m in scan(&db, &text) {
            assert!(m.start >= code_start && m.end <= code_end, "{}: {m:?} outside the code {code_start}..{code_end}", s.name);
        }
    }
}

/// A short paste (a few lines, two or three fingerprints: fewer than `minMatches`) is a copy when
/// every one of its fingerprints is the company's; one edited line makes it not one, and short
/// unrelated code and idioms are not.
#[test]
fn a_short_paste_every_fingerprint_of_which_matches_is_a_copy() {
    let db = company_db();
    let mut tried = 0;
    for s in TREE {
        let lines: Vec<&str> = s.text.lines().collect();
        for start in (0..lines.len().saturating_sub(6)).step_by(3) {
            let text = lines[start..start + 6].join("\n");
            let fps = fingerprints(&text, db.key());
            if fps.len() < MIN_WHOLE || fps.len() >= DEFAULT_MIN_MATCHES || vocabulary(&text) < MIN_VOCABULARY {
                continue;
            }
            let distinct: std::collections::HashSet<u64> = fps.iter().map(|f| f.hash).collect();
            if distinct.len() != fps.len() || !fps.iter().all(|f| db.contains(f.hash)) {
                continue;
            }
            tried += 1;
            assert!(!scan(&db, &text).is_empty(), "{}: lines {start}.. of the company's code:\n{text}", s.name);
            // Fenced in a prompt, the block is judged as the paste it is.
            let prompt = format!("Why does this fail on large inputs? It worked yesterday.\n\n```\n{text}\n```\nThanks!");
            let code = prompt.find(&text).unwrap()..prompt.find(&text).unwrap() + text.len();
            let found = scan(&db, &prompt);
            assert!(found.iter().any(|m| m.start < code.end && code.start < m.end), "{}: fenced in a prompt: {found:?}, the code at {code:?}\n{prompt}", s.name);
            // The same lines in a longer text are judged by the usual rules, not as a whole.
            let edited = format!("{text}\nunrelated_call(42, \"x\");");
            let edited_fps = fingerprints(&edited, db.key());
            if edited_fps.iter().any(|f| !db.contains(f.hash)) && edited_fps.len() < DEFAULT_MIN_MATCHES {
                assert!(scan(&db, &edited).is_empty(), "{}: with a line of someone else's:\n{edited}", s.name);
            }
        }
    }
    assert!(tried >= 5, "only {tried} short pastes of the company's code had every fingerprint matched");
    for (name, text) in UNRELATED.iter().chain(IDIOMS) {
        for chunk in text.lines().collect::<Vec<_>>().chunks(6) {
            let chunk = chunk.join("\n");
            assert!(scan(&db, &chunk).is_empty(), "{name}: {chunk}");
        }
    }
}

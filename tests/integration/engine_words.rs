//! Issue 31: the engine names no shell command and no dashboard key. Its string literals
//! are scanned for every dot-command name and for `F1`..`F12`; the shell adds those
//! words itself (`command::hints`).
use std::path::Path;

use crate::layers::rs_files;

use command::DOT_COMMAND_NAMES;

/// Every string literal of Rust source `text`, with the line it starts on. Comments
/// (doc comments too) and char literals are skipped.
fn string_literals(text: &str) -> Vec<(usize, String)> {
    let c: Vec<char> = text.chars().collect();
    let (mut out, mut i, mut line) = (Vec::new(), 0, 1);
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    while i < c.len() {
        let start_line = line;
        let ident_before = i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
        if at(i) == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if at(i) == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(c[i] == '\n');
                    i += 1;
                }
            }
        } else if at(i) == 'r' && !ident_before && matches!(at(i + 1), '"' | '#') {
            let hashes = (i + 1..c.len()).take_while(|&j| c[j] == '#').count();
            let open = i + 1 + hashes;
            if at(open) != '"' {
                i += 1;
                continue;
            }
            let mut j = open + 1;
            while j < c.len() && !(c[j] == '"' && (1..=hashes).all(|h| at(j + h) == '#')) {
                line += usize::from(c[j] == '\n');
                j += 1;
            }
            out.push((start_line, c[open + 1..j].iter().collect()));
            i = j + 1 + hashes;
        } else if at(i) == '"' {
            let mut j = i + 1;
            while j < c.len() && c[j] != '"' {
                let step = if c[j] == '\\' { 2 } else { 1 };
                line += c[j..(j + step).min(c.len())]
                    .iter()
                    .filter(|&&ch| ch == '\n')
                    .count();
                j += step;
            }
            out.push((start_line, c[i + 1..j.min(c.len())].iter().collect()));
            i = j + 1;
        } else if at(i) == '\'' {
            // A char literal ('x', '\n', '\''), or a lifetime ('a): skip only the former.
            i += match (at(i + 1), at(i + 2)) {
                ('\\', _) => 3 + (i + 3..c.len()).take_while(|&j| c[j] != '\'').count() + 1,
                (_, '\'') => 3,
                _ => 1,
            };
        } else {
            line += usize::from(c[i] == '\n');
            i += 1;
        }
    }
    out
}

/// The shell words in `s`: dot-command names and F-keys, each as a whole word.
fn shell_words(s: &str) -> Vec<String> {
    let word_char = |ch: char| ch.is_alphanumeric() || ch == '_';
    let whole = |at: usize, len: usize| {
        !s[..at].chars().next_back().is_some_and(word_char)
            && !s[at + len..].chars().next().is_some_and(word_char)
    };
    let mut found = Vec::new();
    for name in DOT_COMMAND_NAMES.iter() {
        if s.match_indices(name).any(|(at, _)| whole(at, name.len())) {
            found.push(name.to_string());
        }
    }
    for n in 1..=12 {
        let key = format!("F{n}");
        if s.match_indices(&key).any(|(at, _)| whole(at, key.len())) {
            found.push(key);
        }
    }
    found
}

#[test]
fn the_engine_names_no_shell_command_and_no_dashboard_key() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/engine/src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    files.sort();
    assert!(
        files.len() > 10,
        "engine sources not found at {}",
        src.display()
    );
    let mut hits = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read");
        for (line, lit) in string_literals(&text) {
            for w in shell_words(&lit) {
                let name = f.strip_prefix(&src).unwrap_or(f).display();
                hits.push(format!("crates/engine/src/{name}:{line}: {w} in {lit:?}"));
            }
        }
    }
    assert!(
        hits.is_empty(),
        "the engine's strings name shell commands or dashboard keys (the shell adds \
         them: command::hints):\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_scan_finds_words_in_literals_only() {
    let src = r##"
// a comment naming .check is not a string
/// nor is a doc comment: F5
let c = '"'; let q = '\''; let l: &'static str = "run .check";
let r = r#"press F5 "now""#;
let file = "data.check and .checker";
let s = "one \" two \
  (.open)";
"##;
    let lits = string_literals(src);
    let words: Vec<(usize, Vec<String>)> = lits
        .iter()
        .map(|(line, s)| (*line, shell_words(s)))
        .filter(|(_, w)| !w.is_empty())
        .collect();
    assert_eq!(
        words,
        vec![
            (4, vec![".check".to_string()]),
            (5, vec!["F5".to_string()]),
            (7, vec![".open".to_string()]),
        ]
    );
}

//! The layers, checked: which crate may use which (read from the manifests), and no
//! import circle between the files of any crate (read from the sources).
//!
//! An import is a path from one file's module to another's: `use crate::a::B`,
//! `super::c::D` in code, or a child module named from its parent (`pub use db::Db`). A
//! name a module re-exports counts as an import of the module it comes from, so
//! `super::Value` (re-exported by lib.rs from cache.rs) is an import of cache.rs.
//! `mod` declarations and `#[cfg(test)]` modules are not imports.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (name, source directory) of every library crate of the workspace.
fn crates() -> Vec<(String, PathBuf)> {
    let mut out = vec![("alexdb".to_string(), root().join("src"))];
    for e in std::fs::read_dir(root().join("crates")).expect("crates/") {
        let dir = e.expect("entry").path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        out.push((name, dir.join("src")));
    }
    out.sort();
    out
}

/// The module path of a source file under `src` (`a/b.rs` and `a/b/mod.rs` are `a::b`);
/// `None` for binaries.
fn module_of(src: &Path, file: &Path) -> Option<Vec<String>> {
    let rel = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    let last = parts.pop()?;
    if parts.first().is_some_and(|p| p == "bin") || (parts.is_empty() && last == "main.rs") {
        return None;
    }
    match last.as_str() {
        "lib.rs" | "mod.rs" => {}
        other => parts.push(other.trim_end_matches(".rs").to_string()),
    }
    Some(parts)
}

/// Every `.rs` file below `dir`.
pub fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The file's code: comments dropped, and everything from a `#[cfg(test)]` on (the tests
/// modules sit at the end of a file).
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]")
            && lines
                .peek()
                .is_some_and(|n| n.trim_start().starts_with("mod ") && n.contains('{'))
        {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        let line = line.find(" // ").map_or(line, |i| &line[..i]);
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Every (path, name bound) a `use` tree holds: `a::{b, c::{d as e, self}}` -> (a::b, b),
/// (a::c::d, e), (a::c, c).
fn expand(tree: &str, prefix: &str, out: &mut Vec<(String, String)>) {
    let tree = tree.trim();
    let join = |p: &str, s: &str| {
        if p.is_empty() {
            s.to_string()
        } else if s == "self" {
            p.to_string()
        } else {
            format!("{p}::{s}")
        }
    };
    let Some(open) = tree.find('{') else {
        let mut parts = tree.split(" as ");
        let path = parts.next().unwrap_or("").trim();
        let full = join(prefix, path.trim_end_matches("::*").trim_end_matches('*'));
        if full.is_empty() {
            return;
        }
        let bound = parts.next().map_or_else(
            || full.rsplit("::").next().unwrap_or(&full).to_string(),
            |alias| alias.trim().to_string(),
        );
        out.push((full, bound));
        return;
    };
    let base = tree[..open].trim_end_matches("::").trim();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let prefix = if base.is_empty() {
        prefix.to_string()
    } else {
        join(prefix, base)
    };
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&inner[start..i], &prefix, out);
                start = i + 1;
            }
            _ => {}
        }
    }
    expand(&inner[start..], &prefix, out);
}

struct Module {
    /// Paths this module names (as written).
    paths: Vec<String>,
    /// Name -> path it re-exports (`pub use x::Y` -> Y -> x::Y).
    reexports: BTreeMap<String, String>,
}

fn scan(text: &str) -> Module {
    let code = code(text);
    let mut paths = Vec::new();
    let mut reexports = BTreeMap::new();
    let mut rest = code.as_str();
    let mut plain = String::new();
    while let Some(i) = find_use(rest) {
        plain.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find(';').unwrap_or(after.len());
        let stmt = &after[..end];
        let line_start = rest[..i].rfind('\n').map_or(0, |n| n + 1);
        let is_pub = rest[line_start..i].trim().starts_with("pub");
        let mut expanded = Vec::new();
        expand(&stmt[4..], "", &mut expanded);
        for (path, bound) in expanded {
            if is_pub {
                reexports.insert(bound, path.clone());
            }
            paths.push(path);
        }
        rest = &after[end.min(after.len())..];
    }
    plain.push_str(rest);
    // Paths written in code: crate::a::b, super::c, self::d.
    for head in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = plain[from..].find(head) {
            let at = from + i;
            let before = plain[..at].chars().last();
            let end = plain[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(plain.len(), |e| at + e);
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                paths.push(plain[at..end].trim_end_matches(':').to_string());
            }
            from = end.max(at + head.len());
        }
    }
    Module { paths, reexports }
}

/// The byte offset of the next `use ` statement keyword.
fn find_use(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find("use ") {
        let at = from + i;
        // Only a `use` that starts its line (after `pub`, `pub(crate)`, ...).
        let line_start = s[..at].rfind('\n').map_or(0, |n| n + 1);
        let lead = s[line_start..at].trim();
        let ok_before = lead.is_empty() || lead.starts_with("pub");
        if ok_before {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

/// The module (file) a path written in module `here` lands in, following re-exports.
fn resolve(
    here: &[String],
    path: &str,
    mods: &BTreeMap<Vec<String>, Module>,
    depth: usize,
) -> Option<Vec<String>> {
    let segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut abs: Vec<String> = match *segs.first()? {
        "crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => {
            let mut p = here.to_vec();
            p.pop();
            p
        }
        first => {
            // A name relative to this module: a child module, or an external crate.
            let mut child = here.to_vec();
            child.push(first.to_string());
            if !mods.contains_key(&child) {
                return None;
            }
            here.to_vec()
        }
    };
    let skip = usize::from(matches!(*segs.first()?, "crate" | "self" | "super"));
    let mut segs = &segs[skip..];
    while segs.first() == Some(&"super") {
        abs.pop();
        segs = &segs[1..];
    }
    let mut module = abs.clone();
    let mut rest = segs;
    while let Some((first, tail)) = rest.split_first() {
        let mut next = module.clone();
        next.push(first.to_string());
        if !mods.contains_key(&next) {
            break;
        }
        module = next;
        rest = tail;
    }
    if let (Some(name), Some(m)) = (rest.first(), mods.get(&module))
        && let Some(src) = m.reexports.get(*name)
        && depth < 8
    {
        // A re-export of another module's item, or of another crate (None).
        return resolve(&module, src, mods, depth + 1);
    }
    Some(module)
}

/// File-level import graph of one crate: module -> modules it imports.
fn graph(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    rs_files(src, &mut files);
    let mut mods = BTreeMap::new();
    for f in &files {
        if let Some(m) = module_of(src, f) {
            let text = std::fs::read_to_string(f).expect("read");
            mods.insert(m, scan(&text));
        }
    }
    let mut g: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (here, m) in &mods {
        let edges = g.entry(here.clone()).or_default();
        for p in &m.paths {
            if let Some(t) = resolve(here, p, &mods, 0)
                && &t != here
            {
                edges.insert(t);
            }
        }
    }
    g
}

/// Strongly connected components with more than one module (Tarjan).
fn circles(g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<String>> {
    struct S<'a> {
        g: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        on: BTreeSet<&'a Vec<String>>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut S<'a>, v: &'a Vec<String>) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on.insert(v);
        for w in s.g.get(v).into_iter().flatten() {
            let Some((w, _)) = s.g.get_key_value(w) else {
                continue;
            };
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                comp.push(name(w));
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = S {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn name(m: &[String]) -> String {
    if m.is_empty() {
        "(root)".to_string()
    } else {
        m.join("::")
    }
}

#[test]
fn no_import_circle_inside_any_crate() {
    let mut found = Vec::new();
    for (krate, src) in crates() {
        let g = graph(&src);
        if std::env::var("LAYERS_EDGES").is_ok_and(|k| k == krate) {
            for (m, to) in &g {
                let to: Vec<String> = to.iter().map(|t| name(t)).collect();
                eprintln!("{} -> {}", name(m), to.join(", "));
            }
        }
        for c in circles(&g) {
            found.push(format!("{krate}: {}", c.join(" <-> ")));
        }
    }
    assert!(
        found.is_empty(),
        "files that import each other in a loop:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_checker_finds_a_circle_and_follows_reexports() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("a")).unwrap();
    let write = |p: &str, t: &str| std::fs::write(src.join(p), t).unwrap();
    write(
        "lib.rs",
        "mod a;\nmod b;\nmod c;\npub use c::Value;\n#[cfg(test)]\nmod tests { use crate::b::X; }\n",
    );
    write(
        "a/mod.rs",
        "pub mod inner;\nuse crate::b::{self, Y as Z};\n",
    );
    write("a/inner.rs", "pub fn f() {}\n");
    // b imports a (through a's child) and names Value through the root's re-export.
    write(
        "b.rs",
        "use super::Value;\npub fn g() { crate::a::inner::f(); } // crate::c::h\n",
    );
    write("c.rs", "pub struct Value;\n");
    let g = graph(src);
    let key = |s: &str| -> Vec<String> {
        s.split("::")
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    };
    assert!(g[&key("b")].contains(&key("c")), "re-export followed");
    assert!(!g[&key("b")].contains(&key("")), "not the root");
    assert!(g[&key("b")].contains(&key("a::inner")));
    assert!(g[&key("a")].contains(&key("b")));
    assert!(circles(&g).is_empty(), "{:?}", circles(&g));
    // inner -> a closes the loop a -> b -> a::inner -> a.
    write("a/inner.rs", "use super::super::b::g;\npub fn f() {}\n");
    let c = circles(&graph(src));
    assert_eq!(c, vec![vec!["a::inner".to_string(), "b".to_string()]]);
}

/// What each crate may depend on (normal dependencies, from its manifest): the arrows of
/// docs/development.md's crate map, pointing down only.
#[test]
fn each_crate_depends_only_on_the_layers_below_it() {
    let forbidden: &[(&str, &[&str])] = &[
        (
            "alex",
            &[
                "rocksdb",
                "rusqlite",
                "ratatui",
                "crossterm",
                "workload",
                "engine",
            ],
        ),
        (
            "workload",
            &["rocksdb", "rusqlite", "ratatui", "engine", "alex"],
        ),
        (
            "engine",
            &[
                "ratatui",
                "crossterm",
                "rustyline",
                "plotters",
                "rusqlite",
                "bench",
                "command",
                "workload",
            ],
        ),
        ("bench", &["ratatui", "crossterm", "rustyline", "command"]),
        ("command", &["ratatui", "crossterm", "rustyline"]),
    ];
    for (krate, banned) in forbidden {
        let manifest =
            std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml"))
                .expect("manifest");
        let deps = manifest
            .split("[dependencies]")
            .nth(1)
            .and_then(|s| s.split("\n[").next())
            .unwrap_or("");
        for line in deps.lines() {
            let dep = line.split(['=', '.']).next().unwrap_or("").trim();
            assert!(
                !banned.contains(&dep),
                "crate {krate} depends on {dep}, which its layer may not use"
            );
        }
    }
}

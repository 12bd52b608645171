//! The shape ARCHITECTURE.md promises, checked on the source: no import circles between
//! modules of one parent, and no file under `server/src` longer than 400 lines before its
//! inline tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lines a file may have before its `#[cfg(test)]` module.
const MAX_LINES: usize = 400;

/// A module's path below the crate root: `["admin", "catalogue"]`.
type ModPath = Vec<String>;

struct Source {
    path: PathBuf,
    module: ModPath,
    /// The code before the inline tests, comments removed.
    code: String,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut folders = vec![root.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .filter(|path| !path.ends_with("main.rs"))
        .map(|path| {
            let relative = path.strip_prefix(&root).unwrap().with_extension("");
            let module: ModPath = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .filter(|name| name != "lib")
                .collect();
            let text = std::fs::read_to_string(&path).unwrap();
            let code = before_tests(&text)
                .lines()
                .map(|line| line.split("//").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n");
            Source { path, module, code }
        })
        .collect()
}

fn before_tests(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |at| &text[..at])
}

/// Every path the code names from `crate::` or `super::`, with `use` groups
/// (`crate::{a, b::{c, d}}`) expanded, resolved to absolute segments.
fn named_paths(source: &Source) -> Vec<ModPath> {
    let code = source.code.as_str();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = code[at..].find(['c', 's']) {
        let start = at + offset;
        at = start + 1;
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[start..];
        let (base, mut tail) = if let Some(tail) = rest.strip_prefix("crate::") {
            (Vec::new(), tail)
        } else if rest.starts_with("super::") {
            let mut base = source.module.clone();
            let mut tail = rest;
            while let Some(next) = tail.strip_prefix("super::") {
                base.pop();
                tail = next;
            }
            (base, tail)
        } else {
            continue;
        };
        tree(&base, &mut tail, &mut found);
    }
    found
}

/// Reads one use-tree from `text` (after a `::`), adding the paths it names to `found`.
fn tree(base: &ModPath, text: &mut &str, found: &mut Vec<ModPath>) {
    let mut path = base.clone();
    loop {
        *text = text.trim_start();
        if let Some(rest) = text.strip_prefix('{') {
            *text = rest;
            loop {
                *text = text.trim_start();
                if let Some(rest) = text.strip_prefix('}') {
                    *text = rest;
                    return;
                }
                tree(&path, text, found);
                *text = text.trim_start();
                if let Some(rest) = text.strip_prefix(',') {
                    *text = rest;
                } else if text.is_empty() {
                    return;
                }
            }
        }
        let length = text
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(text.len());
        if length == 0 {
            found.push(path);
            return;
        }
        let segment = &text[..length];
        *text = &text[length..];
        if segment != "self" {
            path.push(segment.to_owned());
        }
        match text.strip_prefix("::") {
            Some(rest) => *text = rest,
            None => {
                found.push(path);
                return;
            }
        }
    }
}

/// For every parent module, which of its children use which others: an edge `a → b`
/// when anything in `a` (or below it) names anything in `b` (or below it).
fn sibling_edges(sources: &[Source]) -> BTreeMap<(ModPath, String, String), BTreeSet<String>> {
    let modules: BTreeSet<ModPath> = sources.iter().map(|s| s.module.clone()).collect();
    let mut edges: BTreeMap<(ModPath, String, String), BTreeSet<String>> = BTreeMap::new();
    for source in sources {
        for named in named_paths(source) {
            let target = (0..=named.len())
                .rev()
                .map(|n| named[..n].to_vec())
                .find(|prefix| modules.contains(prefix))
                .unwrap_or_default();
            let common = source
                .module
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            if common < source.module.len() && common < target.len() {
                let parent = target[..common].to_vec();
                let key = (
                    parent,
                    source.module[common].clone(),
                    target[common].clone(),
                );
                edges
                    .entry(key)
                    .or_default()
                    .insert(source.path.display().to_string());
            }
        }
    }
    edges
}

#[test]
fn no_modules_of_one_parent_use_each_other_in_a_circle() {
    let sources = sources();
    let edges = sibling_edges(&sources);
    let mut by_parent: BTreeMap<&ModPath, BTreeMap<&str, BTreeSet<&str>>> = BTreeMap::new();
    for (parent, from, to) in edges.keys() {
        by_parent
            .entry(parent)
            .or_default()
            .entry(from.as_str())
            .or_default()
            .insert(to.as_str());
    }
    let mut circles = Vec::new();
    for (parent, graph) in &by_parent {
        for start in graph.keys() {
            // A path back to `start`, depth first; report each circle from its least member.
            let mut stack = vec![vec![*start]];
            while let Some(path) = stack.pop() {
                let last = *path.last().unwrap();
                for next in graph.get(last).into_iter().flatten() {
                    if next == start {
                        if path.iter().all(|m| m >= start) {
                            let mut why = Vec::new();
                            for pair in path.windows(2).chain([&[last, *start][..]]) {
                                let key =
                                    ((*parent).clone(), pair[0].to_owned(), pair[1].to_owned());
                                let files: Vec<&String> = edges[&key].iter().collect();
                                why.push(format!("{} → {} ({files:?})", pair[0], pair[1]));
                            }
                            circles.push(format!(
                                "in crate::{}: {}",
                                parent.join("::"),
                                why.join(", ")
                            ));
                        }
                    } else if !path.contains(next) {
                        let mut longer = path.clone();
                        longer.push(next);
                        stack.push(longer);
                    }
                }
            }
        }
    }
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn no_source_file_is_longer_than_four_hundred_lines_before_its_tests() {
    let long: Vec<String> = sources()
        .iter()
        .map(|s| {
            (
                s,
                before_tests(&std::fs::read_to_string(&s.path).unwrap())
                    .lines()
                    .count(),
            )
        })
        .filter(|(_, lines)| *lines > MAX_LINES)
        .map(|(s, lines)| format!("{}: {lines} lines", s.path.display()))
        .collect();
    assert!(
        long.is_empty(),
        "split these by feature:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_import_reader_sees_groups_and_relative_paths() {
    let source = Source {
        path: PathBuf::from("x.rs"),
        module: vec!["admin".into(), "catalogue".into()],
        code: "use crate::{auth::{self, Staff}, db};\nuse super::form::X;\nlet a = crate::lang::Lang::En;"
            .into(),
    };
    let named = named_paths(&source);
    let expected: Vec<ModPath> = [
        &["auth"][..],
        &["auth", "Staff"],
        &["db"],
        &["admin", "form", "X"],
        &["lang", "Lang", "En"],
    ]
    .iter()
    .map(|p| p.iter().map(|s| (*s).to_owned()).collect())
    .collect();
    assert_eq!(named, expected);
}

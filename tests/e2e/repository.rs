//! The repository holds no secret (issue 14: a server's token secret was once committed):
//! no tracked file is named or shaped like a key, a certificate bundle, a token secret or
//! an environment file, none holds a private key, a configured secret or a database, and
//! every `data/` folder — where the portal keeps its secret and database — is ignored.

use e2e::{git, workspace_root as root};

/// Why `path` (tracked, with `text` when it is text) looks like a secret, if it does.
fn looks_secret(path: &str, text: Option<&str>) -> Option<String> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let secret_names = ["token-secret", "id_rsa", "id_ed25519", ".env", ".htpasswd"];
    let secret_kinds = [".p12", ".pfx", ".key", ".pem", ".jks", ".keystore"];
    if secret_names
        .iter()
        .any(|n| name == *n || name.starts_with(&format!("{n}.")))
        || secret_kinds.iter().any(|k| name.ends_with(k))
    {
        return Some("its name is a key's or a secret's".to_owned());
    }
    if [".db", ".db-wal", ".db-shm", ".sqlite"]
        .iter()
        .any(|k| name.ends_with(k))
        || path.split('/').any(|part| part == "data")
    {
        return Some("it is a database or inside a data/ folder".to_owned());
    }
    let text = text?;
    // Built here, so that this file does not match itself.
    let (begin, end) = (
        format!("{}BEGIN ", "-----"),
        format!("PRIVATE KEY{}", "-----"),
    );
    if text
        .lines()
        .any(|l| l.trim().starts_with(&begin) && l.trim().ends_with(&end))
    {
        return Some("it holds a private key".to_owned());
    }
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"').to_ascii_lowercase();
        let value = value.trim().trim_matches(['"', '\'', ',', ';']);
        let named_secret = [
            "token_secret",
            "password",
            "secret_key",
            "client_secret",
            "api_key",
        ]
        .iter()
        .any(|k| key.ends_with(k));
        let long_random = value.len() >= 32
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b))
            && value.bytes().any(|b| b.is_ascii_digit())
            && value.bytes().any(|b| b.is_ascii_alphabetic());
        if named_secret && long_random {
            return Some(format!("it sets {key} to a long random value"));
        }
    }
    None
}

#[test]
fn no_tracked_file_is_a_secret() {
    let (ok, listing) = git(&["ls-files", "-z"]);
    assert!(ok, "git ls-files runs in {}", root().display());
    let mut found = Vec::new();
    for path in listing.split('\0').filter(|p| !p.is_empty()) {
        let bytes = std::fs::read(root().join(path)).unwrap_or_default();
        let text = std::str::from_utf8(&bytes).ok();
        if let Some(why) = looks_secret(path, text) {
            found.push(format!("{path}: {why}"));
        }
    }
    assert!(
        found.is_empty(),
        "tracked files that look secret:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_data_folder_is_ignored() {
    for path in [
        "data/token-secret",
        "server/data/portal.db",
        "some/where/data/x",
    ] {
        let (ignored, _) = git(&["check-ignore", "-q", "--no-index", path]);
        assert!(ignored, "{path} is ignored");
    }
}

#[test]
fn the_check_finds_what_it_looks_for() {
    let key = format!("{} PRIVATE KEY{}\nMIIE...\n", "-----BEGIN RSA", "-----");
    for (path, text) in [
        ("server/data/token-secret", None),
        ("deploy/signing.p12", None),
        ("notes/key.txt", Some(key.as_str())),
        (
            "portal.toml",
            Some("token_secret = \"b7f3e2a91c4d5e6f708192a3b4c5d6e7f8091a2b\""),
        ),
        ("portal.db", None),
    ] {
        assert!(looks_secret(path, text).is_some(), "{path}");
    }
    for (path, text) in [
        ("portal.example.toml", Some("# token_secret = \"…\"")),
        ("README.md", Some("password = \"set by the operator 42\"")),
        (
            "server/src/token.rs",
            Some("pub fn is_id(id: &str) -> bool"),
        ),
    ] {
        assert_eq!(looks_secret(path, text), None, "{path}");
    }
}

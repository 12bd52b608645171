//! Authenticode signing for tests: a throwaway CA and code-signing certificate made with
//! `openssl`, the repository's `scripts/sign-activator`, and `osslsigncode verify`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::workspace_root;

/// The PKCS#12 file's password.
pub const PASSWORD: &str = "throwaway p12 password";

/// A root CA and a code-signing certificate it issued, valid for two days.
#[derive(Debug)]
pub struct TestCa {
    /// The root's certificate (PEM), for `osslsigncode verify -CAfile`.
    pub certificate: PathBuf,
    /// The signing certificate, its key and the chain, protected by [`PASSWORD`].
    pub p12: PathBuf,
}

impl TestCa {
    /// Makes both in `dir`; the signing certificate's subject is `CN=name, O=organisation`
    /// (UTF-8).
    pub fn make(dir: &Path, name: &str, organisation: &str) -> TestCa {
        let extensions = dir.join("extensions.cnf");
        fs::write(
            &extensions,
            "[signing]\nbasicConstraints=CA:false\nkeyUsage=critical,digitalSignature\n\
             extendedKeyUsage=codeSigning\n",
        )
        .expect("cannot write the certificate extensions");
        let path = |file: &str| dir.join(file).display().to_string();
        let extensions = extensions.display().to_string();
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            &path("ca.key"),
            "-out",
            &path("ca.crt"),
            "-subj",
            "/CN=Throwaway Test Root CA",
            "-addext",
            "basicConstraints=critical,CA:true",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        let subject = format!("/CN={name}/O={organisation}");
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-utf8",
            "-keyout",
            &path("signing.key"),
            "-out",
            &path("signing.csr"),
            "-subj",
            &subject,
        ]);
        openssl(&[
            "x509",
            "-req",
            "-days",
            "2",
            "-in",
            &path("signing.csr"),
            "-CA",
            &path("ca.crt"),
            "-CAkey",
            &path("ca.key"),
            "-CAcreateserial",
            "-extfile",
            &extensions,
            "-extensions",
            "signing",
            "-out",
            &path("signing.crt"),
        ]);
        let password = format!("pass:{PASSWORD}");
        openssl(&[
            "pkcs12",
            "-export",
            "-inkey",
            &path("signing.key"),
            "-in",
            &path("signing.crt"),
            "-certfile",
            &path("ca.crt"),
            "-passout",
            &password,
            "-out",
            &path("signing.p12"),
        ]);
        TestCa {
            certificate: dir.join("ca.crt"),
            p12: dir.join("signing.p12"),
        }
    }

    /// Signs `exe` in place with `scripts/sign-activator`, the password in
    /// `ACTIVATOR_SIGN_PASSWORD`; answers what the script printed.
    pub fn sign_with_script(&self, exe: &Path) -> String {
        let output = Command::new(workspace_root().join("scripts/sign-activator"))
            .arg(&self.p12)
            .arg(exe)
            .env("ACTIVATOR_SIGN_PASSWORD", PASSWORD)
            .output()
            .expect("cannot run scripts/sign-activator");
        let said = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "scripts/sign-activator: {said}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        said
    }
}

/// `osslsigncode verify` of `exe` against the CA certificate `ca`: whether it passed,
/// and what it printed.
pub fn verify(exe: &Path, ca: &Path) -> (bool, String) {
    let output = Command::new("osslsigncode")
        .arg("verify")
        .arg("-CAfile")
        .arg(ca)
        .arg("-in")
        .arg(exe)
        .output()
        .expect("cannot run osslsigncode (scripts/setup)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Runs `openssl` with `args`; panics with its error output if it fails.
fn openssl(args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .output()
        .expect("cannot run openssl");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

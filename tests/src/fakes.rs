//! Stand-ins for Microsoft's scripts: a VBScript `OSPP.VBS` and a `slmgr.vbs` that print
//! captured output (`tests/fixtures/activator/`) and log how they were called, and the
//! `activator.toml` a download would carry, for tests that run the activator without the
//! portal.

use std::fs;
use std::path::Path;

use protocol::config::{ActivatorConfig, KmsHost, Language};

/// Where the fake `OSPP.VBS` logs each call's arguments, one line per call.
pub const CALLS: &str = r"C:\ospp-calls.txt";

/// Where the fake `slmgr.vbs` logs each call's arguments, one line per call.
pub const SLMGR_CALLS: &str = r"C:\slmgr-calls.txt";

/// Where Windows keeps `slmgr.vbs`.
pub const SLMGR: &str = r"C:\windows\system32\slmgr.vbs";

/// A captured `ospp.vbs` output from `tests/fixtures/activator/ospp/`.
pub fn ospp_fixture(name: &str) -> String {
    fixture("ospp", name)
}

/// A captured `slmgr.vbs` output from `tests/fixtures/activator/slmgr/`.
pub fn slmgr_fixture(name: &str) -> String {
    fixture("slmgr", name)
}

fn fixture(folder: &str, name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/activator")
        .join(folder)
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `activator.toml` for the catalogue version `product` covering the table products
/// `covers`, reporting to `portal_url`, activating against the KMS host on
/// 127.0.0.1:`kms_port`.
pub fn activator_toml(product: &str, covers: &[&str], portal_url: &str, kms_port: u16) -> String {
    ActivatorConfig {
        schema: protocol::config::SCHEMA,
        product: product.to_owned(),
        name_zh: format!("{product}（測試）"),
        name_en: format!("{product} (test)"),
        licence_ends: None,
        language: Language::ZhTw,
        portal_url: portal_url.to_owned(),
        download_token: "v1.e2e-token".to_owned(),
        edition_upgrade: false,
        kms: KmsHost {
            host: "127.0.0.1".to_owned(),
            port: kms_port,
        },
        covers: covers
            .iter()
            .map(|id| {
                protocol::products::find(id)
                    .unwrap_or_else(|| panic!("{id} is not in the table"))
                    .clone()
            })
            .collect(),
    }
    .to_toml()
}

/// A VBScript standing in for `slmgr.vbs`: it logs its arguments to `C:\slmgr-calls.txt`
/// and prints `dlv` for `/dlv`, `ato` for `/ato`, and slmgr's English success lines for
/// `/ipk` and `/skms`.
pub fn fake_slmgr(dlv: &str, ato: &str) -> String {
    format!(
        "{}a = LCase(WScript.Arguments(0))\r\n\
         If a = \"/dlv\" Then\r\n{}\
         ElseIf a = \"/ato\" Then\r\n{}\
         ElseIf a = \"/ipk\" Then\r\n  WScript.Echo \"Installed product key \" & WScript.Arguments(1) & \" successfully.\"\r\n\
         ElseIf a = \"/skms\" Then\r\n  WScript.Echo \"Key Management Service machine name set to \" & WScript.Arguments(1) & \" successfully.\"\r\n\
         Else\r\n  WScript.Echo \"unexpected \" & a\r\n  WScript.Quit 1\r\nEnd If\r\n",
        log_calls(SLMGR_CALLS),
        echo(dlv),
        echo(ato),
    )
}

/// A VBScript standing in for `ospp.vbs`: it logs its arguments to `C:\ospp-calls.txt`
/// and prints `act` for `/act`, `dstatus` for `/dstatus`, and the success lines for
/// `/sethst:`, `/setprt:` and `/inpkey:`.
pub fn fake_ospp(act: &str, dstatus: &str) -> String {
    let ok = "---Processing--------------------------\n---------------------------------------\nSuccessfully applied setting.\n---------------------------------------\n---Exiting-----------------------------\n";
    format!(
        "{}a = LCase(WScript.Arguments(0))\r\n\
         If a = \"/act\" Then\r\n{}\
         ElseIf a = \"/dstatus\" Then\r\n{}\
         ElseIf Left(a, 8) = \"/sethst:\" Or Left(a, 8) = \"/setprt:\" Then\r\n{}\
         ElseIf Left(a, 8) = \"/inpkey:\" Then\r\n{}\
         Else\r\n  WScript.Echo \"unexpected \" & a\r\n  WScript.Quit 1\r\nEnd If\r\n",
        log_calls(CALLS),
        echo(act),
        echo(dstatus),
        echo(ok),
        echo(&ospp_fixture("inpkey-ok.txt")),
    )
}

/// VBScript that appends the script's arguments, as one line, to `file`.
fn log_calls(file: &str) -> String {
    format!(
        "Dim fso, calls, i, line, a\r\n\
         Set fso = CreateObject(\"Scripting.FileSystemObject\")\r\n\
         Set calls = fso.OpenTextFile(\"{file}\", 8, True)\r\n\
         line = \"\"\r\n\
         For i = 0 To WScript.Arguments.Count - 1\r\n  line = line & WScript.Arguments(i) & \" \"\r\nNext\r\n\
         calls.WriteLine line\r\ncalls.Close\r\n"
    )
}

/// VBScript lines echoing `text` line by line.
fn echo(text: &str) -> String {
    text.lines()
        .map(|line| format!("  WScript.Echo \"{}\"\r\n", line.replace('"', "\"\"")))
        .collect()
}

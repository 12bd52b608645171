//! Stand-ins for Microsoft's scripts: a VBScript `OSPP.VBS` and a `slmgr.vbs` that print
//! captured output (`tests/fixtures/activator/`) and log how they were called, and the
//! `activator.toml` a download would carry, for tests that run the activator without the
//! portal.

use std::fs;
use std::path::Path;

use protocol::config::{ActivatorConfig, KmsHost};

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
        portal_url: portal_url.to_owned(),
        download_token: protocol::config::DownloadToken::new("v1.e2e-token"),
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

/// What the fake `slmgr.vbs` answers.
#[derive(Clone, Debug)]
pub struct FakeSlmgr<'a> {
    /// `/dlv` before `/ato` ran.
    pub dlv: &'a str,
    /// `/ato`'s output.
    pub ato: &'a str,
    /// `/ato`'s exit code: as slmgr exits, the failed call's HRESULT, else 0.
    pub ato_status: i32,
    /// `/dlv` once `/ato` ran (it remembers in `C:\slmgr-activated`).
    pub dlv_after: &'a str,
}

/// A VBScript standing in for `slmgr.vbs`: it logs its arguments to `C:\slmgr-calls.txt`
/// and answers as `fake` says, with slmgr's English success lines for `/ipk` and `/skms`.
/// Its text is Unicode here; write it in the code page of the language under test.
pub fn fake_slmgr(fake: &FakeSlmgr<'_>) -> String {
    format!(
        "{}a = LCase(WScript.Arguments(0))\r\n\
         If a = \"/dlv\" Then\r\n\
         If fso.FileExists(\"{ACTIVATED}\") Then\r\n{}Else\r\n{}End If\r\n\
         ElseIf a = \"/ato\" Then\r\n\
         fso.CreateTextFile(\"{ACTIVATED}\", True).Close\r\n{}  WScript.Quit {}\r\n\
         ElseIf a = \"/ipk\" Then\r\n  WScript.Echo \"Installed product key \" & WScript.Arguments(1) & \" successfully.\"\r\n\
         ElseIf a = \"/skms\" Then\r\n  WScript.Echo \"Key Management Service machine name set to \" & WScript.Arguments(1) & \" successfully.\"\r\n\
         Else\r\n  WScript.Echo \"unexpected \" & a\r\n  WScript.Quit 1\r\nEnd If\r\n",
        log_calls(SLMGR_CALLS),
        echo(fake.dlv_after),
        echo(fake.dlv),
        echo(fake.ato),
        fake.ato_status,
    )
}

/// `text` in the Windows code page `code_page` (`CP932`, `CP1252`, `CP949`, `CP936` …), as
/// a script saved by a PC of that language is: Wine's `cscript` reads a script in the
/// code page of `LC_ALL`. Uses the system's `iconv`.
pub fn in_code_page(text: &str, code_page: &str) -> Vec<u8> {
    use std::io::Write as _;
    let mut child = std::process::Command::new("iconv")
        .args(["-f", "UTF-8", "-t", code_page])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("cannot run iconv");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(text.as_bytes())
        .expect("cannot write to iconv");
    let output = child.wait_with_output().expect("cannot wait for iconv");
    assert!(output.status.success(), "iconv to {code_page} failed");
    output.stdout
}

/// Where the fake `slmgr.vbs` remembers that `/ato` ran.
const ACTIVATED: &str = r"C:\slmgr-activated";

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
///
/// Wine 8's `cscript` writing to a pipe converts each echoed line to the OEM code page
/// into a buffer of one byte per character (`print_string` in `programs/wscript/host.c`),
/// so a line with double-byte characters (Japanese, Korean, Chinese) overruns it and the
/// script dies with a page fault. Such a line is echoed in pieces of at most
/// [`MAX_WIDE_PER_ECHO`] non-ASCII characters, each padded with spaces so that the overrun
/// stays within the 8-byte rounding of Wine's heap blocks: the text arrives as a narrow
/// console would wrap it, every character in its code page. ASCII lines are echoed as
/// they are.
fn echo(text: &str) -> String {
    text.lines()
        .flat_map(pieces)
        .map(|piece| format!("  WScript.Echo \"{}\"\r\n", piece.replace('"', "\"\"")))
        .collect()
}

/// The most non-ASCII characters one `WScript.Echo` of the fakes prints (see [`echo`]).
const MAX_WIDE_PER_ECHO: usize = 7;

/// A line cut before every [`MAX_WIDE_PER_ECHO`]-th non-ASCII character, each piece with
/// `n` non-ASCII characters padded to `8 - n` past a multiple of 8 characters.
fn pieces(line: &str) -> Vec<String> {
    let mut pieces = vec![String::new()];
    let mut wide = 0;
    for c in line.chars() {
        if !c.is_ascii() && wide == MAX_WIDE_PER_ECHO {
            pieces.push(String::new());
            wide = 0;
        }
        wide += usize::from(!c.is_ascii());
        pieces.last_mut().expect("one piece at least").push(c);
    }
    for piece in &mut pieces {
        let wide = piece.chars().filter(|c| !c.is_ascii()).count();
        if wide > 0 {
            let units = piece.encode_utf16().count();
            let pad = (8 - wide + 8 - units % 8) % 8;
            piece.extend(std::iter::repeat_n(' ', pad));
        }
    }
    pieces
}

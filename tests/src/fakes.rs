//! Stand-ins for Microsoft's scripts: a VBScript `OSPP.VBS` that prints captured output
//! (`tests/fixtures/activator/ospp/`) and logs how it was called.

use std::fs;
use std::path::Path;

/// Where the fake `OSPP.VBS` logs each call's arguments, one line per call.
pub const CALLS: &str = r"C:\ospp-calls.txt";

/// A captured `ospp.vbs` output from `tests/fixtures/activator/ospp/`.
pub fn ospp_fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/activator/ospp")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A VBScript standing in for `ospp.vbs`: it logs its arguments to `C:\ospp-calls.txt`
/// and prints `act` for `/act`, `dstatus` for `/dstatus`, and the success line for
/// `/sethst:` and `/setprt:`.
pub fn fake_ospp(act: &str, dstatus: &str) -> String {
    let echo = |text: &str| -> String {
        text.lines()
            .map(|line| format!("  WScript.Echo \"{}\"\r\n", line.replace('"', "\"\"")))
            .collect()
    };
    let ok = "---Processing--------------------------\n---------------------------------------\nSuccessfully applied setting.\n---------------------------------------\n---Exiting-----------------------------\n";
    format!(
        "Dim fso, calls, i, line, a\r\n\
         Set fso = CreateObject(\"Scripting.FileSystemObject\")\r\n\
         Set calls = fso.OpenTextFile(\"{CALLS}\", 8, True)\r\n\
         line = \"\"\r\n\
         For i = 0 To WScript.Arguments.Count - 1\r\n  line = line & WScript.Arguments(i) & \" \"\r\nNext\r\n\
         calls.WriteLine line\r\ncalls.Close\r\n\
         a = LCase(WScript.Arguments(0))\r\n\
         If a = \"/act\" Then\r\n{}\
         ElseIf a = \"/dstatus\" Then\r\n{}\
         ElseIf Left(a, 8) = \"/sethst:\" Or Left(a, 8) = \"/setprt:\" Then\r\n{}\
         Else\r\n  WScript.Echo \"unexpected \" & a\r\n  WScript.Quit 1\r\nEnd If\r\n",
        echo(act),
        echo(dstatus),
        echo(ok),
    )
}

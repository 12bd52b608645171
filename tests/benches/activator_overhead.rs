//! How much time `activator.exe` adds beyond the Microsoft scripts it runs.
//!
//! Under Wine, with the fake `OSPP.VBS` printing the seed's sample output, it times the
//! activator's whole run and, as the reference in the same run, a batch file making the
//! same four `cscript` calls (`/dstatus`, `/sethst`, `/setprt`, `/act`) — what the seed's
//! own batch-file activators do. The difference is the activator's own work: preflight
//! (portal clock, KMS TCP check, elevation), parsing, explaining, and the report's POST.
//!
//! Run: `cargo bench -p e2e --bench activator_overhead` (loopback only).

#![expect(clippy::print_stdout, reason = "a benchmark prints its figures")]

use std::fs;
use std::time::{Duration, Instant};

use e2e::fakes::{activator_toml, fake_ospp, ospp_fixture};
use e2e::stand_ins::{KmsListener, ReportReceiver};
use e2e::wine::{WinePrefix, activator_exe};

const RUNS: usize = 9;
const OSPP: &str = r"C:\Program Files\Microsoft Office\Office16\OSPP.VBS";

fn main() {
    let kms = KmsListener::start();
    let portal = ReportReceiver::start();
    let prefix = WinePrefix::new();
    let exe = fs::read(activator_exe()).expect("activator.exe");
    prefix.install_file(r"C:\activator\activator.exe", &exe);
    let settings = activator_toml(
        "office-2019-proplus",
        &["office-2019-proplus"],
        &portal.base_url(),
        kms.port(),
    );
    prefix.install_file(r"C:\activator\activator.toml", settings.as_bytes());
    let fake = fake_ospp(
        &ospp_fixture("act-success-seed.txt"),
        &ospp_fixture("dstatus-volume.txt"),
    );
    prefix.install_file(OSPP, fake.as_bytes());
    let cscript = format!(r#"cscript //nologo //U "{OSPP}""#);
    let batch = format!(
        "@echo off\r\n{cscript} /dstatus > nul\r\n{cscript} /sethst:127.0.0.1 > nul\r\n\
         {cscript} /setprt:{} > nul\r\n{cscript} /act\r\n",
        kms.port()
    );
    prefix.install_file(r"C:\activator\direct.bat", batch.as_bytes());

    let time = |exe: &str, args: &[&str]| {
        let started = Instant::now();
        let output = prefix.run(exe, args, &[]);
        assert!(
            output.status.success(),
            "{exe}: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        started.elapsed()
    };
    // Warm Wine's caches for both before measuring.
    time(r"C:\activator\activator.exe", &["--no-pause"]);
    time(
        r"C:\windows\system32\cmd.exe",
        &["/c", r"C:\activator\direct.bat"],
    );
    let mut activator = Vec::new();
    let mut reference = Vec::new();
    for _ in 0..RUNS {
        activator.push(time(r"C:\activator\activator.exe", &["--no-pause"]));
        reference.push(time(
            r"C:\windows\system32\cmd.exe",
            &["/c", r"C:\activator\direct.bat"],
        ));
    }
    let (a, r) = (median(&mut activator), median(&mut reference));
    println!("activator overhead under Wine, medians of {RUNS} runs each:");
    println!(
        "  activator.exe --no-pause (preflight, 4 cscript calls, report):  {:>6.0} ms",
        ms(a)
    );
    println!(
        "  reference: the same 4 cscript calls from a .bat:                 {:>6.0} ms",
        ms(r)
    );
    println!(
        "  added by the activator (can be negative within noise):           {:>+6.0} ms",
        ms(a) - ms(r)
    );
    println!("  activator.exe size: {} bytes", exe.len());
    println!(
        "  reports received by the stand-in portal: {}",
        portal.reports().len()
    );
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

//! The whole loop: the real portal on loopback serves a zip over HTTP; the zip's
//! `activator.exe` and `activator.toml` run under Wine beside a fake `OSPP.VBS`, against a
//! KMS listener on 127.0.0.1; the report comes back to the portal and is stored once —
//! checked in the database itself, on SQLite and on PostgreSQL.

use std::io::Read;
use std::path::Path;

use e2e::database::{Backend, scalar, strings};
use e2e::fakes::{fake_ospp, ospp_fixture};
use e2e::staff::Staff;
use e2e::stand_ins::KmsListener;
use e2e::wine::{Bits, WinePrefix, activator_exe};
use e2e::{Portal, PortalOptions};

const OSPP: &str = r"C:\Program Files\Microsoft Office\Office16\OSPP.VBS";

/// A loopback port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Downloads the Office 2019 zip from `portal` and unpacks it into `C:\activator`.
fn install_download(portal: &Portal, prefix: &WinePrefix) {
    let response = portal.get("/download/office-2019-proplus?lang=en");
    assert_eq!(response.status, 200, "{}", response.text());
    unpack(&response.body, prefix, r"C:\activator");
}

/// Unpacks the zip `bytes` into the folder `into` of `prefix`.
fn unpack(bytes: &[u8], prefix: &WinePrefix, into: &str) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let mut contents = Vec::new();
        file.read_to_end(&mut contents).unwrap();
        prefix.install_file(&format!(r"{into}\{}", file.name().unwrap()), &contents);
    }
}

/// Office 2019 at `ospp`: an `OSPP.VBS` whose `/act` succeeds and whose `/dstatus` shows
/// the volume licence.
fn install_office(prefix: &WinePrefix, ospp: &str) {
    let fake = fake_ospp(
        &ospp_fixture("act-success-seed.txt"),
        &ospp_fixture("dstatus-volume.txt"),
    );
    prefix.install_file(ospp, fake.as_bytes());
}

#[test]
fn a_download_run_under_wine_reports_back_once_on_every_database() {
    let exe = activator_exe();
    for backend in Backend::all() {
        let schema = backend.schema();
        let kms = KmsListener::start();
        let mut options = serving(exe, &kms);
        if let Some(schema) = &schema {
            options = options.env("PORTAL_DATABASE_URL", schema.url());
        }
        let portal = Portal::start(options);
        let database = schema
            .as_ref()
            .map_or_else(|| portal.database_url(), |s| s.url());

        let prefix = WinePrefix::new();
        install_download(&portal, &prefix);
        install_office(&prefix, OSPP);

        let output = prefix.run(r"C:\activator\activator.exe", &["--no-pause"], &[]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{backend:?}:\n{stdout}");
        assert!(stdout.contains("reported to the portal"), "{stdout}");

        assert_eq!(
            scalar(&database, "select count(*) from reports"),
            1,
            "{backend:?}"
        );
        assert_eq!(
            strings(&database, "select outcome from reports"),
            ["success"]
        );
        let products = strings(&database, "select products_json from reports").remove(0);
        assert!(
            products.contains("7VCBB") && products.contains("6MWKP"),
            "{products}"
        );
        assert_eq!(
            scalar(
                &database,
                "select count(*) from reports r join downloads d on d.token_id = r.token_id where d.first_report_at is not null"
            ),
            1,
            "the report is tied to its download"
        );
        assert_eq!(
            scalar(
                &database,
                "select count(*) from machine_products where last_success is not null"
            ),
            1
        );
    }
}

/// One zip for every Windows: its 32-bit `activator.exe` activates Office on a 64-bit
/// Windows (under WoW64, reaching the 64-bit `cscript` through `Sysnative`) with 64-bit
/// Office under `Program Files` and with 32-bit Office under `Program Files (x86)`, and on
/// a 32-bit Windows; each report states the PC's architecture, not the program's.
#[test]
fn the_zip_activates_office_on_64_and_32_bit_windows_in_either_program_files() {
    let kms = KmsListener::start();
    let portal = Portal::start(serving(activator_exe(), &kms));
    let database = portal.database_url();
    let cases = [
        (
            Bits::Win64,
            r"C:\Program Files\Microsoft Office\Office16\OSPP.VBS",
            "x64",
        ),
        (
            Bits::Win64,
            r"C:\Program Files (x86)\Microsoft Office\Office16\OSPP.VBS",
            "x64",
        ),
        (
            Bits::Win32,
            r"C:\Program Files\Microsoft Office\Office16\OSPP.VBS",
            "x86",
        ),
    ];
    let mut architectures = Vec::new();
    for (reports, (bits, ospp, architecture)) in (1..).zip(cases) {
        let prefix = WinePrefix::with_bits(bits);
        install_download(&portal, &prefix);
        install_office(&prefix, ospp);

        let output = prefix.run(r"C:\activator\activator.exe", &["--no-pause"], &[]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{bits:?} {ospp}:\n{stdout}");
        assert!(stdout.contains("reported to the portal"), "{stdout}");
        assert_eq!(scalar(&database, "select count(*) from reports"), reports);
        architectures.push(architecture);
    }
    architectures.sort_unstable();
    assert_eq!(
        strings(
            &database,
            "select architecture from reports where outcome = 'success' order by architecture"
        ),
        architectures
    );
}

/// A portal on a free loopback port serving `exe`, its KMS host `kms`.
fn serving(exe: &Path, kms: &KmsListener) -> PortalOptions {
    let port = free_port();
    PortalOptions::new()
        .env("PORTAL_BIND", format!("127.0.0.1:{port}"))
        .env("PORTAL_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("PORTAL_KMS__HOST", "127.0.0.1")
        .env("PORTAL_KMS__PORT", kms.port().to_string())
        .env("PORTAL_ACTIVATOR_EXE", exe.display().to_string())
}

/// A managed lab: an admin creates a deployment token for a unit in `/admin`, downloads
/// its zip, and the lab's PCs run `activator.exe --quiet` from it (as a GPO start-up
/// script would): nothing shown, exit code 0, the log under `%ProgramData%`, the report
/// stored under the deployment's token; a quiet `--status` run reports the licence's grace
/// as a status run. Once the admin revokes the token, the next run's report is refused and
/// nothing more is stored.
#[test]
fn a_lab_runs_quietly_with_a_deployment_token_until_it_is_revoked() {
    let kms = KmsListener::start();
    let portal = Portal::start(serving(activator_exe(), &kms));
    let database = portal.database_url();
    let staff = Staff::sign_in(&portal, "labadmin", "admin");
    let until = (time::OffsetDateTime::now_utc().date() + time::Duration::days(30)).to_string();
    let created = staff.post(
        "/admin/deployments",
        &[
            ("unit", "EE-301 computer lab"),
            ("version", "office-2019-proplus"),
            ("until", &until),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.text());
    let id = created
        .header("location")
        .and_then(|l| l.rsplit("#d-").next())
        .unwrap()
        .to_owned();
    let zip = staff.get(&format!("/admin/deployments/{id}/zip"));
    assert_eq!(zip.status, 200, "{}", zip.text());

    let prefix = WinePrefix::new();
    unpack(&zip.body, &prefix, r"C:\Deploy\activator");
    install_office(&prefix, OSPP);
    let exe = r"C:\Deploy\activator\activator.exe";
    let output = prefix.run(exe, &["--quiet"], &[]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        output.stdout.is_empty(),
        "quiet: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    let log_path = prefix.unix_path(r"C:\ProgramData\CampusLicensePortal\activator.log");
    let log = std::fs::read_to_string(&log_path).expect("the quiet run's log");
    assert!(
        log.contains("--quiet ===") && log.contains("exit code 0"),
        "{log}"
    );
    assert!(log.contains("reported to the portal"), "{log}");
    assert_eq!(
        strings(&database, "select token_id from reports"),
        [id.as_str()],
        "stored under the deployment's token"
    );
    assert_eq!(scalar(&database, "select count(*) from downloads"), 0);

    // The weekly status check the lab would schedule: the licence state, reported.
    let status = prefix.run(exe, &["--quiet", "--status"], &[]);
    assert_eq!(status.status.code(), Some(0), "{status:?}");
    assert_eq!(
        strings(&database, "select kind from reports order by kind"),
        ["activation", "status"]
    );
    let products = strings(
        &database,
        "select products_json from reports where kind = 'status'",
    )
    .remove(0);
    assert!(products.contains(r#""grace_minutes":259200"#), "{products}");

    let revoked = staff.post(&format!("/admin/deployments/{id}/revoke"), &[]);
    assert_eq!(revoked.status, 303, "{}", revoked.text());
    let output = prefix.run(exe, &["--quiet"], &[]);
    assert!(output.stdout.is_empty());
    let log = std::fs::read_to_string(&log_path).unwrap();
    let second = log.rsplit("=== ").next().unwrap();
    assert!(
        second.contains("The portal refused this report"),
        "{second}"
    );
    assert_eq!(scalar(&database, "select count(*) from reports"), 2);
}

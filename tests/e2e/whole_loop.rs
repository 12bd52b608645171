//! The whole loop: the real portal on loopback serves a zip over HTTP; the zip's
//! `activator.exe` and `activator.toml` run under Wine beside a fake `OSPP.VBS`, against a
//! KMS listener on 127.0.0.1; the report comes back to the portal and is stored once —
//! checked in the database itself, on SQLite and on PostgreSQL.

use std::io::Read;

use e2e::database::{Backend, scalar, strings};
use e2e::fakes::{fake_ospp, ospp_fixture};
use e2e::stand_ins::KmsListener;
use e2e::wine::{WinePrefix, activator_exe};
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

#[test]
fn a_download_run_under_wine_reports_back_once_on_every_database() {
    let exe = activator_exe();
    for backend in Backend::all() {
        let schema = backend.schema();
        let kms = KmsListener::start();
        let port = free_port();
        let mut options = PortalOptions::new()
            .env("PORTAL_BIND", format!("127.0.0.1:{port}"))
            .env("PORTAL_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("PORTAL_KMS__HOST", "127.0.0.1")
            .env("PORTAL_KMS__PORT", kms.port().to_string())
            .env("PORTAL_ACTIVATOR_EXE", exe.display().to_string());
        if let Some(schema) = &schema {
            options = options.env("PORTAL_DATABASE_URL", schema.url());
        }
        let portal = Portal::start(options);
        let database = schema
            .as_ref()
            .map_or_else(|| portal.database_url(), |s| s.url());

        let response = portal.get("/download/office-2019-proplus?lang=en");
        assert_eq!(response.status, 200, "{backend:?}: {}", response.text());
        let prefix = WinePrefix::new();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(response.body)).expect("a zip");
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            prefix.install_file(&format!(r"C:\activator\{}", file.name().unwrap()), &bytes);
        }
        let fake = fake_ospp(
            &ospp_fixture("act-success-seed.txt"),
            &ospp_fixture("dstatus-volume.txt"),
        );
        prefix.install_file(OSPP, fake.as_bytes());

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

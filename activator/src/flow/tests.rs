//! The whole flow on the fake PC: every preflight failure, activation outcomes, the
//! report's delivery with retries, the spool and idempotent resending.

use std::cell::RefCell;
use std::collections::HashSet;
use std::io;
use std::rc::Rc;

use protocol::report::{Check, FindingStatus, Outcome, Report};

use super::*;
use crate::parse::slmgr;
use crate::system::fake::FakeSystem;
use crate::system::{Hive, HttpResponse, Output};

const OSPP: &str = r"C:\Program Files\Microsoft Office\Office16\OSPP.VBS";
const EXE_DIR: &str = r"C:\Users\student\Downloads\activator-office-2019-proplus";
const PORTAL_DATE: &str = "Tue, 24 Nov 2026 02:15:07 GMT";
const SPOOL: &str = r"C:\ProgramData\CampusLicensePortal\reports";

macro_rules! fixture {
    ($path:literal) => {
        include_str!(concat!("../../../tests/fixtures/activator/", $path))
    };
}

/// What the fake portal received and how it answers.
#[derive(Default)]
struct Portal {
    /// Report ids it stored, in arrival order (each once).
    stored: Vec<String>,
    /// Every POST, including repeats.
    posts: usize,
    /// Answers to give before behaving normally (status codes; 0 = connection refused).
    script: Vec<u16>,
    /// Refuses every connection.
    down: bool,
    /// The token it accepts.
    token: String,
    /// Bodies it stored.
    bodies: Vec<Report>,
}

/// Encodes text as `cscript //U` prints it.
fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn out(text: &str) -> io::Result<Output> {
    out_with(text, 0)
}

/// What a script prints, ending with exit code `status`.
fn out_with(text: &str, status: i32) -> io::Result<Output> {
    Ok(Output {
        status,
        timed_out: false,
        stdout: utf16(text),
        stderr: Vec::new(),
    })
}

/// `activator.toml` for the catalogue version `product`, covering the table products
/// `covers`.
fn config_text(product: &str, covers: &[&str]) -> String {
    config_with(product, covers, |_| {})
}

/// `activator.toml` as [`config_text`] writes it, changed by `edit`.
fn config_with(product: &str, covers: &[&str], edit: impl FnOnce(&mut ActivatorConfig)) -> String {
    let mut config = ActivatorConfig {
        schema: protocol::config::SCHEMA,
        product: product.to_owned(),
        name_zh: format!("{product}（中文）"),
        name_en: product.to_owned(),
        licence_ends: None,
        portal_url: "http://127.0.0.1:8080".to_owned(),
        download_token: protocol::config::DownloadToken::new("v1.test-token"),
        edition_upgrade: false,
        kms: protocol::config::KmsHost {
            host: "kms.example.edu".to_owned(),
            port: 1688,
        },
        covers: covers
            .iter()
            .map(|id| protocol::products::find(id).unwrap().clone())
            .collect(),
    };
    edit(&mut config);
    config.to_toml()
}

/// A PC with Office 2019 volume-licensed, the KMS host reachable, a working portal, and
/// `ospp.vbs` answering with `act` for `/act` and `dstatus` for `/dstatus`.
fn office_pc(act: &'static str, dstatus: &'static str) -> (FakeSystem, Rc<RefCell<Portal>>) {
    let system = FakeSystem::new();
    system.add_file(
        &format!(r"{EXE_DIR}\activator.toml"),
        config_text("office-2019-proplus", &["office-2019-proplus"]),
    );
    system.add_file(OSPP, "' ospp");
    system.state.borrow_mut().tcp = Ok(std::time::Duration::from_millis(4));
    system.state.borrow_mut().programs = Box::new(move |program, args| {
        assert!(program.ends_with(r"System32\cscript.exe"), "{program}");
        assert_eq!(&args[..2], ["//nologo", "//U"]);
        match args[3] {
            "/act" => out(act),
            "/dstatus" => out(dstatus),
            a if a.starts_with("/sethst:") => out(fixture!("ospp/sethst-ok.txt")),
            a if a.starts_with("/setprt:") => out(fixture!("ospp/setprt-ok.txt")),
            a if a.starts_with("/inpkey:") => out(fixture!("ospp/inpkey-ok.txt")),
            other => panic!("unexpected ospp argument {other}"),
        }
    });
    let portal = attach_portal(&system);
    (system, portal)
}

/// Connects the fake network to a fake portal that stores each report id once.
fn attach_portal(system: &FakeSystem) -> Rc<RefCell<Portal>> {
    let portal = Rc::new(RefCell::new(Portal {
        token: "v1.test-token".to_owned(),
        ..Portal::default()
    }));
    let shared = Rc::clone(&portal);
    system.state.borrow_mut().http = Box::new(move |request| {
        let mut portal = shared.borrow_mut();
        if portal.down {
            return Err(io::ErrorKind::ConnectionRefused.into());
        }
        if request.url.ends_with("/healthz") {
            return Ok(HttpResponse {
                status: 200,
                date: Some(PORTAL_DATE.to_owned()),
                ..HttpResponse::default()
            });
        }
        assert_eq!(request.method, "POST");
        assert!(request.url.ends_with("/api/v1/reports"), "{}", request.url);
        portal.posts += 1;
        if !portal.script.is_empty() {
            let status = portal.script.remove(0);
            if status == 0 {
                return Err(io::ErrorKind::ConnectionRefused.into());
            }
            let retry_after = (status == 429).then(|| "7".to_owned());
            return Ok(HttpResponse {
                status,
                retry_after,
                ..HttpResponse::default()
            });
        }
        let token = format!("Bearer {}", portal.token);
        if !request
            .headers
            .iter()
            .any(|(k, v)| *k == "Authorization" && *v == token)
        {
            return Ok(HttpResponse {
                status: 401,
                body: br#"{"error":"unauthorized","message":"bad token"}"#.to_vec(),
                ..HttpResponse::default()
            });
        }
        let report = Report::from_json(&request.body).expect("the activator sends valid reports");
        if portal.stored.contains(&report.report_id) {
            return Ok(HttpResponse {
                status: 200,
                ..HttpResponse::default()
            });
        }
        portal.stored.push(report.report_id.clone());
        portal.bodies.push(report);
        Ok(HttpResponse {
            status: 201,
            ..HttpResponse::default()
        })
    });
    portal
}

fn run(system: &FakeSystem, args: &[&str]) -> i32 {
    let mut all = vec!["--no-pause"];
    all.extend_from_slice(args);
    main(system, all.into_iter().map(str::to_owned).collect())
}

fn console(system: &FakeSystem) -> String {
    system.state.borrow().out.clone()
}

fn commands(system: &FakeSystem) -> Vec<String> {
    system.state.borrow().commands.clone()
}

fn finding(report: &Report, check: Check) -> (FindingStatus, Option<String>) {
    let f = report
        .findings
        .iter()
        .find(|f| f.check == check)
        .expect("finding present");
    (f.status, f.error_code.clone())
}

#[test]
fn the_seed_sample_activates_two_products_and_reports_success() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    let commands = commands(&system);
    assert!(
        commands
            .iter()
            .any(|c| c.ends_with("/sethst:kms.example.edu")),
        "{commands:?}"
    );
    assert!(commands.iter().any(|c| c.ends_with("/setprt:1688")));
    assert!(commands.iter().any(|c| c.ends_with("/act")));
    assert!(
        !commands.iter().any(|c| c.contains("/inpkey")),
        "volume keys are installed already"
    );
    let portal = portal.borrow();
    assert_eq!(portal.stored.len(), 1);
    let report = &portal.bodies[0];
    assert_eq!(report.outcome, Outcome::Success);
    let last5: Vec<_> = report
        .products
        .iter()
        .filter_map(|p| p.key_last5.clone())
        .collect();
    assert_eq!(last5, ["7VCBB", "6MWKP"]);
    assert!(
        report
            .products
            .iter()
            .all(|p| p.license_description.contains("VOLUME_KMSCLIENT"))
    );
    let text = console(&system);
    assert!(
        text.contains("啟用成功") && text.contains("7VCBB") && text.contains("已把結果回報"),
        "{text}"
    );
    assert!(
        system.files_under(SPOOL).is_empty(),
        "a delivered report leaves the spool"
    );
}

#[test]
fn an_unreachable_host_error_is_explained_with_its_url() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-error-0xC004F074.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    assert_eq!(run(&system, &["--lang", "en"]), EXIT_FAILURE);
    let text = console(&system);
    assert!(text.contains("0xC004F074"), "{text}");
    assert!(
        text.contains("http://127.0.0.1:8080/errors/0xC004F074"),
        "{text}"
    );
    assert!(
        text.contains("kms.example.edu"),
        "the remedy names the configured host: {text}"
    );
    let report = &portal.borrow().bodies[0];
    assert_eq!(report.outcome, Outcome::Failure);
    assert!(
        report
            .products
            .iter()
            .all(|p| p.error_code.as_deref() == Some("0xC004F074"))
    );
}

#[test]
fn every_preflight_failure_stops_before_activation() {
    type Setup = fn(&FakeSystem, &RefCell<Portal>);
    let cases: [(&str, Setup, Check, Option<&str>, &str); 6] = [
        (
            "not elevated",
            |s, _| s.state.borrow_mut().elevated = false,
            Check::Elevated,
            Some("0x80070005"),
            "系統管理員身分執行",
        ),
        (
            "kms unreachable",
            |s, _| s.state.borrow_mut().tcp = Err(io::ErrorKind::TimedOut),
            Check::KmsReachable,
            Some("0xC004F074"),
            "VPN",
        ),
        (
            "clock five hours off",
            |s, _| s.state.borrow_mut().now += time::Duration::hours(5),
            Check::Clock,
            Some("0xC004F06C"),
            "時區",
        ),
        (
            "office missing",
            |s, _| {
                s.state.borrow_mut().files.remove(OSPP);
            },
            Check::ProductInstalled,
            None,
            "找不到這個版本的 Office",
        ),
        (
            "office 2013 installed instead",
            |s, _| {
                s.state.borrow_mut().files.remove(OSPP);
                s.add_file(
                    r"C:\Program Files (x86)\Microsoft Office\Office15\OSPP.VBS",
                    "' ospp",
                );
            },
            Check::ProductInstalled,
            None,
            "Office 2013",
        ),
        (
            "retail and subscription licences",
            |s, _| {
                s.set_registry(
                    Hive::LocalMachine,
                    r"SOFTWARE\Microsoft\Office\ClickToRun\Configuration",
                    "ProductReleaseIds",
                    "O365ProPlusRetail",
                );
            },
            Check::ConflictingLicences,
            None,
            "Microsoft 365",
        ),
    ];
    for (name, setup, check, code, message) in cases {
        let (system, portal) = office_pc(
            fixture!("ospp/act-success-seed.txt"),
            fixture!("ospp/dstatus-volume.txt"),
        );
        setup(&system, &portal);
        assert_eq!(run(&system, &[]), EXIT_ABORTED, "{name}");
        assert!(
            !commands(&system)
                .iter()
                .any(|c| c.ends_with("/act") || c.contains("/sethst")),
            "{name}: nothing may change"
        );
        assert!(
            console(&system).contains(message),
            "{name}: {}",
            console(&system)
        );
        let report = &portal.borrow().bodies[0];
        assert_eq!(report.outcome, Outcome::Aborted, "{name}");
        assert!(report.products.is_empty());
        assert_eq!(
            finding(report, check),
            (FindingStatus::Fail, code.map(str::to_owned)),
            "{name}"
        );
    }
}

#[test]
fn a_version_mismatch_is_said_plainly() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    system.add_file(
        &format!(r"{EXE_DIR}\activator.toml"),
        config_text("office-2016-proplus", &["office-2016-proplus"]),
    );
    assert_eq!(run(&system, &["--lang", "en"]), EXIT_ABORTED);
    assert!(
        console(&system).contains("None of the products this download covers"),
        "{}",
        console(&system)
    );
    assert_eq!(
        finding(&portal.borrow().bodies[0], Check::ProductInstalled).0,
        FindingStatus::Fail
    );
}

#[test]
fn blocking_licences_in_dstatus_stop_activation() {
    // The volume ProPlus 2019 with a grace licence of the same product and a Microsoft
    // 365 subscription beside it.
    let both = format!(
        "{}{}",
        fixture!("ospp/dstatus-volume.txt"),
        fixture!("ospp/dstatus-retail-subscription-grace.txt")
    );
    let (system, portal) = office_pc(fixture!("ospp/act-success-seed.txt"), both.leak());
    assert_eq!(run(&system, &["--lang", "en"]), EXIT_ABORTED);
    assert_eq!(
        finding(&portal.borrow().bodies[0], Check::ConflictingLicences).0,
        FindingStatus::Fail
    );
    assert!(!commands(&system).iter().any(|c| c.ends_with("/act")));
    assert!(console(&system).contains("Office19ProPlus2019R_Grace"));
}

#[test]
fn a_retail_install_without_a_volume_licence_is_not_activated() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-retail-subscription-grace.txt"),
    );
    assert_eq!(run(&system, &[]), EXIT_ABORTED);
    let report = &portal.borrow().bodies[0];
    assert_eq!(
        finding(report, Check::ProductInstalled).0,
        FindingStatus::Fail
    );
    assert_eq!(
        finding(report, Check::ConflictingLicences).0,
        FindingStatus::Warn
    );
}

#[test]
fn an_unreadable_portal_clock_is_a_warning_not_a_stop() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    let mut inner = std::mem::replace(
        &mut system.state.borrow_mut().http,
        Box::new(|_| unreachable!()),
    );
    system.state.borrow_mut().http = Box::new(move |request| {
        if request.url.ends_with("/healthz") {
            return Err(io::ErrorKind::TimedOut.into());
        }
        inner(request)
    });
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    assert_eq!(
        finding(&portal.borrow().bodies[0], Check::Clock).0,
        FindingStatus::Warn
    );
}

#[test]
fn a_missing_kms_key_is_installed_first_and_said() {
    // Office 2019 installed by Click-to-Run, with no product key at all.
    let (system, _portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/act-no-key.txt"),
    );
    system.set_registry(
        Hive::LocalMachine,
        r"SOFTWARE\Microsoft\Office\ClickToRun\Configuration",
        "ProductReleaseIds",
        "ProPlus2019Volume",
    );
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    let commands = commands(&system);
    let inpkey = commands
        .iter()
        .position(|c| c.ends_with("/inpkey:NMMKJ-6RK4F-KMJVX-8D9MJ-6MWKP"))
        .expect("GVLK installed");
    let act = commands.iter().position(|c| c.ends_with("/act")).unwrap();
    assert!(inpkey < act);
    assert!(console(&system).contains("安裝 KMS 用戶端金鑰"));
}

#[test]
fn a_failed_host_setting_never_activates() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    let mut inner = std::mem::replace(
        &mut system.state.borrow_mut().programs,
        Box::new(|_, _| unreachable!()),
    );
    system.state.borrow_mut().programs = Box::new(move |program, args| {
        if args[3].starts_with("/sethst:") {
            return out("ERROR CODE: 0x80070005\nERROR DESCRIPTION: Access is denied.\n");
        }
        inner(program, args)
    });
    assert_eq!(run(&system, &[]), EXIT_FAILURE);
    assert!(!commands(&system).iter().any(|c| c.ends_with("/act")));
    let report = &portal.borrow().bodies[0];
    assert!(!report.products.is_empty());
    assert!(
        report
            .products
            .iter()
            .all(|p| p.error_code.as_deref() == Some("0x80070005"))
    );
}

/// A Windows 10 Enterprise PC whose `slmgr.vbs` prints zh-TW output: `dlv` for `/dlv`
/// until `/ato` ran, a licensed KMS client's `/dlv` after it.
fn windows_pc(dlv: &'static str, ato: &'static str) -> (FakeSystem, Rc<RefCell<Portal>>) {
    windows_pc_after(dlv, ato, fixture!("slmgr/dlv-kms-client.zh-TW.txt"))
}

/// A Windows PC whose `/dlv` is `dlv` before `/ato` and `after` once it ran; `/ato`
/// prints `ato` and exits with the HRESULT of the code it prints, as slmgr does.
fn windows_pc_after(
    dlv: &'static str,
    ato: &'static str,
    after: &'static str,
) -> (FakeSystem, Rc<RefCell<Portal>>) {
    let system = FakeSystem::new();
    system.state.borrow_mut().exe_dir = r"C:\Users\student\Desktop\win".to_owned();
    system.add_file(
        r"C:\Users\student\Desktop\win\activator.toml",
        config_text("windows-10-enterprise", &["windows-10-enterprise"]),
    );
    system.add_file(r"C:\Windows\System32\slmgr.vbs", "' slmgr");
    system.state.borrow_mut().tcp = Ok(std::time::Duration::from_millis(3));
    let activated = std::cell::Cell::new(false);
    system.state.borrow_mut().programs = Box::new(move |_, args| match args[3] {
        _ if args[2] != r"C:\Windows\System32\slmgr.vbs" => panic!("slmgr at {}", args[2]),
        "/dlv" if activated.get() => out(after),
        "/dlv" => out(dlv),
        "/ato" => {
            activated.set(true);
            let status = slmgr::parse_result(ato, 0)
                .err()
                .and_then(|code| u32::from_str_radix(code.trim_start_matches("0x"), 16).ok())
                .map_or(0, u32::cast_signed);
            out_with(ato, status)
        }
        "/skms" => out(fixture!("slmgr/skms-ok.zh-TW.txt")),
        "/ipk" => out(fixture!("slmgr/ipk-ok.zh-TW.txt")),
        other => panic!("unexpected slmgr argument {other}"),
    });
    let portal = attach_portal(&system);
    (system, portal)
}

#[test]
fn windows_activates_in_chinese_and_reports() {
    let (system, portal) = windows_pc(
        fixture!("slmgr/dlv-kms-client.zh-TW.txt"),
        fixture!("slmgr/ato-success.zh-TW.txt"),
    );
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    let commands = commands(&system);
    assert!(
        commands
            .iter()
            .any(|c| c.ends_with("/skms kms.example.edu:1688")),
        "{commands:?}"
    );
    assert!(!commands.iter().any(|c| c.contains("/ipk")));
    let report = &portal.borrow().bodies[0];
    assert_eq!(report.outcome, Outcome::Success);
    assert_eq!(report.products.len(), 1);
}

#[test]
fn windows_with_a_retail_key_gets_the_setup_key_first() {
    let (system, _portal) = windows_pc(
        fixture!("slmgr/dlv-retail.zh-TW.txt"),
        fixture!("slmgr/ato-success.zh-TW.txt"),
    );
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    assert!(
        commands(&system)
            .iter()
            .any(|c| c.ends_with("/ipk NPPR9-FWDCX-D2C8J-H872K-2YT43"))
    );
}

#[test]
fn windows_errors_are_read_from_localised_output() {
    let (system, portal) = windows_pc(
        fixture!("slmgr/dlv-kms-client.zh-TW.txt"),
        fixture!("slmgr/ato-error-0xC004F074.zh-TW.txt"),
    );
    assert_eq!(run(&system, &[]), EXIT_FAILURE);
    assert!(console(&system).contains("/errors/0xC004F074"));
    assert_eq!(
        portal.borrow().bodies[0].products[0].error_code.as_deref(),
        Some("0xC004F074")
    );
}

#[test]
fn windows_home_is_not_covered() {
    let (system, _portal) = windows_pc(
        fixture!("slmgr/dlv-kms-client.zh-TW.txt"),
        fixture!("slmgr/ato-success.zh-TW.txt"),
    );
    system.set_registry(
        Hive::LocalMachine,
        r"SOFTWARE\Microsoft\Windows NT\CurrentVersion",
        "EditionID",
        "Core",
    );
    assert_eq!(run(&system, &[]), EXIT_ABORTED);
    assert!(console(&system).contains("Core"));
}

#[test]
fn an_unreachable_portal_keeps_the_report_and_the_next_run_sends_it_once() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    portal.borrow_mut().down = true;
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    assert!(console(&system).contains("已先存在這台電腦上"));
    assert_eq!(
        system
            .state
            .borrow()
            .sleeps
            .iter()
            .map(|d| d.as_secs())
            .collect::<Vec<_>>(),
        [1, 2, 4]
    );
    let spooled = system.files_under(SPOOL);
    assert_eq!(spooled.len(), 1, "{spooled:?}");

    portal.borrow_mut().down = false;
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    let portal = portal.borrow();
    assert_eq!(portal.stored.len(), 2, "the new report and the kept one");
    let unique: HashSet<_> = portal.stored.iter().collect();
    assert_eq!(unique.len(), 2);
    assert!(
        spooled[0].contains(&portal.stored[1]),
        "the kept report keeps its id"
    );
    assert!(system.files_under(SPOOL).is_empty());
    assert!(console(&system).contains("已補送"));
}

#[test]
fn busy_answers_are_retried_with_back_off_and_retry_after() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    portal.borrow_mut().script = vec![503, 429, 0];
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    assert_eq!(
        system
            .state
            .borrow()
            .sleeps
            .iter()
            .map(|d| d.as_secs())
            .collect::<Vec<_>>(),
        [1, 7, 4]
    );
    assert_eq!(portal.borrow().stored.len(), 1);
    assert_eq!(portal.borrow().posts, 4);
}

#[test]
fn a_repeat_acknowledgement_clears_the_spool_without_double_counting() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    // The portal stored the report but the answer was lost: the activator keeps it.
    portal.borrow_mut().script = vec![0, 0, 0, 0];
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    let kept = system.files_under(SPOOL);
    let id = kept[0]
        .rsplit('\\')
        .next()
        .unwrap()
        .trim_end_matches(".json")
        .to_owned();
    portal.borrow_mut().stored.push(id.clone());
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    assert_eq!(
        portal.borrow().stored.iter().filter(|s| **s == id).count(),
        1,
        "counted once"
    );
    assert!(system.files_under(SPOOL).is_empty());
}

#[test]
fn a_refused_report_is_set_aside_not_retried_forever() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    portal.borrow_mut().token = "another".to_owned();
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    assert!(console(&system).contains("401"), "{}", console(&system));
    assert_eq!(system.files_under(&format!(r"{SPOOL}\rejected")).len(), 1);
    let posts = portal.borrow().posts;
    portal.borrow_mut().token = "v1.test-token".to_owned();
    run(&system, &[]);
    assert_eq!(
        portal.borrow().posts,
        posts + 1,
        "only the new report is sent"
    );
}

#[test]
fn a_dry_run_changes_nothing_and_reports_nothing() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    assert_eq!(run(&system, &["--dry-run"]), EXIT_SUCCESS);
    let commands = commands(&system);
    assert!(
        commands.iter().all(|c| c.ends_with("/dstatus")),
        "{commands:?}"
    );
    assert_eq!(portal.borrow().posts, 0);
    let text = console(&system);
    assert!(
        text.contains(r#"OSPP.VBS" /sethst:kms.example.edu"#) && text.contains("/act"),
        "{text}"
    );
    assert!(system.files_under(SPOOL).is_empty());
}

/// `--status` changes nothing and reports what it read as a status run: each licence
/// licensed or not, with the grace it has left (and, for Windows, the KMS host it used).
#[test]
fn status_shows_and_reports_the_licences_and_changes_nothing() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    assert_eq!(run(&system, &["--status", "--lang", "en"]), EXIT_SUCCESS);
    assert!(commands(&system).iter().all(|c| c.ends_with("/dstatus")));
    let shown = console(&system);
    assert!(shown.contains("Current licence state"), "{shown}");
    assert!(
        shown.contains("licensed, 180 days before it must renew"),
        "{shown}"
    );
    assert!(shown.contains("reported to the portal"), "{shown}");
    let report = &portal.borrow().bodies[0];
    assert_eq!(report.kind, RunKind::Status);
    assert_eq!(report.outcome, Outcome::Success);
    let graces: Vec<Option<u64>> = report.products.iter().map(|p| p.grace_minutes).collect();
    assert_eq!(graces, [Some(259_200), Some(259_199)]);

    let (system, portal) = windows_pc(
        fixture!("slmgr/dlv-kms-client.zh-TW.txt"),
        fixture!("slmgr/ato-success.zh-TW.txt"),
    );
    assert_eq!(run(&system, &["--status"]), EXIT_SUCCESS);
    assert!(commands(&system).iter().all(|c| c.ends_with("/dlv")));
    let report = &portal.borrow().bodies[0];
    let licence = &report.products[0];
    assert_eq!(licence.grace_minutes, Some(259_200));
    assert_eq!(licence.kms_host.as_deref(), Some("kms.example.edu.tw:1688"));
    assert!(console(&system).contains("已啟用"));
}

/// A status run that finds the licence not licensed says so, reports it, and exits 3.
#[test]
fn status_of_a_lapsed_licence_is_reported_as_not_licensed() {
    let (system, portal) = windows_pc(
        fixture!("slmgr/dlv-notification.en.txt"),
        fixture!("slmgr/ato-success.en.txt"),
    );
    assert_eq!(run(&system, &["--status", "--lang", "en"]), EXIT_FAILURE);
    assert!(console(&system).contains("not licensed"));
    let report = &portal.borrow().bodies[0];
    assert_eq!(report.outcome, Outcome::Failure);
    assert_eq!(report.products[0].error_code.as_deref(), Some("0xC004F056"));
    assert_eq!(report.products[0].kms_host, None);
}

/// `--schedule-status` registers the weekly task only with consent: a typed yes, or a
/// quiet run's command line; the task runs this activator as SYSTEM, quietly.
#[test]
fn the_weekly_status_task_is_registered_only_with_consent() {
    let with_schtasks = |system: &FakeSystem| {
        let mut state = system.state.borrow_mut();
        let mut scripts = std::mem::replace(&mut state.programs, Box::new(|_, _| out("")));
        state.programs = Box::new(move |program: &str, args: &[&str]| {
            if program.ends_with("schtasks.exe") {
                out("SUCCESS")
            } else {
                scripts(program, args)
            }
        });
    };
    let registered = |system: &FakeSystem| {
        commands(system)
            .into_iter()
            .filter(|c| c.contains("schtasks.exe"))
            .collect::<Vec<_>>()
    };
    let (system, _portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    with_schtasks(&system);
    assert_eq!(
        run(&system, &["--status", "--schedule-status", "--lang", "en"]),
        EXIT_SUCCESS
    );
    assert!(console(&system).contains("Check the licence state once a week"));
    assert!(registered(&system).is_empty(), "nobody said yes");

    let (system, _portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    with_schtasks(&system);
    system.state.borrow_mut().typed = vec!["y".to_owned()];
    assert_eq!(
        run(&system, &["--schedule-status", "--lang", "en"]),
        EXIT_SUCCESS
    );
    let tasks = registered(&system);
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert!(
        tasks[0].starts_with(r"C:\Windows\Sysnative\schtasks.exe /Create /F /TN"),
        "{}",
        tasks[0]
    );
    assert!(tasks[0].contains("/RU SYSTEM") && tasks[0].contains("/SC WEEKLY"));
    assert!(
        tasks[0].ends_with(&format!(r#""{EXE_DIR}\activator.exe" --status --quiet"#)),
        "{}",
        tasks[0]
    );
    assert!(console(&system).contains("A weekly scheduled task now checks"));

    let (system, _portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    with_schtasks(&system);
    let quiet = ["--quiet", "--status", "--schedule-status"]
        .map(str::to_owned)
        .to_vec();
    assert_eq!(main(&system, quiet), EXIT_SUCCESS);
    assert_eq!(registered(&system).len(), 1);
    assert_eq!(console(&system), "");
}

#[test]
fn settings_problems_are_usage_errors() {
    let (system, _) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    system
        .state
        .borrow_mut()
        .files
        .remove(&format!(r"{EXE_DIR}\activator.toml"));
    assert_eq!(run(&system, &[]), EXIT_USAGE);
    assert!(console(&system).contains("找不到設定檔 activator.toml"));
    system.add_file(
        &format!(r"{EXE_DIR}\activator.toml"),
        "schema = 1\nproduct = 3\n",
    );
    assert_eq!(run(&system, &["--lang", "en"]), EXIT_USAGE);
    assert!(console(&system).contains("damaged"));
    assert_eq!(run(&system, &["--bogus"]), EXIT_USAGE);
}

#[test]
fn the_pc_language_decides_unless_a_flag_does() {
    let (system, _) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    system.state.borrow_mut().ui_language = "en-US".to_owned();
    run(&system, &[]);
    assert!(console(&system).contains("Everything is activated"));
    let (system, _) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    system.state.borrow_mut().ui_language = "de-DE".to_owned();
    run(&system, &[]);
    assert!(console(&system).contains("Everything is activated"));
    for (tag, chinese) in [
        ("ja-JP", false),
        ("ko-KR", false),
        ("zh-CN", true),
        ("zh-HK", true),
        ("ZH-tw", true),
        ("", false),
    ] {
        assert_eq!(pc_language(tag) == Language::ZhTw, chinese, "{tag}");
    }
    let (system, _) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    system.state.borrow_mut().ui_language = "ja-JP".to_owned();
    run(&system, &["--lang", "zh-TW"]);
    assert!(console(&system).contains("全部啟用成功"), "the flag wins");
}

#[test]
fn activation_that_leaves_windows_unlicensed_fails_with_the_reason() {
    // `/ato` exits with 0 and says so only in words; `/dlv` afterwards tells.
    let (system, portal) = windows_pc_after(
        fixture!("slmgr/dlv-kms-client.zh-TW.txt"),
        fixture!("slmgr/ato-failed-no-code.zh-TW.txt"),
        fixture!("slmgr/dlv-notification.en.txt"),
    );
    assert_eq!(run(&system, &["--lang", "en"]), EXIT_FAILURE);
    assert_eq!(
        portal.borrow().bodies[0].products[0].error_code.as_deref(),
        Some("0xC004F056")
    );
    assert!(console(&system).contains("/errors/0xC004F056"));
}

#[test]
fn a_script_that_never_ends_is_stopped_and_explained() {
    let (system, portal) = windows_pc(
        fixture!("slmgr/dlv-kms-client.zh-TW.txt"),
        fixture!("slmgr/ato-success.zh-TW.txt"),
    );
    let mut inner = std::mem::replace(
        &mut system.state.borrow_mut().programs,
        Box::new(|_, _| unreachable!()),
    );
    system.state.borrow_mut().programs = Box::new(move |program, args| {
        if args[3] == "/ato" {
            return Ok(Output {
                timed_out: true,
                status: -1,
                ..Output::default()
            });
        }
        inner(program, args)
    });
    assert_eq!(run(&system, &["--lang", "en"]), EXIT_FAILURE);
    let shown = console(&system);
    assert!(shown.contains("0x800705B4"), "{shown}");
    assert!(shown.contains("did not finish"), "explained:\n{shown}");
    assert_eq!(
        portal.borrow().bodies[0].products[0].error_code.as_deref(),
        Some("0x800705B4")
    );
}

#[test]
fn a_double_clicked_run_waits_for_a_key() {
    let (system, _) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    main(&system, Vec::new());
    assert_eq!(system.state.borrow().key_waits, 1);
    assert!(console(&system).ends_with("按任意鍵結束……\n"));
}

/// A Windows PC of `build` and `edition` whose `slmgr.vbs` prints English `dlv` output,
/// with a download covering `covers` (upgrades covered when `upgrade`).
fn windows_edition_pc(
    build: u32,
    edition: &str,
    dlv: &'static str,
    covers: &[&str],
    upgrade: bool,
) -> (FakeSystem, Rc<RefCell<Portal>>) {
    let after = match edition {
        "EnterpriseN" => fixture!("slmgr/dlv-enterprisen-licensed.en.txt"),
        "EnterpriseS" => fixture!("slmgr/dlv-enterprises-licensed.en.txt"),
        _ => fixture!("slmgr/dlv-education-licensed.en.txt"),
    };
    let (system, portal) = windows_pc_after(dlv, fixture!("slmgr/ato-success.en.txt"), after);
    system.state.borrow_mut().os_version.build = build;
    system.set_registry(
        Hive::LocalMachine,
        r"SOFTWARE\Microsoft\Windows NT\CurrentVersion",
        "EditionID",
        edition,
    );
    system.add_file(
        r"C:\Users\student\Desktop\win\activator.toml",
        config_with("windows-campus", covers, |c| c.edition_upgrade = upgrade),
    );
    (system, portal)
}

const CAMPUS_WINDOWS: [&str; 4] = [
    "windows-11-education",
    "windows-11-enterprise",
    "windows-11-enterprise-n",
    "windows-10-enterprise-ltsc-2021",
];

#[test]
fn each_windows_edition_gets_its_own_key_or_a_plain_refusal() {
    struct Case {
        build: u32,
        edition: &'static str,
        dlv: &'static str,
        exit: i32,
        ipk: Option<&'static str>,
        says: &'static str,
    }
    let cases = [
        Case {
            build: 22631,
            edition: "Education",
            dlv: fixture!("slmgr/dlv-education-kms.en.txt"),
            exit: EXIT_SUCCESS,
            ipk: None,
            says: "Windows 11 Education",
        },
        Case {
            build: 22631,
            edition: "EnterpriseN",
            dlv: fixture!("slmgr/dlv-enterprisen-mak.en.txt"),
            exit: EXIT_SUCCESS,
            ipk: Some("DPH2V-TTNVB-4X9Q3-TJR4H-KHJW4"),
            says: "Windows 11 Enterprise N",
        },
        Case {
            build: 19044,
            edition: "EnterpriseS",
            dlv: fixture!("slmgr/dlv-enterprises-kms.en.txt"),
            exit: EXIT_SUCCESS,
            ipk: None,
            says: "Windows 10 Enterprise LTSC 2021",
        },
        Case {
            build: 22631,
            edition: "Professional",
            dlv: fixture!("slmgr/dlv-professional-retail.en.txt"),
            exit: EXIT_ABORTED,
            ipk: None,
            says: "does not cover this PC's Windows edition",
        },
        Case {
            build: 22631,
            edition: "EnterpriseEval",
            dlv: fixture!("slmgr/dlv-enterprise-eval.en.txt"),
            exit: EXIT_ABORTED,
            ipk: None,
            says: "Evaluation edition",
        },
    ];
    for case in cases {
        let (system, portal) =
            windows_edition_pc(case.build, case.edition, case.dlv, &CAMPUS_WINDOWS, false);
        let exit = run(&system, &["--lang", "en"]);
        let shown = console(&system);
        assert_eq!(exit, case.exit, "{}:\n{shown}", case.edition);
        assert!(shown.contains(case.says), "{}:\n{shown}", case.edition);
        let ipks: Vec<String> = commands(&system)
            .into_iter()
            .filter(|c| c.contains("/ipk"))
            .collect();
        match case.ipk {
            Some(key) => assert!(ipks.len() == 1 && ipks[0].ends_with(key), "{ipks:?}"),
            None => assert!(ipks.is_empty(), "{}: {ipks:?}", case.edition),
        }
        let activated = commands(&system).iter().any(|c| c.ends_with("/ato"));
        assert_eq!(activated, case.exit == EXIT_SUCCESS, "{}", case.edition);
        assert_eq!(portal.borrow().bodies.len(), 1, "{}", case.edition);
    }
}

#[test]
fn professional_is_upgraded_only_when_covered_and_agreed() {
    let education = "/ipk NW6C2-QMPVW-D7KKK-3GKT6-VCFB2";
    let pro = fixture!("slmgr/dlv-professional-retail.en.txt");

    // Nobody at the console: no upgrade, no activation.
    let (system, portal) = windows_edition_pc(22631, "Professional", pro, &CAMPUS_WINDOWS, true);
    assert_eq!(run(&system, &["--lang", "en"]), EXIT_ABORTED);
    assert!(console(&system).contains("Upgrade Windows to the edition the campus licence covers?"));
    assert!(!commands(&system).iter().any(|c| c.contains("/ipk")));
    let report = &portal.borrow().bodies[0];
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.detail.contains("declined"))
    );

    // The person types yes.
    let (system, _portal) = windows_edition_pc(22631, "Professional", pro, &CAMPUS_WINDOWS, true);
    system.state.borrow_mut().typed = vec!["Y".to_owned()];
    assert_eq!(run(&system, &["--lang", "en"]), EXIT_SUCCESS);
    let commands_run = commands(&system);
    let ipk = commands_run.iter().position(|c| c.ends_with(education));
    let ato = commands_run.iter().position(|c| c.ends_with("/ato"));
    assert!(ipk.is_some() && ipk < ato, "{commands_run:?}");

    // Agreed in advance on the command line (an unattended run).
    let (system, _portal) = windows_edition_pc(22631, "Professional", pro, &CAMPUS_WINDOWS, true);
    assert_eq!(run(&system, &["--upgrade-edition"]), EXIT_SUCCESS);
    assert!(commands(&system).iter().any(|c| c.ends_with(education)));
}

#[test]
fn an_ended_licence_is_said_in_the_banner() {
    let (system, _portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    system.add_file(
        &format!(r"{EXE_DIR}\activator.toml"),
        config_with("office-2019-proplus", &["office-2019-proplus"], |c| {
            c.licence_ends = Some(time::macros::date!(2020 - 02 - 28));
        }),
    );
    assert_eq!(run(&system, &["--lang", "en"]), EXIT_SUCCESS);
    assert!(
        console(&system).contains("has ended (it may have been renewed; if unsure, ask the IT office). It ended on 2020-02-28"),
        "{}",
        console(&system)
    );
    let (system, _portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    assert!(run(&system, &["--lang", "en"]) == EXIT_SUCCESS);
    assert!(!console(&system).contains("has ended"));
}

#[test]
fn the_portal_texts_in_the_download_explain_errors() {
    let (system, _portal) = office_pc(
        fixture!("ospp/act-error-0xC004F074.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    system.add_file(
        &format!(r"{EXE_DIR}\errors.toml"),
        "[[error]]\ncode = \"0xC004F074\"\n[error.zh-TW]\ntitle = \"連不到 KMS 主機\"\nremedy = \"請撥分機 1234。\"\n[error.en]\ntitle = \"No KMS host\"\nremedy = \"Call extension 1234 (the portal's current advice).\"\n",
    );
    assert_eq!(run(&system, &["--lang", "en"]), EXIT_FAILURE);
    assert!(
        console(&system).contains("Call extension 1234 (the portal's current advice)."),
        "{}",
        console(&system)
    );
}

#[test]
fn office_products_are_activated_by_what_is_installed() {
    // Office LTSC 2024 with Project and Visio: their keys are in, nothing to install.
    let (system, portal) = office_pc(
        fixture!("ospp/act-2024-proplus-project-visio.txt"),
        fixture!("ospp/dstatus-2024-proplus-project-visio.txt"),
    );
    system.add_file(
        &format!(r"{EXE_DIR}\activator.toml"),
        config_text(
            "office-ltsc-2024",
            &[
                "office-2024-proplus",
                "office-2024-project-pro",
                "office-2024-visio-pro",
            ],
        ),
    );
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    assert!(!commands(&system).iter().any(|c| c.contains("/inpkey")));
    assert_eq!(portal.borrow().bodies[0].products.len(), 3);

    // The Project download on a PC with Project Standard only.
    let (system, portal) = office_pc(
        fixture!("ospp/act-2019-project-std.txt"),
        fixture!("ospp/dstatus-2019-project-std.txt"),
    );
    system.add_file(
        &format!(r"{EXE_DIR}\activator.toml"),
        config_text(
            "project-2019",
            &["office-2019-project-pro", "office-2019-project-std"],
        ),
    );
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    assert!(
        !commands(&system).iter().any(|c| c.contains("/inpkey")),
        "no Professional key for Project Standard"
    );
    assert_eq!(
        portal.borrow().bodies[0].products[0].key_last5.as_deref(),
        Some("JXD2M")
    );

    // A licensed retail Visio beside the volume ProPlus 2021: named, and ProPlus activated.
    let (system, portal) = office_pc(
        fixture!("ospp/act-retail-visio-volume-proplus-2021.txt"),
        fixture!("ospp/dstatus-retail-visio-volume-proplus-2021.txt"),
    );
    system.add_file(
        &format!(r"{EXE_DIR}\activator.toml"),
        config_text(
            "office-ltsc-2021",
            &["office-2021-proplus", "office-2021-visio-pro"],
        ),
    );
    assert_eq!(run(&system, &["--lang", "en"]), EXIT_SUCCESS);
    assert!(console(&system).contains("Products licensed separately are on this PC"));
    assert_eq!(
        finding(&portal.borrow().bodies[0], Check::ConflictingLicences).0,
        FindingStatus::Warn
    );
}

#[test]
fn every_address_of_the_kms_host_is_tried_each_with_its_own_time() {
    let (system, portal) = windows_pc(
        fixture!("slmgr/dlv-kms-client.zh-TW.txt"),
        fixture!("slmgr/ato-success.zh-TW.txt"),
    );
    let v6: std::net::SocketAddr = "[2001:db8::10]:1688".parse().unwrap();
    let v4: std::net::SocketAddr = "192.0.2.10:1688".parse().unwrap();
    {
        let mut state = system.state.borrow_mut();
        state
            .dns
            .insert("kms.example.edu".to_owned(), vec![v6.ip(), v4.ip()]);
        state
            .tcp_by_address
            .insert(v6, Err(io::ErrorKind::TimedOut));
        state
            .tcp_by_address
            .insert(v4, Ok(std::time::Duration::from_millis(2)));
    }
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    assert_eq!(
        system.state.borrow().connects,
        [v6.to_string(), v4.to_string()]
    );
    let report = &portal.borrow().bodies[0];
    let reach = report
        .findings
        .iter()
        .find(|f| f.check == Check::KmsReachable)
        .unwrap();
    assert_eq!(reach.status, FindingStatus::Pass);
    assert!(reach.detail.contains("192.0.2.10:1688"), "{}", reach.detail);
}

#[test]
fn an_ipv6_kms_host_is_given_to_slmgr_in_brackets() {
    let (system, _portal) = windows_pc(
        fixture!("slmgr/dlv-kms-client.zh-TW.txt"),
        fixture!("slmgr/ato-success.zh-TW.txt"),
    );
    system.add_file(
        r"C:\Users\student\Desktop\win\activator.toml",
        config_with("windows-10-enterprise", &["windows-10-enterprise"], |c| {
            c.kms.host = "2001:db8::10".to_owned();
        }),
    );
    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    assert!(
        commands(&system)
            .iter()
            .any(|c| c.ends_with("/skms [2001:db8::10]:1688")),
        "{:?}",
        commands(&system)
    );
}

/// On a shared PC a standard user may have made the spool folder first, put reports of
/// their own in it, or put a junction in its place.
#[test]
fn the_spool_is_for_administrators_only_and_sent_only_to_this_portal() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    // A folder a user made, holding a report aimed at another portal and a link.
    system.state.borrow_mut().loose.push(SPOOL.to_owned());
    let mut planted = serde_json::json!({
        "portal_url": "https://portal.attacker.example",
        "download_token": "v1.theirs",
        "report": serde_json::from_str::<serde_json::Value>(include_str!(
            "../../../tests/fixtures/reports/success.json"
        ))
        .unwrap(),
    });
    planted["report"]["report_id"] = "0b1e6c52-0b3d-4f8e-9c21-000000000001".into();
    system.add_file(
        &format!(r"{SPOOL}\0b1e6c52-0b3d-4f8e-9c21-000000000001.json"),
        serde_json::to_vec(&planted).unwrap(),
    );
    let link = format!(r"{SPOOL}\0b1e6c52-0b3d-4f8e-9c21-000000000002.json");
    system.add_file(&link, "{}");
    system.state.borrow_mut().reparse_points.push(link.clone());

    assert_eq!(run(&system, &[]), EXIT_SUCCESS);
    {
        let state = system.state.borrow();
        assert!(state.loose.is_empty(), "taken over");
        assert!(state.secured.contains(&SPOOL.to_owned()));
        assert!(
            state
                .secured
                .contains(&r"C:\ProgramData\CampusLicensePortal".to_owned())
        );
    }
    assert_eq!(portal.borrow().posts, 1, "only this run's report was sent");
    assert!(
        system
            .state
            .borrow()
            .requests
            .iter()
            .all(|r| !r.url.contains("attacker")),
        "nothing goes to another portal"
    );
    let files = system.files_under(SPOOL);
    assert!(
        files.iter().any(|f| f.contains(r"\rejected\0b1e6c52")),
        "set aside: {files:?}"
    );
    assert!(
        files.contains(&link),
        "a link is neither followed nor removed"
    );
}

#[test]
fn a_junction_in_place_of_the_spool_is_never_written_through() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    system
        .state
        .borrow_mut()
        .reparse_points
        .push(SPOOL.to_owned());
    portal.borrow_mut().down = true;
    assert_eq!(run(&system, &["--lang", "en"]), EXIT_SUCCESS);
    assert!(system.files_under(SPOOL).is_empty(), "nothing written");
    assert!(
        console(&system).contains("could not be saved"),
        "{}",
        console(&system)
    );
}

/// Turns a test's PC into another kind of PC.
type Make = fn(&FakeSystem);

/// The shipped activator is a 32-bit program. On 64-bit Windows (x64, and ARM64 with its
/// x86 emulation) it runs the 64-bit `cscript` through `Sysnative` on the real
/// `System32\slmgr.vbs`, and reports the PC's architecture, not its own; on 32-bit
/// Windows it uses `System32` and reports x86.
#[test]
fn windows_own_scripts_are_reached_on_every_architecture() {
    use crate::system::Platform;
    use protocol::report::Architecture;

    let cases: [(&str, Make, &str, Architecture); 3] = [
        ("x64", |_| {}, "Sysnative", Architecture::X64),
        (
            "arm64",
            |s| {
                s.state.borrow_mut().platform = Platform {
                    native: Architecture::Arm64,
                    wow64: true,
                };
                s.state
                    .borrow_mut()
                    .env
                    .insert("PROCESSOR_ARCHITEW6432".to_owned(), "ARM64".to_owned());
            },
            "Sysnative",
            Architecture::Arm64,
        ),
        (
            "x86",
            FakeSystem::make_32_bit,
            "System32",
            Architecture::X86,
        ),
    ];
    for (name, make, folder, architecture) in cases {
        let (system, portal) = windows_pc(
            fixture!("slmgr/dlv-kms-client.zh-TW.txt"),
            fixture!("slmgr/ato-success.zh-TW.txt"),
        );
        make(&system);
        assert_eq!(
            run(&system, &[]),
            EXIT_SUCCESS,
            "{name}: {}",
            console(&system)
        );
        let cscript = format!(r"C:\Windows\{folder}\cscript.exe //nologo //U ");
        for command in commands(&system) {
            assert!(
                command.starts_with(&format!(r"{cscript}C:\Windows\System32\slmgr.vbs ")),
                "{name}: {command}"
            );
        }
        let report = &portal.borrow().bodies[0];
        assert_eq!(report.machine.architecture, architecture, "{name}");
    }
}

/// Office is found wherever its architecture put it, by the 32-bit activator: 64-bit
/// Office in the 64-bit Program Files (`%ProgramW6432%`, not the process's
/// `%ProgramFiles%`), 32-bit Office registered only in the registry's 32-bit view at a
/// folder of its own, and on 32-bit Windows the one Program Files.
#[test]
fn office_is_found_in_either_program_files_and_either_registry_view() {
    let ospp_64 = r"C:\Program Files\Microsoft Office\Office16\OSPP.VBS";
    let ospp_custom = r"D:\Apps\Office x86\Office16\OSPP.VBS";
    let cases: [(&str, Make, &str); 3] = [
        ("64-bit Office", |_| {}, ospp_64),
        (
            "32-bit Office elsewhere",
            |s| {
                s.state.borrow_mut().files.remove(OSPP);
                s.add_file(r"D:\Apps\Office x86\Office16\OSPP.VBS", "' ospp");
                s.set_registry(
                    Hive::LocalMachine,
                    r"SOFTWARE\WOW6432Node\Microsoft\Office\16.0\Common\InstallRoot",
                    "Path",
                    r"D:\Apps\Office x86\Office16\",
                );
            },
            ospp_custom,
        ),
        ("32-bit Windows", FakeSystem::make_32_bit, ospp_64),
    ];
    for (name, make, expected) in cases {
        let (system, portal) = office_pc(
            fixture!("ospp/act-success-seed.txt"),
            fixture!("ospp/dstatus-volume.txt"),
        );
        make(&system);
        assert_eq!(
            run(&system, &[]),
            EXIT_SUCCESS,
            "{name}: {}",
            console(&system)
        );
        assert!(
            commands(&system)
                .iter()
                .all(|c| c.contains(&format!("//U {expected} "))),
            "{name}: {:?}",
            commands(&system)
        );
        assert_eq!(portal.borrow().stored.len(), 1, "{name}");
    }
    // Without %ProgramW6432% (the variable a 32-bit process needs) 64-bit Office is not
    // under the process's Program Files: the search would miss it.
    let (system, _) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    system.state.borrow_mut().env.remove("ProgramW6432");
    assert_eq!(run(&system, &[]), EXIT_ABORTED);
}

const LOG: &str = r"C:\ProgramData\CampusLicensePortal\activator.log";

fn log_of(system: &FakeSystem) -> String {
    String::from_utf8(
        system
            .state
            .borrow()
            .files
            .get(LOG)
            .cloned()
            .unwrap_or_default(),
    )
    .unwrap()
}

/// `--quiet`, for deployment tools: nothing on the console, no key to press, the same
/// activation and report, and what a person would have read in the log in the
/// administrators-only folder, run after run.
#[test]
fn a_quiet_run_shows_nothing_and_logs_what_it_did() {
    let (system, portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    let quiet = |system: &FakeSystem| {
        main(
            system,
            vec!["--quiet".to_owned(), "--lang".to_owned(), "en".to_owned()],
        )
    };
    assert_eq!(quiet(&system), EXIT_SUCCESS);
    assert_eq!(console(&system), "");
    assert_eq!(system.state.borrow().key_waits, 0);
    assert_eq!(portal.borrow().bodies.len(), 1);
    let log = log_of(&system);
    assert!(log.starts_with("=== 20"), "{log}");
    assert!(log.contains("--quiet --lang en ==="), "{log}");
    assert!(
        log.contains("[OK]") && log.contains("reported to the portal"),
        "{log}"
    );
    assert!(log.contains("exit code 0\r\n"), "{log}");
    assert!(
        !log.contains("\r\r") && !log.replace("\r\n", "").contains('\n'),
        "CRLF only"
    );
    assert!(
        system
            .state
            .borrow()
            .secured
            .contains(&r"C:\ProgramData\CampusLicensePortal".to_owned())
    );

    assert_eq!(quiet(&system), EXIT_SUCCESS);
    assert_eq!(log_of(&system).matches("=== 20").count(), 2, "appended");
}

/// Quiet means no one to ask: Windows Pro is not upgraded unless the command line agreed
/// in advance, and a bad command line is logged with its usage and exit code 64.
#[test]
fn a_quiet_run_asks_nothing_and_logs_a_bad_command_line() {
    let pro = fixture!("slmgr/dlv-professional-retail.en.txt");
    let (system, _portal) = windows_edition_pc(22631, "Professional", pro, &CAMPUS_WINDOWS, true);
    system.state.borrow_mut().typed = vec!["Y".to_owned()];
    assert_eq!(
        main(&system, vec!["--quiet".to_owned()]),
        EXIT_ABORTED,
        "{}",
        log_of(&system)
    );
    assert!(!commands(&system).iter().any(|c| c.contains("/ipk")));
    assert_eq!(system.state.borrow().typed, ["Y"], "nothing was read");
    assert!(log_of(&system).contains("exit code 4"));

    let (system, _portal) = windows_edition_pc(22631, "Professional", pro, &CAMPUS_WINDOWS, true);
    let agreed = vec!["--quiet".to_owned(), "--upgrade-edition".to_owned()];
    assert_eq!(main(&system, agreed), EXIT_SUCCESS, "{}", log_of(&system));
    assert!(commands(&system).iter().any(|c| c.contains("/ipk")));

    let (system, _portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    let bad = vec![
        "--quiet".to_owned(),
        "--script-timeout".to_owned(),
        "1".to_owned(),
    ];
    assert_eq!(main(&system, bad), EXIT_USAGE);
    // The command line did not parse, so whether it asked for quiet is not known: the
    // message goes where a person would see it.
    assert!(console(&system).contains("--script-timeout must be"));
}

/// The log keeps the latest runs within its limit, cut at a line.
#[test]
fn the_quiet_log_keeps_only_its_latest_runs() {
    let (system, _portal) = office_pc(
        fixture!("ospp/act-success-seed.txt"),
        fixture!("ospp/dstatus-volume.txt"),
    );
    let old = "an old line\r\n".repeat(crate::quiet::LOG_LIMIT / 10);
    system.add_file(LOG, old);
    assert_eq!(main(&system, vec!["--quiet".to_owned()]), EXIT_SUCCESS);
    let log = log_of(&system);
    assert!(log.len() <= crate::quiet::LOG_LIMIT, "{}", log.len());
    assert!(log.starts_with("an old line\r\n"));
    assert!(log.ends_with("exit code 0\r\n\r\n"));
}

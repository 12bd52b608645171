//! The pages in a real browser: Debian's Chromium, driven by `tests/browser/check-pages.mjs`
//! through playwright-core, against a portal started here.
//!
//! The script does the looking (status, language, headings, overflow, labels, the skip
//! link, each page's content) and saves screenshots to `target/screenshots/` for people
//! to look at; this test starts the portal, runs it, and checks that every screenshot is
//! a real image. A missing `node_modules` fails the test: it is never silently skipped.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use e2e::{Portal, PortalOptions};

/// A host under the reserved `.test` domain: it never resolves, and the portal only
/// prints it, never connects to it.
const KMS_HOST: &str = "kms.e2e.test";
const KMS_PORT: &str = "1700";

/// The screenshots the script must leave, as `{page}-{lang}-{viewport}.png`.
const PAGES: [&str; 3] = ["catalogue", "tutorial", "error"];
const LANGS: [&str; 2] = ["zh-TW", "en"];
const VIEWPORTS: [&str; 2] = ["desktop", "phone"];

/// A full-page screenshot of a rendered page is far larger; a blank one is smaller.
const MIN_SCREENSHOT_BYTES: u64 = 10 * 1024;
const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Thirteen page loads take about ten seconds; this only stops a hung browser.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);

#[test]
fn pages_render_and_pass_browser_checks_in_both_languages() {
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "{} has no node_modules/playwright-core: run scripts/setup \
         (or `npm ci --prefix tests/browser`) before the end-to-end tests",
        browser_dir.display()
    );
    let portal = Portal::start(
        PortalOptions::new()
            .env("PORTAL_KMS__HOST", KMS_HOST)
            .env("PORTAL_KMS__PORT", KMS_PORT),
    );
    let out_dir = e2e::target_dir().join("screenshots");
    fs::create_dir_all(&out_dir).unwrap();
    // Stale screenshots from an earlier run must not pass for new ones. Only this test's
    // own: the staff-flow test writes its screenshots here at the same time.
    for page in PAGES {
        for lang in LANGS {
            for viewport in VIEWPORTS {
                let _ = fs::remove_file(out_dir.join(format!("{page}-{lang}-{viewport}.png")));
            }
        }
    }

    let log_path = out_dir.join("check-pages.log");
    let status = run_check_pages(&browser_dir, &portal.base_url(), &out_dir, &log_path);
    let log = fs::read_to_string(&log_path).unwrap_or_default();
    println!("{log}");
    assert!(
        status.success(),
        "check-pages.mjs failed ({status}):\n{log}"
    );

    for path in expected_screenshots(&out_dir) {
        let bytes = fs::read(&path)
            .unwrap_or_else(|error| panic!("screenshot {} is missing: {error}", path.display()));
        assert!(
            bytes.starts_with(PNG_MAGIC),
            "{} is not a PNG",
            path.display()
        );
        assert!(
            bytes.len() as u64 > MIN_SCREENSHOT_BYTES,
            "{} is only {} bytes: a blank page?",
            path.display(),
            bytes.len()
        );
    }
}

/// Runs the script with its output in `log_path`, killing it after [`SCRIPT_TIMEOUT`].
#[expect(
    clippy::disallowed_methods,
    reason = "the test harness runs node to drive the browser"
)]
fn run_check_pages(
    browser_dir: &Path,
    base_url: &str,
    out_dir: &Path,
    log_path: &Path,
) -> ExitStatus {
    let log = File::create(log_path).expect("cannot create check-pages.log");
    let mut child = Command::new("node")
        .current_dir(browser_dir)
        .arg(browser_dir.join("check-pages.mjs"))
        .arg(base_url)
        .arg(out_dir)
        .arg(KMS_HOST)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("cannot share the log file"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run node (is Node.js installed?): {error}"));
    let deadline = Instant::now() + SCRIPT_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().expect("cannot wait for node") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "check-pages.mjs did not finish within {SCRIPT_TIMEOUT:?}:\n{}",
                fs::read_to_string(log_path).unwrap_or_default()
            );
        }
        thread::sleep(Duration::from_millis(100));
    }
}

fn expected_screenshots(out_dir: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for page in PAGES {
        for lang in LANGS {
            for viewport in VIEWPORTS {
                paths.push(out_dir.join(format!("{page}-{lang}-{viewport}.png")));
            }
        }
    }
    paths
}

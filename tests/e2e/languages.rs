//! The real `activator.exe` under Wine on PCs that speak other languages: `slmgr.vbs`
//! answers in Japanese, German, Korean and Simplified Chinese (each fake saved in its
//! code page and run with that `LC_ALL`), exiting as slmgr does — 0 on success, the
//! HRESULT on failure. The outcome and error code come out the same in every language,
//! and the activator speaks English, or Traditional Chinese to a Chinese PC.

use e2e::fakes::{FakeSlmgr, SLMGR, activator_toml, fake_slmgr, in_code_page, slmgr_fixture};
use e2e::stand_ins::{KmsListener, ReportReceiver};
use e2e::wine::{ACTIVATOR as EXE, WinePrefix};

/// 0xC004F074 as slmgr's exit code.
const UNREACHABLE: i32 = 0xC004_F074_u32.cast_signed();

#[test]
fn every_language_gives_the_same_outcome_and_code() {
    // (language, LC_ALL, the script's code page, what the activator then says)
    let languages = [
        ("ja", "ja_JP.UTF-8", "CP932", "Everything is activated"),
        ("de", "de_DE.UTF-8", "CP1252", "Everything is activated"),
        ("ko", "ko_KR.UTF-8", "CP949", "Everything is activated"),
        ("zh-CN", "zh_CN.UTF-8", "CP936", "全部啟用成功"),
    ];
    let kms = KmsListener::start();
    for (language, lc_all, code_page, all_ok) in languages {
        for failing in [false, true] {
            let portal = ReportReceiver::start();
            let prefix = WinePrefix::with_activator(&activator_toml(
                "windows-11-education",
                &["windows-11-education"],
                &portal.base_url(),
                kms.port(),
            ));
            prefix.set_windows(22631, "Education");
            let ato = if failing {
                slmgr_fixture(&format!("ato-error-0xC004F074.{language}.txt"))
            } else {
                slmgr_fixture(&format!("ato-success.{language}.txt"))
            };
            let fake = fake_slmgr(&FakeSlmgr {
                dlv: &slmgr_fixture("dlv-education-kms.en.txt"),
                ato: &ato,
                ato_status: if failing { UNREACHABLE } else { 0 },
                dlv_after: &slmgr_fixture("dlv-education-licensed.en.txt"),
            });
            prefix.install_file(SLMGR, &in_code_page(&fake, code_page));

            let output = prefix.run(EXE, &["--no-pause"], &[("LC_ALL", lc_all)]);
            let stdout = String::from_utf8_lossy(&output.stdout);
            let name = format!("{language}, failing: {failing}");
            let reports = portal.reports();
            assert_eq!(reports.len(), 1, "{name}:\n{stdout}");
            let product = &reports[0]["products"][0];
            if failing {
                assert_eq!(output.status.code(), Some(3), "{name}:\n{stdout}");
                assert_eq!(product["error_code"], "0xC004F074", "{name}");
                assert!(stdout.contains("/errors/0xC004F074"), "{name}:\n{stdout}");
            } else {
                assert_eq!(output.status.code(), Some(0), "{name}:\n{stdout}");
                assert_eq!(product["outcome"], "activated", "{name}");
                assert!(stdout.contains(all_ok), "{name}:\n{stdout}");
            }
            assert_eq!(
                reports[0]["machine"]["ui_language"]
                    .as_str()
                    .map(|t| &t[..2]),
                Some(&language[..2]),
                "{name}"
            );
        }
    }
}

//! Data-driven tests of the `slmgr.vbs` parsers over the captured fixtures in
//! `tests/fixtures/activator/slmgr/`, in English and Chinese.

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../tests/fixtures/activator/slmgr/", $name))
    };
}

/// An HRESULT as slmgr's exit code (`ExitScript objErr.Number`).
fn hr(code: u32) -> i32 {
    code.cast_signed()
}

/// Each step's output in every display language, with the exit code slmgr gives it: the
/// words differ, the codes and exit codes do not.
#[test]
fn results_are_read_from_exit_codes_and_codes_in_every_language() {
    let unreachable = Err("0xC004F074");
    let cases = [
        ("ato-success.en", fixture!("ato-success.en.txt"), 0, Ok(())),
        (
            "ato-success.zh-TW",
            fixture!("ato-success.zh-TW.txt"),
            0,
            Ok(()),
        ),
        (
            "ato-success.zh-CN",
            fixture!("ato-success.zh-CN.txt"),
            0,
            Ok(()),
        ),
        ("ato-success.ja", fixture!("ato-success.ja.txt"), 0, Ok(())),
        ("ato-success.de", fixture!("ato-success.de.txt"), 0, Ok(())),
        ("ato-success.ko", fixture!("ato-success.ko.txt"), 0, Ok(())),
        ("skms-ok.en", fixture!("skms-ok.en.txt"), 0, Ok(())),
        ("skms-ok.zh-TW", fixture!("skms-ok.zh-TW.txt"), 0, Ok(())),
        ("ipk-ok.en", fixture!("ipk-ok.en.txt"), 0, Ok(())),
        ("ipk-ok.zh-TW", fixture!("ipk-ok.zh-TW.txt"), 0, Ok(())),
        (
            "ato-error-0xC004F074.en",
            fixture!("ato-error-0xC004F074.en.txt"),
            hr(0xC004_F074),
            unreachable,
        ),
        (
            "ato-error-0xC004F074.zh-TW",
            fixture!("ato-error-0xC004F074.zh-TW.txt"),
            hr(0xC004_F074),
            unreachable,
        ),
        (
            "ato-error-0xC004F074.zh-CN",
            fixture!("ato-error-0xC004F074.zh-CN.txt"),
            hr(0xC004_F074),
            unreachable,
        ),
        (
            "ato-error-0xC004F074.ja",
            fixture!("ato-error-0xC004F074.ja.txt"),
            hr(0xC004_F074),
            unreachable,
        ),
        (
            "ato-error-0xC004F074.de",
            fixture!("ato-error-0xC004F074.de.txt"),
            hr(0xC004_F074),
            unreachable,
        ),
        (
            "ato-error-0xC004F074.ko",
            fixture!("ato-error-0xC004F074.ko.txt"),
            hr(0xC004_F074),
            unreachable,
        ),
        (
            "ato-error-0xC004F035.zh-TW",
            fixture!("ato-error-0xC004F035.zh-TW.txt"),
            hr(0xC004_F035),
            Err("0xC004F035"),
        ),
        (
            "ato-error-0x80080005.en",
            fixture!("ato-error-0x80080005.en.txt"),
            hr(0x8008_0005),
            Err("0x80080005"),
        ),
        (
            // `/ato` returned but the licence is not licensed: exit 0, no code; the
            // licence's state (`/dlv`) decides.
            "ato-failed-no-code.zh-TW",
            fixture!("ato-failed-no-code.zh-TW.txt"),
            0,
            Ok(()),
        ),
        (
            "ipk-error-0xC004F050.en",
            fixture!("ipk-error-0xC004F050.en.txt"),
            hr(0xC004_F050),
            Err("0xC004F050"),
        ),
        (
            "ipk-error-0xC004E016.en",
            fixture!("ipk-error-0xC004E016.en.txt"),
            hr(0xC004_E016),
            Err("0xC004E016"),
        ),
        (
            "ipk-error-0xC004F069.zh-CN",
            fixture!("ipk-error-0xC004F069.zh-CN.txt"),
            hr(0xC004_F069),
            Err("0xC004F069"),
        ),
        (
            "ipk-error-0xC0000022.zh-CN",
            fixture!("ipk-error-0xC0000022.zh-CN.txt"),
            hr(0xC000_0022),
            Err("0xC0000022"),
        ),
    ];
    for (name, input, status, expected) in cases {
        assert_eq!(
            parse_result(input, status),
            expected.map_err(str::to_owned),
            "{name}"
        );
    }
}

/// Where the exit code says less than the text, the code is read only from where slmgr
/// prints codes; any other hex number is not a code.
#[test]
fn codes_come_only_from_the_exit_code_and_labelled_lines() {
    let cases = [
        (
            "an exit code without the failure bit: the printed code",
            "Error: 0xc004f074 something",
            1,
            Err("0xC004F074"),
        ),
        (
            "a Win32 error number as the exit code",
            "Error: 5 Access denied: the requested action requires elevated privileges",
            5,
            Err("0x80070005"),
        ),
        (
            "a labelled code with exit 0 is still a failure",
            "錯誤：0xC004F074 無法連線",
            0,
            Err("0xC004F074"),
        ),
        (
            "mid-sentence is not where slmgr prints codes",
            "Error 0x80041010 occurred in connecting to the local WMI provider.",
            1,
            Err(""),
        ),
        (
            "the slui hint alone",
            "run 'slui.exe 0x2a 0xC004F035' to display the error text.",
            0,
            Ok(()),
        ),
        (
            "a crash message from a 32-bit Wine",
            "wine: Unhandled page fault on write access to 0x43a1383c at address 7BC5F0B2 (thread 0024), starting debugger...
EAX:43a1383c EBX:00000000",
            0,
            Ok(()),
        ),
        (
            "a code inside a host name",
            "Key Management Service machine name set to kms-0x12345678.example:1688 successfully.",
            0,
            Ok(()),
        ),
        (
            "nine digits is not a code",
            "Error: 0xC004F0740 oops",
            1,
            Err(""),
        ),
        ("killed, nothing printed", "", 1, Err("")),
        ("empty", "", 0, Ok(())),
    ];
    for (name, input, status, expected) in cases {
        assert_eq!(
            parse_result(input, status),
            expected.map_err(str::to_owned),
            "{name}"
        );
    }
}

#[test]
fn dlv_reads_kms_client_in_english_and_chinese() {
    let expected = WindowsLicence {
        name: "Windows(R), Professional edition".into(),
        description: "Windows(R) Operating System, VOLUME_KMSCLIENT channel".into(),
        activation_id: Some("2de67392-b7a7-462a-b1ca-108dd189f588".into()),
        partial_key: Some("T83GX".into()),
        licensed: Some(true),
        reason: None,
        kms_client: true,
        grace_minutes: Some(259_200),
        kms_host: Some("kms.example.edu.tw:1688".into()),
    };
    for (name, input) in [
        ("en", fixture!("dlv-kms-client.en.txt")),
        ("zh-TW", fixture!("dlv-kms-client.zh-TW.txt")),
    ] {
        assert_eq!(parse_dlv(input), vec![expected.clone()], "{name}");
    }
}

#[test]
fn dlv_reads_retail_and_notification_licences() {
    let retail = parse_dlv(fixture!("dlv-retail.zh-TW.txt"));
    assert_eq!(
        retail,
        vec![WindowsLicence {
            name: "Windows(R), Professional edition".into(),
            description: "Windows(R) Operating System, RETAIL channel".into(),
            activation_id: Some("4de7cb65-cdf1-4de9-8ae8-e3cce27b9f2c".into()),
            partial_key: Some("3V66T".into()),
            licensed: None,
            reason: None,
            kms_client: false,
            grace_minutes: None,
            kms_host: None,
        }]
    );
    let notification = parse_dlv(fixture!("dlv-notification.en.txt"));
    assert_eq!(notification.len(), 1);
    assert_eq!(notification[0].licensed, Some(false));
    assert_eq!(notification[0].reason.as_deref(), Some("0xC004F056"));
    assert_eq!(notification[0].partial_key.as_deref(), Some("T83GX"));
    assert!(notification[0].kms_client);
}

#[test]
fn dlv_without_a_key_is_empty() {
    assert_eq!(parse_dlv(fixture!("dlv-no-key.en.txt")), Vec::new());
    assert_eq!(parse_dlv(""), Vec::new());
}

#[test]
fn dlv_lists_every_licence_of_dlv_all() {
    let text = "Name: Windows(R), Professional edition\n\
                Description: Windows(R) Operating System, RETAIL channel\n\
                Activation ID: 4de7cb65-cdf1-4de9-8ae8-e3cce27b9f2c\n\
                Partial Product Key: 3V66T\n\
                License Status: Licensed\n\n\
                Name: Windows(R), Professional edition\n\
                Description: Windows(R) Operating System, VOLUME_KMSCLIENT channel\n\
                Activation ID: 2de67392-b7a7-462a-b1ca-108dd189f588\n\
                This license is not in use.\n\
                License Status: Unlicensed\n";
    let licences = parse_dlv(text);
    assert_eq!(licences.len(), 2);
    assert_eq!(licences[0].partial_key.as_deref(), Some("3V66T"));
    assert_eq!(
        licences[0].licensed, None,
        "a retail licence's state is only words"
    );
    assert_eq!(licences[1].partial_key, None);
    assert_eq!(licences[1].licensed, None, "no key: nothing to tell by");
    assert_eq!(
        licences[1].activation_id.as_deref(),
        Some("2de67392-b7a7-462a-b1ca-108dd189f588")
    );
}

#[test]
fn dlv_on_a_kms_host_does_not_take_a_counter_for_the_key() {
    // DisplayKMSInformation prints the host's counters after the key; five digits fit a key's shape.
    let text = "Name: Windows(R), ServerStandard edition\n\
                Description: Windows(R) Operating System, VOLUME_KMS_2019 channel\n\
                Activation ID: c4a9e1b5-6a2f-4b9e-9d3a-1f0e2d3c4b5a\n\
                Partial Product Key: 8WPBC\n\
                License Status: Licensed\n\n\
                Key Management Service is enabled on this machine\n\
                \x20   Current count: 50\n\
                \x20   Listening on Port: 1688\n\n\
                Key Management Service cumulative requests received from clients\n\
                \x20   Total requests received: 12345\n\
                \x20   Failed requests received: 20001\n";
    let licences = parse_dlv(text);
    assert_eq!(licences.len(), 1);
    assert_eq!(licences[0].partial_key.as_deref(), Some("8WPBC"));
    assert_eq!(
        licences[0].activation_id.as_deref(),
        Some("c4a9e1b5-6a2f-4b9e-9d3a-1f0e2d3c4b5a")
    );
    assert!(!licences[0].kms_client);
}

#[test]
fn without_activation_id_neither_application_nor_machine_id_is_taken() {
    let text = "Name: Windows(R), Professional edition\n\
                Description: Windows(R) Operating System, VOLUME_KMSCLIENT channel\n\
                Application ID: 55c92734-d682-4d71-983e-d6ec3f16059f\n\
                Partial Product Key: T83GX\n\
                License Status: Licensed\n\n\
                Most recent activation information:\n\
                Key Management Service client information\n\
                \x20   Client Machine ID (CMID): 5a4c8f9e-2f3b-4d7a-9c1e-8b6d2e4f7a90\n";
    let licences = parse_dlv(text);
    assert_eq!(licences.len(), 1);
    assert_eq!(licences[0].activation_id, None);
}

/// A KMS client's state, told without its status words: licensed with its client block
/// (zh-CN real capture, English), not yet without it, in notification with its reason.
#[test]
fn dlv_tells_a_kms_clients_state_without_words() {
    let cases = [
        (fixture!("dlv-kms-client.en.txt"), Some(true), None),
        (fixture!("dlv-kms-client.zh-CN.txt"), Some(true), None),
        (
            fixture!("dlv-enterprises-kms.en.txt"),
            Some(false),
            Some("0xC004F056"),
        ),
        (
            fixture!("dlv-education-kms.en.txt"),
            Some(false),
            Some("0xC004F056"),
        ),
        (
            fixture!("dlv-enterprisen-mak.en.txt"),
            Some(false),
            Some("0xC004F009"),
        ),
        (fixture!("dlv-professional-retail.en.txt"), None, None),
    ];
    for (input, licensed, reason) in cases {
        let licences = parse_dlv(input);
        assert_eq!(licences.len(), 1, "{input}");
        assert_eq!(licences[0].licensed, licensed, "{input}");
        assert_eq!(licences[0].reason.as_deref(), reason, "{input}");
    }
    let grace = "Name: Windows(R), Education edition
                 Description: Windows(R) Operating System, VOLUME_KMSCLIENT channel
                 Partial Product Key: VCFB2
                 ライセンスの状態: 初期猶予期間
                 残り時間: 43200 分 (30 日)
";
    assert_eq!(
        parse_dlv(grace)[0].licensed,
        Some(false),
        "a KMS client in grace"
    );
}

/// The expiration is read from the numbers' relation, not the words: every language
/// prints `%MINUTE%` and `%DAY%` of one `L_MsgLicenseStatusVL`-style message, in its own
/// words and order; a date, a single interval or a counter is never taken for it.
#[test]
fn grace_is_read_in_any_language_from_its_two_numbers() {
    let zh_cn = parse_dlv(fixture!("dlv-kms-client.zh-CN.txt"));
    assert_eq!(zh_cn[0].grace_minutes, Some(259_197), "259197 分钟(180天）");
    assert_eq!(
        zh_cn[0].kms_host.as_deref(),
        Some("kms.example.edu.tw:1688")
    );
    for (value, minutes) in [
        ("259200 minute(s) (180 day(s))", Some(259_200)),
        ("259200 Minute(n) (180 Tag(e))", Some(259_200)),
        ("259200 分 (180 日)", Some(259_200)),
        ("(180일) 259200분", Some(259_200)),
        ("43199 minute(s) (30 day(s))", Some(43_199)),
        (
            "180 days  (259200 minute(s) before expiring)",
            Some(259_200),
        ),
        ("2024/11/5 上午 09:12:33", None),
        ("10080 minutes", None),
        ("1001", None),
        ("259200 minute(s) (90 day(s))", None),
    ] {
        assert_eq!(text::grace_minutes(value), minutes, "{value}");
    }
    for (value, host) in [
        ("kms.example.edu.tw:1688", Some("kms.example.edu.tw:1688")),
        ("[2001:db8::10]:1688", Some("[2001:db8::10]:1688")),
        ("192.0.2.10", None),
        ("03612-03311-000-000001-03-1028-22631.0000-0652024", None),
        ("2024/11/5 上午 09:12:33", None),
    ] {
        assert_eq!(text::kms_host(value).as_deref(), host, "{value}");
    }
}

//! Data-driven tests of the `slmgr.vbs` parsers over the captured fixtures in
//! `tests/fixtures/activator/slmgr/`, in English and Chinese.

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../tests/fixtures/activator/slmgr/", $name))
    };
}

#[test]
fn results_are_read_from_codes_in_every_language() {
    let cases = [
        ("ato-success.en", fixture!("ato-success.en.txt"), Ok(())),
        (
            "ato-success.zh-TW",
            fixture!("ato-success.zh-TW.txt"),
            Ok(()),
        ),
        ("skms-ok.en", fixture!("skms-ok.en.txt"), Ok(())),
        ("skms-ok.zh-TW", fixture!("skms-ok.zh-TW.txt"), Ok(())),
        ("ipk-ok.en", fixture!("ipk-ok.en.txt"), Ok(())),
        ("ipk-ok.zh-TW", fixture!("ipk-ok.zh-TW.txt"), Ok(())),
        (
            "ato-error-0xC004F074.en",
            fixture!("ato-error-0xC004F074.en.txt"),
            Err("0xC004F074"),
        ),
        (
            "ato-error-0xC004F074.zh-TW",
            fixture!("ato-error-0xC004F074.zh-TW.txt"),
            Err("0xC004F074"),
        ),
        (
            "ato-error-0xC004F035.zh-TW",
            fixture!("ato-error-0xC004F035.zh-TW.txt"),
            Err("0xC004F035"),
        ),
        (
            "ato-error-0x80080005.en",
            fixture!("ato-error-0x80080005.en.txt"),
            Err("0x80080005"),
        ),
        (
            "ato-failed-no-code.zh-TW",
            fixture!("ato-failed-no-code.zh-TW.txt"),
            Err(""),
        ),
        (
            "ipk-error-0xC004F050.en",
            fixture!("ipk-error-0xC004F050.en.txt"),
            Err("0xC004F050"),
        ),
        (
            "ipk-error-0xC004E016.en",
            fixture!("ipk-error-0xC004E016.en.txt"),
            Err("0xC004E016"),
        ),
        (
            "ipk-error-0xC0000022.zh-CN",
            fixture!("ipk-error-0xC0000022.zh-CN.txt"),
            Err("0xC0000022"),
        ),
    ];
    for (name, input, expected) in cases {
        assert_eq!(
            parse_result(input),
            expected.map_err(str::to_owned),
            "{name}"
        );
    }
}

#[test]
fn result_codes_are_found_wherever_slmgr_puts_them() {
    let cases = [
        (
            "mid-sentence",
            "Error 0x80041010 occurred in connecting to the local WMI provider.",
            Err("0x80041010"),
        ),
        (
            "lower case",
            "Error: 0xc004f074 something",
            Err("0xC004F074"),
        ),
        (
            "after the slui hint's short 0x2a",
            "run 'slui.exe 0x2a 0xC004F035' to display the error text.",
            Err("0xC004F035"),
        ),
        (
            "win32 number",
            "Error: 5 Access denied: the requested action requires elevated privileges",
            Err("0x80070005"),
        ),
        (
            "win32 number, zh-TW label",
            "錯誤：5 存取被拒: 要求的動作需要較高的權限",
            Err("0x80070005"),
        ),
        (
            "english failure without code",
            "Activating Windows(R), Professional edition (x) ...\nError: Product activation failed.\n",
            Err(""),
        ),
        ("product not found", "Error: product not found.\n", Err("")),
        (
            "code inside a host name is not a code",
            "Key Management Service machine name set to kms-0x12345678.example:1688 successfully.",
            Ok(()),
        ),
        (
            "nine digits is not a code",
            "Error: 0xC004F0740 oops",
            Err(""),
        ),
        ("empty", "", Err("")),
        ("garbage", "\u{FFFD}\u{FFFD}@@", Err("")),
    ];
    for (name, input, expected) in cases {
        assert_eq!(
            parse_result(input),
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
        kms_client: true,
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
            licensed: Some(true),
            kms_client: false,
        }]
    );
    let notification = parse_dlv(fixture!("dlv-notification.en.txt"));
    assert_eq!(notification.len(), 1);
    assert_eq!(notification[0].licensed, Some(false));
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
    assert_eq!(licences[0].licensed, Some(true));
    assert_eq!(licences[1].partial_key, None);
    assert_eq!(licences[1].licensed, Some(false));
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

#[test]
fn licence_status_words() {
    let cases = [
        ("Licensed", Some(true)),
        ("已授權", Some(true)),
        ("Unlicensed", Some(false)),
        ("未授權", Some(false)),
        ("Initial grace period", Some(false)),
        ("Notification", Some(false)),
        ("通知", Some(false)),
        ("Extended grace period", Some(false)),
        ("Unknown", None),
        ("1001", None),
    ];
    for (input, expected) in cases {
        assert_eq!(licence_status(input), expected, "{input}");
    }
}

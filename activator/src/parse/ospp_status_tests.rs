//! Data-driven tests of the `ospp.vbs` parsers for `/dstatus`, licence channels and the
//! one-line commands, over the fixtures in `tests/fixtures/activator/ospp/`.

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../tests/fixtures/activator/ospp/", $name))
    };
}

const VISIO_2019: &str = "Office 19, Office19VisioPro2019VL_KMS_Client_AE edition";
const PROPLUS_2019: &str = "Office 19, Office19ProPlus2019VL_KMS_Client_AE edition";
const VISIO_SKU: &str = "5b5cf08f-b81a-431d-b080-3450d8620565";
const PROPLUS_SKU: &str = "85dd8b5f-eaa4-4af3-a628-cce9e77c9a03";

#[test]
fn dstatus_volume_reads_status_grace_and_informational_code() {
    let licences = parse_dstatus(fixture!("dstatus-volume.txt"));
    let expected = vec![
        Licence {
            sku_id: PROPLUS_SKU.into(),
            license_name: PROPLUS_2019.into(),
            license_description: "Office 19, VOLUME_KMSCLIENT channel".into(),
            license_status: LicenceStatus::Licensed,
            key_last5: Some("6MWKP".into()),
            error_code: None,
            remaining_grace: Some("180 days  (259200 minute(s) before expiring)".into()),
        },
        Licence {
            sku_id: VISIO_SKU.into(),
            license_name: VISIO_2019.into(),
            license_description: "Office 19, VOLUME_KMSCLIENT channel".into(),
            license_status: LicenceStatus::Licensed,
            key_last5: Some("7VCBB".into()),
            error_code: Some("0x4004F040".into()),
            remaining_grace: Some("179 days  (259199 minute(s) before expiring)".into()),
        },
    ];
    assert_eq!(licences, expected);
}

#[test]
fn dstatus_fixtures_give_status_key_and_channel_per_licence() {
    type Row = (
        &'static str,
        LicenceStatus,
        &'static str,
        Option<&'static str>,
        Channel,
    );
    let cases: Vec<(&str, &str, Vec<Row>)> = vec![
        (
            "dstatus-retail-subscription-grace",
            fixture!("dstatus-retail-subscription-grace.txt"),
            vec![
                (
                    "Office 16, Office16O365ProPlusR_Subscription1 edition",
                    LicenceStatus::Licensed,
                    "VMFTK",
                    None,
                    Channel::Subscription,
                ),
                (
                    "Office 19, Office19ProPlus2019R_Grace edition",
                    LicenceStatus::Grace,
                    "8MBCX",
                    Some("0x4004F00C"),
                    Channel::Trial,
                ),
                (
                    "Office 16, Office16VisioProR_Retail edition",
                    LicenceStatus::Notifications,
                    "Y984V",
                    Some("0xC004F009"),
                    Channel::Retail,
                ),
            ],
        ),
        (
            "dstatus-retail-notifications",
            fixture!("dstatus-retail-notifications.txt"),
            vec![
                (
                    "Office 16, Office16VisioProR_Retail edition",
                    LicenceStatus::Notifications,
                    "Y984V",
                    Some("0xC004F009"),
                    Channel::Retail,
                ),
                (
                    "Office 16, Office16VisioProR_Grace edition",
                    LicenceStatus::Notifications,
                    "F6YYT",
                    Some("0xC004F009"),
                    Channel::Trial,
                ),
                (
                    "Office 16, Office16VisioProVL_KMS_Client edition",
                    LicenceStatus::Notifications,
                    "RJRJK",
                    Some("0xC004F00F"),
                    Channel::KmsClient,
                ),
                (
                    "Office 16, Office16O365HomePremR_Grace edition",
                    LicenceStatus::Notifications,
                    "KHGM9",
                    Some("0xC004F009"),
                    Channel::Subscription,
                ),
            ],
        ),
    ];
    for (name, input, expected) in cases {
        let licences = parse_dstatus(input);
        assert_eq!(licences.len(), expected.len(), "{name}: {licences:#?}");
        for (licence, (licence_name, status, last5, code, want_channel)) in
            licences.iter().zip(expected)
        {
            assert_eq!(licence.license_name, licence_name, "{name}");
            assert_eq!(licence.license_status, status, "{name}: {licence_name}");
            assert_eq!(licence.key_last5.as_deref(), Some(last5), "{name}");
            assert_eq!(
                licence.error_code.as_deref(),
                code,
                "{name}: {licence_name}"
            );
            assert_eq!(
                channel(&licence.license_name, &licence.license_description),
                want_channel,
                "{name}: {licence_name}"
            );
        }
    }
}

#[test]
fn licence_status_words_map_to_states() {
    let cases = [
        (" ---LICENSED--- ", LicenceStatus::Licensed),
        ("---Licensed---", LicenceStatus::Licensed),
        ("---OOB_GRACE---", LicenceStatus::Grace),
        (" ---OOT_GRACE--- ", LicenceStatus::Grace),
        (" ---EXTENDED GRACE--- ", LicenceStatus::Grace),
        ("---NOTIFICATIONS---", LicenceStatus::Notifications),
        ("---UNLICENSED---", LicenceStatus::Unlicensed),
        (
            " ---NON_GENUINE_GRACE--- ",
            LicenceStatus::Other("NON_GENUINE_GRACE".into()),
        ),
        ("", LicenceStatus::Other(String::new())),
    ];
    for (input, expected) in cases {
        assert_eq!(status(input), expected, "{input:?}");
    }
}

#[test]
fn channels_follow_name_and_description() {
    let cases = [
        (
            "Office 19, Office19ProPlus2019VL_KMS_Client_AE edition",
            "Office 19, VOLUME_KMSCLIENT channel",
            Channel::KmsClient,
        ),
        (
            "Office 14, OfficeProPlus-KMS_Client edition",
            "Office 14, VOLUME_KMSCLIENT channel",
            Channel::KmsClient,
        ),
        (
            "Office 16, Office16StandardVL_MAK edition",
            "Office 16, RETAIL(MAK) channel",
            Channel::Mak,
        ),
        (
            "Office 15, OfficeProPlusVL_MAK edition",
            "Office 15, VOLUME_MAK channel",
            Channel::Mak,
        ),
        (
            "Office 19, Office19HomeBusinessR_Retail edition",
            "Office 19, RETAIL channel",
            Channel::Retail,
        ),
        (
            "Office 21, Office21ProPlus2021R_Grace edition",
            "Office 21, RETAIL(Grace) channel",
            Channel::Trial,
        ),
        (
            "Office 16, Office16ProPlusR_Trial edition",
            "Office 16, TIMEBASED_TRIAL channel",
            Channel::Trial,
        ),
        (
            "Office 16, Office16O365ProPlusR_Subscription1 edition",
            "Office 16, TIMEBASED_SUB channel",
            Channel::Subscription,
        ),
        (
            "Office 16, Office16O365ProPlusE5R_SubTrial edition",
            "Office 16, TIMEBASED_SUB channel",
            Channel::Subscription,
        ),
        (
            "Office 15, OfficeProPlusSubR_Subscription edition",
            "Office 15, TIMEBASED_SUB channel",
            Channel::Subscription,
        ),
        (
            "Office 16, Office16O365BusinessR_Grace edition",
            "Office 16, RETAIL(Grace) channel",
            Channel::Subscription,
        ),
        (
            "Office 16, Office16ProPlusVL_KMS_Host edition",
            "Office 16, VOLUME_KMS channel",
            Channel::Other,
        ),
        (
            "Office 19, Office19ProPlus2019VL_KMS_Client_AE edition",
            "",
            Channel::KmsClient,
        ),
        ("", "", Channel::Other),
    ];
    for (name, description, expected) in cases {
        assert_eq!(channel(name, description), expected, "{name}");
    }
}

#[test]
fn simple_commands_succeed_or_return_the_code() {
    let cases = [
        ("sethst-ok", fixture!("sethst-ok.txt"), Ok(())),
        ("setprt-ok", fixture!("setprt-ok.txt"), Ok(())),
        ("inpkey-ok", fixture!("inpkey-ok.txt"), Ok(())),
        (
            "inpkey-error",
            fixture!("inpkey-error.txt"),
            Err("0xC004F069".to_owned()),
        ),
        (
            "sethst-no-kms-licence",
            fixture!("sethst-no-kms-licence.txt"),
            Err(String::new()),
        ),
        (
            "act output is not a setting",
            fixture!("act-success-seed.txt"),
            Err(String::new()),
        ),
        (
            "unknown error, code in parentheses only",
            "---Processing--------------------------\n---------------------------------------\n\
             ERROR DESCRIPTION: An unknown error occurred. (0x1A8)\n---------------------------------------\n",
            Err(String::new()),
        ),
        (
            "error beside a success line",
            "ERROR CODE: 0xC004F017\nERROR DESCRIPTION: x\nSuccessfully applied setting.\n",
            Err("0xC004F017".to_owned()),
        ),
        (
            "success line beside an error description",
            "ERROR DESCRIPTION: An unknown error occurred.\nSuccessfully applied setting.\n",
            Err(String::new()),
        ),
        (
            "unpadded hex, as VBScript's Hex() prints it",
            "ERROR CODE: 0x1A8\n",
            Err("0x000001A8".to_owned()),
        ),
        (
            "negative decimal Err.Number",
            "ERROR CODE: -2147024891\n",
            Err("0x80070005".to_owned()),
        ),
        (
            "positive decimal is no code",
            "ERROR CODE: 424\n",
            Err(String::new()),
        ),
        ("empty", "", Err(String::new())),
    ];
    for (name, input, expected) in cases {
        assert_eq!(parse_simple(input), expected, "{name}");
    }
}

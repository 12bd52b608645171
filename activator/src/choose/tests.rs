use protocol::products::find;

use super::*;

macro_rules! fixture {
    ($path:literal) => {
        include_str!(concat!("../../../tests/fixtures/activator/ospp/", $path))
    };
}

fn covers(ids: &[&str]) -> Vec<Product> {
    ids.iter()
        .map(|id| find(id).unwrap_or_else(|| panic!("{id}")).clone())
        .collect()
}

fn pc(build: u32, edition: &str) -> WindowsPc<'_> {
    WindowsPc {
        major: 10,
        minor: 0,
        build,
        edition,
    }
}

/// A Windows 10/11 PC of each edition, against a download covering Windows 10 and 11
/// Education and Enterprise (with upgrades, or not), and one covering LTSC.
#[test]
fn windows_editions_get_their_key_or_a_refusal() {
    let campus = covers(&[
        "windows-11-education",
        "windows-11-enterprise",
        "windows-10-education",
        "windows-10-enterprise",
    ]);
    let chosen = |build, edition, upgrade| match windows(&campus, pc(build, edition), upgrade) {
        WindowsChoice::Covered(p) => format!("covered {}", p.key),
        WindowsChoice::Upgrade(p) => format!("upgrade {}", p.key),
        WindowsChoice::UpgradeNotCovered(p) => format!("no upgrade {}", p.id),
        other => format!("{other:?}"),
    };
    let cases = [
        (
            22631,
            "Education",
            false,
            "covered NW6C2-QMPVW-D7KKK-3GKT6-VCFB2",
        ),
        (
            19045,
            "Enterprise",
            false,
            "covered NPPR9-FWDCX-D2C8J-H872K-2YT43",
        ),
        (22631, "EnterpriseN", false, "EditionNotCovered"),
        (19044, "EnterpriseS", false, "EditionNotCovered"),
        (22631, "EnterpriseEval", true, "Evaluation"),
        (
            19045,
            "Professional",
            true,
            "upgrade NW6C2-QMPVW-D7KKK-3GKT6-VCFB2",
        ),
        (
            22631,
            "Professional",
            false,
            "no upgrade windows-11-education",
        ),
        (22631, "ProfessionalN", true, "EditionNotCovered"),
        (22631, "Core", true, "EditionNotCovered"),
    ];
    for (build, edition, upgrade, expected) in cases {
        assert_eq!(
            chosen(build, edition, upgrade),
            expected,
            "{build} {edition}"
        );
    }
    let ltsc = covers(&[
        "windows-10-enterprise-ltsc-2021",
        "windows-10-enterprise-n-ltsc-2021",
    ]);
    assert_eq!(
        windows(&ltsc, pc(19044, "EnterpriseSN"), false),
        WindowsChoice::Covered(&ltsc[1])
    );
    assert_eq!(
        windows(&ltsc, pc(22631, "EnterpriseS"), false),
        WindowsChoice::OtherRelease,
        "no LTSC 2021 on Windows 11"
    );
    assert_eq!(
        windows(&ltsc, pc(19044, "Professional"), true),
        WindowsChoice::EditionNotCovered,
        "Pro cannot become LTSC by a key"
    );
    let seven = WindowsPc {
        major: 6,
        minor: 1,
        build: 7601,
        edition: "Enterprise",
    };
    assert_eq!(windows(&campus, seven, true), WindowsChoice::OtherRelease);
}

fn keys<'a>(choice: &'a OfficeChoice<'a>) -> Vec<(&'a str, bool)> {
    choice
        .found
        .iter()
        .map(|f| (f.product.id.as_str(), f.install_key))
        .collect()
}

#[test]
fn office_ltsc_2024_with_project_and_visio_needs_no_key() {
    let campus = covers(&[
        "office-2024-proplus",
        "office-2024-project-pro",
        "office-2024-project-std",
        "office-2024-visio-pro",
        "office-2024-visio-std",
    ]);
    let licences = ospp::parse_dstatus(fixture!("dstatus-2024-proplus-project-visio.txt"));
    let choice = office(
        &campus,
        &licences,
        "ProPlus2024Volume,ProjectPro2024Volume,VisioPro2024Volume",
    );
    assert_eq!(
        keys(&choice),
        [
            ("office-2024-proplus", false),
            ("office-2024-project-pro", false),
            ("office-2024-visio-pro", false)
        ]
    );
    assert!(
        choice.blocking.is_empty() && choice.separate.is_empty(),
        "{choice:?}"
    );
}

#[test]
fn project_standard_alone_gets_no_professional_key() {
    let campus = covers(&["office-2019-project-pro", "office-2019-project-std"]);
    let licences = ospp::parse_dstatus(fixture!("dstatus-2019-project-std.txt"));
    let choice = office(&campus, &licences, "ProjectStd2019Volume");
    assert_eq!(keys(&choice), [("office-2019-project-std", false)]);
}

#[test]
fn a_licensed_retail_visio_is_named_and_left_alone() {
    let campus = covers(&["office-2021-proplus", "office-2021-visio-pro"]);
    let licences = ospp::parse_dstatus(fixture!("dstatus-retail-visio-volume-proplus-2021.txt"));
    let choice = office(&campus, &licences, "ProPlus2021Volume,VisioProRetail");
    assert_eq!(keys(&choice), [("office-2021-proplus", false)]);
    assert!(choice.blocking.is_empty(), "{choice:?}");
    assert_eq!(
        choice.separate,
        ["Office 16, Office16VisioProR_Retail edition"]
    );
}

#[test]
fn a_mak_is_replaced_by_the_kms_client_key_of_the_same_product() {
    let campus = covers(&["office-2016-proplus", "office-2016-standard"]);
    let licences = ospp::parse_dstatus(fixture!("dstatus-2016-standard-mak.txt"));
    let choice = office(&campus, &licences, "");
    assert_eq!(
        keys(&choice),
        [("office-2016-standard", true)],
        "never ProPlus's key"
    );
}

#[test]
fn a_product_known_only_from_click_to_run_gets_its_key() {
    let campus = covers(&["office-2021-proplus", "office-2021-visio-std"]);
    let choice = office(&campus, &[], "VisioStd2021Volume");
    assert_eq!(keys(&choice), [("office-2021-visio-std", true)]);
}

#[test]
fn grace_subscription_and_retail_licences_of_a_covered_product_block_it() {
    // The seed's Office 2019 with a leftover ProPlus 2019 grace licence, a Microsoft 365
    // subscription and a retail Visio in notifications.
    let campus = covers(&["office-2019-proplus"]);
    let mut licences = ospp::parse_dstatus(fixture!("dstatus-volume.txt"));
    licences.extend(ospp::parse_dstatus(fixture!(
        "dstatus-retail-subscription-grace.txt"
    )));
    let choice = office(&campus, &licences, "");
    assert_eq!(keys(&choice), [("office-2019-proplus", false)]);
    assert_eq!(
        choice.blocking,
        [
            "Office 19, Office19ProPlus2019R_Grace edition",
            "Office 16, Office16O365ProPlusR_Subscription1 edition"
        ]
    );
    assert_eq!(
        choice.separate,
        ["Office 16, Office16VisioProR_Retail edition (NOTIFICATIONS)"]
    );
}

#[test]
fn microsoft_365_apps_known_only_from_click_to_run_block_the_suite() {
    let campus = covers(&["office-2021-proplus", "office-2021-visio-pro"]);
    let licences = ospp::parse_dstatus(fixture!("dstatus-2021-proplus.txt"));
    let choice = office(&campus, &licences, "O365ProPlusRetail,ProPlus2021Volume");
    assert_eq!(choice.blocking, ["Click-to-Run O365ProPlusRetail"]);
    // Beside a volume Visio only, the suite's subscription is another product.
    let visio = covers(&["office-2021-visio-pro"]);
    let choice = office(&visio, &[], "O365ProPlusRetail,VisioPro2021Volume");
    assert!(choice.blocking.is_empty());
    assert_eq!(choice.separate, ["Click-to-Run O365ProPlusRetail"]);
}

#[test]
fn nothing_covered_installed_finds_nothing() {
    let campus = covers(&["office-2024-proplus"]);
    let licences = ospp::parse_dstatus(fixture!("dstatus-volume.txt"));
    let choice = office(&campus, &licences, "ProPlus2019Volume");
    assert!(choice.found.is_empty(), "{choice:?}");
    assert!(choice.blocking.is_empty());
}

#[test]
fn visio_2010_shows_premium_for_every_edition() {
    let licences = ospp::parse_dstatus(
        "---Processing--------------------------\nSKU ID: 92236105-bb67-494f-94c7-7f7a607929bd\nLICENSE NAME: Office 14, OfficeVisioPrem-KMS_Client edition\nLICENSE DESCRIPTION: Office 14, VOLUME_KMSCLIENT channel\nLICENSE STATUS:  ---OOB_GRACE---\nLast 5 characters of installed product key: WX8BJ\n---------------------------------------\n",
    );
    let standard = covers(&["office-2010-visio-std"]);
    assert_eq!(
        keys(&office(&standard, &licences, "")),
        [("office-2010-visio-std", true)]
    );
    let premium_and_standard = covers(&["office-2010-visio-premium", "office-2010-visio-std"]);
    assert_eq!(
        keys(&office(&premium_and_standard, &licences, "")),
        [("office-2010-visio-premium", false)],
        "the Premium licence is Premium's own when Premium is covered"
    );
}

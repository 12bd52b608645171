//! Data-driven tests of `ospp.vbs /act` parsing over the captured fixtures in
//! `tests/fixtures/activator/ospp/` (their sources are listed in `SOURCES.md` there).

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../tests/fixtures/activator/ospp/", $name))
    };
}

/// What one product of `/act` should parse to: (sku id, licence name, last five, result code
/// or `None` for activated, channel).
type ExpectedProduct = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Channel,
);

const VISIO_2019: &str = "Office 19, Office19VisioPro2019VL_KMS_Client_AE edition";
const PROPLUS_2019: &str = "Office 19, Office19ProPlus2019VL_KMS_Client_AE edition";
const VISIO_SKU: &str = "5b5cf08f-b81a-431d-b080-3450d8620565";
const PROPLUS_SKU: &str = "85dd8b5f-eaa4-4af3-a628-cce9e77c9a03";

fn both_2019(code: Option<&'static str>) -> Vec<ExpectedProduct> {
    vec![
        (VISIO_SKU, VISIO_2019, "7VCBB", code, Channel::KmsClient),
        (PROPLUS_SKU, PROPLUS_2019, "6MWKP", code, Channel::KmsClient),
    ]
}

#[test]
fn act_fixtures_parse_per_product() {
    let cases: Vec<(&str, &str, Vec<ExpectedProduct>)> = vec![
        (
            "act-success-seed",
            fixture!("act-success-seed.txt"),
            both_2019(None),
        ),
        (
            "act-error-0xC004F038",
            fixture!("act-error-0xC004F038.txt"),
            both_2019(Some("0xC004F038")),
        ),
        (
            "act-error-0xC004F039",
            fixture!("act-error-0xC004F039.txt"),
            both_2019(Some("0xC004F039")),
        ),
        (
            "act-error-0xC004F042",
            fixture!("act-error-0xC004F042.txt"),
            both_2019(Some("0xC004F042")),
        ),
        (
            "act-error-0xC004F06C",
            fixture!("act-error-0xC004F06C.txt"),
            both_2019(Some("0xC004F06C")),
        ),
        (
            "act-success-2024",
            fixture!("act-success-2024.txt"),
            vec![
                (
                    "8d368fc1-9470-4be2-8d66-90e836cbb051",
                    "Office 24, Office24ProPlus2024VL_KMS_Client_AE edition",
                    "GCVGB",
                    None,
                    Channel::KmsClient,
                ),
                (
                    "923fa470-aa71-4b8b-b35c-36b79bf9f44b",
                    "Office 24, Office24VisioStd2024VL_KMS_Client_AE edition",
                    "WQQTV",
                    None,
                    Channel::KmsClient,
                ),
            ],
        ),
        (
            "act-error-0xC004F074",
            fixture!("act-error-0xC004F074.txt"),
            vec![
                (
                    PROPLUS_SKU,
                    PROPLUS_2019,
                    "6MWKP",
                    Some("0xC004F074"),
                    Channel::KmsClient,
                ),
                (
                    "8d368fc1-9470-4be2-8d66-90e836cbb051",
                    "Office 24, Office24ProPlus2024VL_KMS_Client_AE edition",
                    "GCVGB",
                    Some("0xC004F074"),
                    Channel::KmsClient,
                ),
            ],
        ),
        (
            "act-error-0x8007232B",
            fixture!("act-error-0x8007232B.txt"),
            vec![(
                PROPLUS_SKU,
                PROPLUS_2019,
                "6MWKP",
                Some("0x8007232B"),
                Channel::KmsClient,
            )],
        ),
        (
            "act-error-0xC004C003",
            fixture!("act-error-0xC004C003.txt"),
            vec![
                (
                    "259de5be-492b-44b3-9d78-9645f848f7b0",
                    "Office 15, OfficeAccessRuntimeR_Bypass edition",
                    "F888P",
                    Some("0xC004C003"),
                    Channel::Retail,
                ),
                (
                    "b13afb38-cd79-4ae5-9f7f-eed058d750ca",
                    "Office 15, OfficeStandardVL_KMS_Client edition",
                    "92CD4",
                    None,
                    Channel::KmsClient,
                ),
            ],
        ),
        (
            "act-partial",
            fixture!("act-partial.txt"),
            vec![
                (
                    "cd18ecc0-466a-45d4-8d2e-8c4fa48ae591",
                    "Office 21, Office21ProPlus2021R_Grace edition",
                    "PG343",
                    Some("0xC004F017"),
                    Channel::Trial,
                ),
                (
                    "fbdb3e18-a8ef-4fb3-9183-dffd60bd0984",
                    "Office 21, Office21ProPlus2021VL_KMS_Client_AE edition",
                    "6F7TH",
                    None,
                    Channel::KmsClient,
                ),
            ],
        ),
    ];
    for (name, input, expected) in cases {
        let act = parse_act(input);
        assert!(!act.no_key_installed, "{name}");
        assert_eq!(act.script_error, None, "{name}");
        assert_eq!(act.products.len(), expected.len(), "{name}: {act:#?}");
        for (product, (sku, licence, last5, code, want_channel)) in
            act.products.iter().zip(expected)
        {
            assert_eq!(product.sku_id, sku, "{name}");
            assert_eq!(product.license_name, licence, "{name}");
            assert_eq!(product.key_last5.as_deref(), Some(last5), "{name}");
            assert_eq!(
                channel(&product.license_name, &product.license_description),
                want_channel,
                "{name}: {licence}"
            );
            match (&product.result, code) {
                (ActResult::Activated, None) => {}
                (ActResult::Failed { code, description }, Some(want)) => {
                    assert_eq!(code, want, "{name}");
                    assert!(!description.is_empty(), "{name}: description is read");
                }
                (got, want) => panic!("{name}: {licence}: got {got:?}, want code {want:?}"),
            }
        }
    }
}

#[test]
fn act_keeps_the_error_description_and_only_the_description() {
    let act = parse_act(fixture!("act-error-0xC004F074.txt"));
    let Some(ActResult::Failed { description, .. }) = act.products.first().map(|p| &p.result)
    else {
        panic!("first product failed: {act:?}");
    };
    assert!(description.starts_with(
        "The Software Licensing Service reported that the product could not be activated."
    ));
    assert!(description.ends_with("for additional information."));
    let act = parse_act(fixture!("act-error-0x8007232B.txt"));
    let Some(ActResult::Failed { description, .. }) = act.products.first().map(|p| &p.result)
    else {
        panic!("product failed: {act:?}");
    };
    assert_eq!(
        description,
        "Run the following: cscript ospp.vbs /ddescr:0x8007232B"
    );
}

#[test]
fn act_with_no_key_has_no_products() {
    let act = parse_act(fixture!("act-no-key.txt"));
    assert!(act.no_key_installed);
    assert!(act.products.is_empty());
    assert_eq!(act.script_error, None);
}

#[test]
fn act_error_outside_a_product_is_a_script_error() {
    let text = "---Processing--------------------------\n---------------------------------------\n\
                ERROR CODE: 0x80070422\nERROR DESCRIPTION: The service cannot be started.\n\
                <No installed product keys detected>\n---------------------------------------\n\
                ---Exiting-----------------------------\n";
    let act = parse_act(text);
    assert_eq!(act.script_error.as_deref(), Some("0x80070422"));
    assert!(act.no_key_installed);
    assert!(act.products.is_empty());
}

#[test]
fn act_cut_short_fails_with_an_unknown_code() {
    let text = fixture!("act-error-0xC004F074.txt");
    let cut = &text[..text.find("ERROR CODE").unwrap_or(text.len())];
    let act = parse_act(cut);
    assert_eq!(act.products.len(), 1);
    assert_eq!(
        act.products[0].result,
        ActResult::Failed {
            code: String::new(),
            description: String::new()
        }
    );
}

#[test]
fn act_without_separators_still_splits_products_at_each_sku() {
    // Pasted captures often lose the dash lines; a second SKU ID starts a second product.
    let text: String = fixture!("act-error-0xC004F074.txt")
        .lines()
        .filter(|line| !line.starts_with("---"))
        .map(|line| format!("{line}\n"))
        .collect();
    let act = parse_act(&text);
    let last5: Vec<_> = act
        .products
        .iter()
        .map(|p| p.key_last5.as_deref())
        .collect();
    assert_eq!(last5, [Some("6MWKP"), Some("GCVGB")]);
    let skus: Vec<_> = act.products.iter().map(|p| p.sku_id.as_str()).collect();
    assert_eq!(skus, [PROPLUS_SKU, "8d368fc1-9470-4be2-8d66-90e836cbb051"]);
    assert!(
        act.products
            .iter()
            .all(|p| matches!(&p.result, ActResult::Failed { code, .. } if code == "0xC004F074"))
    );
}

#[test]
fn act_description_without_code_is_a_failure_with_unknown_code() {
    let text = "SKU ID: 85dd8b5f-eaa4-4af3-a628-cce9e77c9a03\n\
                LICENSE NAME: Office 19, Office19ProPlus2019VL_KMS_Client_AE edition\n\
                ERROR DESCRIPTION: An unknown error occurred.\n\
                ---------------------------------------\n";
    let act = parse_act(text);
    assert_eq!(
        act.products.first().map(|p| &p.result),
        Some(&ActResult::Failed {
            code: String::new(),
            description: "An unknown error occurred.".into()
        })
    );
}

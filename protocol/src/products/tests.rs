use super::*;

fn windows_entries() -> impl Iterator<Item = (&'static Product, &'static WindowsMatch)> {
    TABLE
        .iter()
        .filter_map(|p| p.windows.as_ref().map(|w| (p, w)))
}

fn office_entries() -> impl Iterator<Item = (&'static Product, &'static OfficeMatch)> {
    TABLE
        .iter()
        .filter_map(|p| p.office.as_ref().map(|o| (p, o)))
}

#[test]
fn the_table_parses_and_every_entry_is_valid() {
    assert!(TABLE.len() > 100, "{} products", TABLE.len());
    for product in TABLE.iter() {
        assert_eq!(product.validate(), Ok(()), "{}", product.id);
        assert!(is_product_key(&product.key), "{}", product.key);
    }
}

#[test]
fn no_windows_pc_maps_to_two_entries() {
    let entries: Vec<_> = windows_entries().collect();
    for (i, (a, wa)) in entries.iter().enumerate() {
        for (b, wb) in &entries[i + 1..] {
            let same_version = wa.version == wb.version;
            let a_end = wa.until_build.unwrap_or(u32::MAX);
            let b_end = wb.until_build.unwrap_or(u32::MAX);
            let builds_overlap = wa.from_build < b_end && wb.from_build < a_end;
            let shared = wa
                .editions
                .iter()
                .any(|e| wb.editions.iter().any(|f| f.eq_ignore_ascii_case(e)));
            assert!(
                !(same_version && builds_overlap && shared),
                "{} and {} both match one PC",
                a.id,
                b.id
            );
        }
    }
}

#[test]
fn no_office_licence_maps_to_two_entries() {
    let entries: Vec<_> = office_entries().collect();
    for (i, (a, oa)) in entries.iter().enumerate() {
        for (b, ob) in &entries[i + 1..] {
            assert_ne!(oa.licence, ob.licence, "{} and {}", a.id, b.id);
            // One `ospp.vbs` folder lists one set of licences: within it, a licence of
            // any channel must name one product.
            assert!(
                oa.folder != ob.folder || office_stem(&oa.licence) != office_stem(&ob.licence),
                "{} and {} share the product {}",
                a.id,
                b.id,
                office_stem(&oa.licence)
            );
            if let (Some(x), Some(y)) = (&oa.c2r, &ob.c2r) {
                assert_ne!(x, y, "{} and {}", a.id, b.id);
            }
        }
    }
}

#[test]
fn every_kms_client_licence_is_named_as_ospp_prints_it() {
    for (product, office) in office_entries() {
        assert!(
            office.licence.contains("KMS_Client"),
            "{}: {}",
            product.id,
            office.licence
        );
        let printed = format!("Office 16, {} edition", office.licence);
        assert!(
            office.is_same_product(licence_family(&printed)),
            "{}",
            product.id
        );
    }
}

#[test]
fn upgrades_lead_to_another_edition_of_the_same_release() {
    for (product, windows) in windows_entries() {
        for from in &windows.upgrade_from {
            assert!(
                !windows.editions.contains(from),
                "{} upgrades to itself",
                product.id
            );
            assert!(
                windows_entries().any(|(_, w)| w.version == windows.version
                    && w.from_build <= windows.from_build
                    && w.editions.contains(from)),
                "{}: nothing is {from} on that release",
                product.id
            );
        }
    }
}

#[test]
fn counts_follow_the_kind_of_product() {
    for (product, windows) in windows_entries() {
        let server = windows.editions.iter().all(|e| e.starts_with("Server"));
        let expected = if server {
            KmsGroup::WindowsServer
        } else {
            KmsGroup::WindowsClient
        };
        assert_eq!(product.kms, expected, "{}", product.id);
    }
    assert_eq!(KmsGroup::WindowsClient.threshold(), 25);
    assert_eq!(KmsGroup::WindowsServer.threshold(), 5);
    assert_eq!(KmsGroup::Office.threshold(), 5);
}

/// Spot checks against Microsoft's published tables (sources in `products.toml`).
#[test]
fn keys_match_the_published_tables() {
    let cases = [
        ("windows-11-education", "NW6C2-QMPVW-D7KKK-3GKT6-VCFB2"),
        ("windows-10-education-n", "2WH4N-8QGBV-H22JP-CT43Q-MDWWJ"),
        ("windows-11-enterprise", "NPPR9-FWDCX-D2C8J-H872K-2YT43"),
        ("windows-10-enterprise-n", "DPH2V-TTNVB-4X9Q3-TJR4H-KHJW4"),
        (
            "windows-11-enterprise-ltsc-2024",
            "M7XTQ-FN8P6-TTKYV-9D4CC-J462D",
        ),
        (
            "windows-10-enterprise-ltsb-2016",
            "DCPHK-NFMTC-H88MJ-PFHPY-QJ4BJ",
        ),
        (
            "windows-10-enterprise-n-ltsb-2015",
            "2F77B-TNFGY-69QQF-B8YKP-D69TJ",
        ),
        (
            "windows-10-iot-enterprise-ltsc-2021",
            "KBN8V-HFGQ4-MGXVD-347P6-PDQGT",
        ),
        ("windows-8-1-enterprise", "MHF9N-XY6XB-WVXMC-BTDCT-MKKG7"),
        ("windows-7-enterprise", "33PXH-7Y6KF-2VJC9-XBBR8-HVTHH"),
        (
            "windows-server-2022-datacenter",
            "WX4NM-KYWYW-QJJR4-XV3QB-6VM33",
        ),
        (
            "windows-server-2008-r2-standard",
            "YC6KT-GKW9T-YTKYR-T4X34-R7VHC",
        ),
        ("office-2021-proplus", "FXYTK-NJJ8C-GB6DW-3DYQT-6F7TH"),
        ("office-2019-proplus", "NMMKJ-6RK4F-KMJVX-8D9MJ-6MWKP"),
        ("office-2019-visio-pro", "9BGNQ-K37YR-RQHF2-38RQ3-7VCBB"),
        ("office-2016-project-std", "GNFHQ-F6YQM-KQDGJ-327XX-KQBVC"),
        ("office-2016-proplus", "XQNVK-8JYDB-WJ9W3-YJ8YR-WFG99"),
    ];
    for (id, key) in cases {
        assert_eq!(find(id).map(|p| p.key.as_str()), Some(key), "{id}");
    }
}

/// The products the portal promises to cover (the README lists them).
#[test]
fn every_promised_product_is_in_the_table() {
    let mut names = Vec::new();
    for release in ["7", "8", "8.1", "10", "11"] {
        let pro = if release == "7" {
            "Professional"
        } else {
            "Pro"
        };
        for edition in [pro, "Enterprise", "Enterprise N"] {
            names.push(format!("Windows {release} {edition}"));
        }
        names.push(format!("Windows {release} {pro} N"));
    }
    for release in ["10", "11"] {
        for edition in ["Education", "Education N", "Enterprise G", "Enterprise G N"] {
            names.push(format!("Windows {release} {edition}"));
        }
    }
    for ltsc in [
        "10 Enterprise LTSB 2015",
        "10 Enterprise LTSB 2016",
        "10 Enterprise LTSC 2019",
        "10 Enterprise LTSC 2021",
        "11 Enterprise LTSC 2024",
        "10 Enterprise N LTSC 2021",
        "11 Enterprise N LTSC 2024",
        "10 IoT Enterprise LTSC 2021",
        "11 IoT Enterprise LTSC 2024",
    ] {
        names.push(format!("Windows {ltsc}"));
    }
    for server in ["2008 R2", "2012", "2012 R2", "2016", "2019", "2022", "2025"] {
        for edition in ["Standard", "Datacenter"] {
            names.push(format!("Windows Server {server} {edition}"));
        }
    }
    for product in [
        "Office Professional Plus 2010",
        "Office Standard 2010",
        "Project Professional 2010",
        "Project Standard 2010",
        "Visio Professional 2010",
        "Visio Standard 2010",
        "Office Professional Plus 2013",
        "Office Standard 2013",
        "Project Professional 2013",
        "Project Standard 2013",
        "Visio Professional 2013",
        "Visio Standard 2013",
        "Office Professional Plus 2016",
        "Office Standard 2016",
        "Project Professional 2016",
        "Project Standard 2016",
        "Visio Professional 2016",
        "Visio Standard 2016",
        "Office Professional Plus 2019",
        "Office Standard 2019",
        "Project Professional 2019",
        "Project Standard 2019",
        "Visio Professional 2019",
        "Visio Standard 2019",
        "Office LTSC Professional Plus 2021",
        "Office LTSC Standard 2021",
        "Project Professional 2021",
        "Project Standard 2021",
        "Visio LTSC Professional 2021",
        "Visio LTSC Standard 2021",
        "Office LTSC Professional Plus 2024",
        "Office LTSC Standard 2024",
        "Project Professional 2024",
        "Project Standard 2024",
        "Visio LTSC Professional 2024",
        "Visio LTSC Standard 2024",
    ] {
        names.push(product.to_owned());
    }
    for name in names {
        assert!(TABLE.iter().any(|p| p.name == name), "{name} is missing");
    }
}

#[test]
fn windows_editions_are_told_apart_by_build_and_edition() {
    let pc = |build, edition| WindowsPc {
        major: 10,
        minor: 0,
        build,
        edition,
    };
    let matching = |pc: WindowsPc<'_>| -> Vec<&str> {
        windows_entries()
            .filter(|(_, w)| w.matches(pc))
            .map(|(p, _)| p.id.as_str())
            .collect()
    };
    assert_eq!(matching(pc(19045, "Education")), ["windows-10-education"]);
    assert_eq!(matching(pc(22631, "education")), ["windows-11-education"]);
    assert_eq!(
        matching(pc(26100, "EnterpriseN")),
        ["windows-11-enterprise-n"]
    );
    assert_eq!(
        matching(pc(19044, "EnterpriseS")),
        ["windows-10-enterprise-ltsc-2021"]
    );
    assert_eq!(
        matching(pc(26100, "EnterpriseS")),
        ["windows-11-enterprise-ltsc-2024"]
    );
    assert_eq!(
        matching(pc(17763, "ServerDatacenter")),
        ["windows-server-2019-datacenter"]
    );
    assert!(matching(pc(19045, "EnterpriseEval")).is_empty());
    assert!(matching(pc(19045, "Core")).is_empty());
    let education = find("windows-11-education")
        .unwrap()
        .windows
        .as_ref()
        .unwrap();
    assert!(education.upgrades(pc(22631, "Professional")));
    assert!(!education.upgrades(pc(19045, "Professional")), "Windows 10");
    assert!(
        !education.upgrades(pc(22631, "ProfessionalN")),
        "N to N only"
    );
}

#[test]
fn licence_families_and_their_products() {
    let cases = [
        (
            "Office 16, Office16ProPlusVL_KMS_Client edition",
            "Office16ProPlusVL_KMS_Client",
            "Office16ProPlus",
        ),
        (
            "Office 21, Office21ProPlus2021VL_KMS_Client_AE edition",
            "Office21ProPlus2021VL_KMS_Client_AE",
            "Office21ProPlus2021",
        ),
        (
            "Office 19, Office19ProPlus2019R_Grace edition",
            "Office19ProPlus2019R_Grace",
            "Office19ProPlus2019",
        ),
        (
            "Office 16, Office16VisioProR_Retail edition",
            "Office16VisioProR_Retail",
            "Office16VisioPro",
        ),
        (
            "Office 16, Office16O365ProPlusR_Subscription1 edition",
            "Office16O365ProPlusR_Subscription1",
            "Office16O365ProPlus",
        ),
        (
            "Office 14, OfficeProPlus-KMS_Client edition",
            "OfficeProPlus-KMS_Client",
            "OfficeProPlus",
        ),
        ("garbled", "garbled", "garbled"),
    ];
    for (name, family, stem) in cases {
        assert_eq!(licence_family(name), family, "{name}");
        assert_eq!(office_stem(licence_family(name)), stem, "{name}");
    }
}

#[test]
fn sets_one_run_cannot_activate_are_refused() {
    let get = |ids: &[&str]| -> Vec<&'static Product> {
        ids.iter().map(|id| find(id).unwrap()).collect()
    };
    let check = |ids: &[&str]| check_set(get(ids).into_iter());
    assert_eq!(
        check(&["office-2024-proplus", "office-2024-project-pro"]),
        Ok(())
    );
    assert_eq!(check(&[]), Err(SetProblem::Empty));
    assert_eq!(
        check(&["office-2019-proplus", "office-2019-proplus"]),
        Err(SetProblem::Twice("office-2019-proplus".to_owned()))
    );
    assert_eq!(
        check(&["windows-11-education", "office-2019-proplus"]),
        Err(SetProblem::WindowsAndOffice)
    );
    assert_eq!(
        check(&["office-2013-proplus", "office-2016-proplus"]),
        Err(SetProblem::OfficeFolders)
    );
}

/// The README's list of what the activator covers names every release of the table.
#[test]
fn the_readme_names_every_release() {
    let readme = include_str!("../../../README.md");
    let covers = readme
        .split("### What it covers")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("README.md has a section `### What it covers`");
    for product in TABLE.iter() {
        assert!(
            covers.contains(&product.release),
            "README.md does not name {}",
            product.release
        );
    }
}

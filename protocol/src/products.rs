//! The catalogue versions the activator can activate, and what it needs to know of each:
//! where Office keeps `ospp.vbs`, how a version's licences are named in `/dstatus`, and
//! the KMS client setup keys (GVLKs) Microsoft publishes for volume editions.
//!
//! The portal offers an activator download only for slugs listed here.

/// How a product is activated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Office, Project, Visio: `cscript ospp.vbs` in the Office folder.
    Office {
        /// The folder under `Microsoft Office`, e.g. `Office16`.
        folder: &'static str,
    },
    /// Windows: `cscript slmgr.vbs` in `System32`.
    Windows,
}

/// A published KMS client setup key and what it is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetupKey {
    /// What the key is for, as people call it.
    pub edition: &'static str,
    /// Office: a substring of the volume licence's name in `/dstatus`.
    /// Windows: the `major.minor` version the key is for (`10.0`, `6.3`, `6.2`, `6.1`).
    pub applies_to: &'static str,
    /// The key itself; public, published by Microsoft.
    pub key: &'static str,
}

/// One version the activator handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Product {
    /// The catalogue slug.
    pub slug: &'static str,
    /// The name people know it by.
    pub name: &'static str,
    /// How it is activated.
    pub method: Method,
    /// Substrings of `LICENSE NAME` (Office) or of the edition (Windows, from the
    /// registry's `EditionID`) that mark an installed copy as this version.
    pub markers: &'static [&'static str],
    /// Keys to install when the installed key is not a KMS client key.
    pub setup_keys: &'static [SetupKey],
}

/// Every product the activator knows, Windows first.
pub const PRODUCTS: [Product; 8] = [
    Product {
        slug: "windows-10-enterprise",
        name: "Windows 10 Enterprise",
        method: Method::Windows,
        markers: &["Enterprise"],
        setup_keys: &[SetupKey {
            edition: "Windows 10 Enterprise",
            applies_to: "10.0",
            key: "NPPR9-FWDCX-D2C8J-H872K-2YT43",
        }],
    },
    Product {
        slug: "windows-8-1-enterprise",
        name: "Windows 8 / 8.1 Enterprise",
        method: Method::Windows,
        markers: &["Enterprise"],
        setup_keys: &[
            SetupKey {
                edition: "Windows 8.1 Enterprise",
                applies_to: "6.3",
                key: "MHF9N-XY6XB-WVXMC-BTDCT-MKKG7",
            },
            SetupKey {
                edition: "Windows 8 Enterprise",
                applies_to: "6.2",
                key: "32JNW-9KQ84-P47T8-D8GGY-CWCK7",
            },
        ],
    },
    Product {
        slug: "windows-7-enterprise",
        name: "Windows 7 Enterprise",
        method: Method::Windows,
        markers: &["Enterprise"],
        setup_keys: &[SetupKey {
            edition: "Windows 7 Enterprise",
            applies_to: "6.1",
            key: "33PXH-7Y6KF-2VJC9-XBBR8-HVTHH",
        }],
    },
    Product {
        slug: "office-2019-proplus",
        name: "Office 2019 Professional Plus",
        method: Method::Office { folder: "Office16" },
        markers: &[
            "Office19ProPlus2019VL",
            "Office19VisioPro2019VL",
            "Office19ProjectPro2019VL",
        ],
        setup_keys: &[
            SetupKey {
                edition: "Office Professional Plus 2019",
                applies_to: "Office19ProPlus2019",
                key: "NMMKJ-6RK4F-KMJVX-8D9MJ-6MWKP",
            },
            SetupKey {
                edition: "Visio Professional 2019",
                applies_to: "Office19VisioPro2019",
                key: "9BGNQ-K37YR-RQHF2-38RQ3-7VCBB",
            },
            SetupKey {
                edition: "Project Professional 2019",
                applies_to: "Office19ProjectPro2019",
                key: "B4NPR-3FKK7-T2MBV-FRQ4W-PKD2B",
            },
        ],
    },
    Product {
        slug: "office-2016-proplus",
        name: "Office 2016 Professional Plus",
        method: Method::Office { folder: "Office16" },
        markers: &[
            "Office16ProPlusVL",
            "Office16VisioProVL",
            "Office16ProjectProVL",
        ],
        setup_keys: &[
            SetupKey {
                edition: "Office Professional Plus 2016",
                applies_to: "Office16ProPlus",
                key: "XQNVK-8JYDB-WJ9W3-YJ8YR-WFG99",
            },
            SetupKey {
                edition: "Visio Professional 2016",
                applies_to: "Office16VisioPro",
                key: "PD3PC-RHNGV-FXJ29-8JK7D-RJRJK",
            },
            SetupKey {
                edition: "Project Professional 2016",
                applies_to: "Office16ProjectPro",
                key: "YG9NW-3K39V-2T3HJ-93F3Q-G83KT",
            },
        ],
    },
    Product {
        slug: "office-2013-proplus",
        name: "Office 2013 Professional Plus",
        method: Method::Office { folder: "Office15" },
        markers: &["Office 15, OfficeProPlus"],
        setup_keys: &[SetupKey {
            edition: "Office Professional Plus 2013",
            applies_to: "Office 15, OfficeProPlus",
            key: "YC7DK-G2NP3-2QQC3-J6H88-GVGXT",
        }],
    },
    Product {
        slug: "office-2010-proplus",
        name: "Office 2010 Professional Plus",
        method: Method::Office { folder: "Office14" },
        markers: &["Office 14, OfficeProPlus"],
        setup_keys: &[SetupKey {
            edition: "Office Professional Plus 2010",
            applies_to: "Office 14, OfficeProPlus",
            key: "VYBBJ-TRJPB-QFQRF-QFT4D-H3GVB",
        }],
    },
    Product {
        slug: "project-2016",
        name: "Project 2016",
        method: Method::Office { folder: "Office16" },
        markers: &["Office16ProjectProVL", "Office16ProjectStdVL"],
        setup_keys: &[SetupKey {
            edition: "Project Professional 2016",
            applies_to: "Office16ProjectPro",
            key: "YG9NW-3K39V-2T3HJ-93F3Q-G83KT",
        }],
    },
];

/// The product with this slug, if the activator handles it.
pub fn find(slug: &str) -> Option<&'static Product> {
    PRODUCTS.iter().find(|p| p.slug == slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_unique_and_valid() {
        for (i, product) in PRODUCTS.iter().enumerate() {
            assert!(crate::is_slug(product.slug), "{}", product.slug);
            assert!(
                PRODUCTS[i + 1..].iter().all(|p| p.slug != product.slug),
                "{}",
                product.slug
            );
            assert!(
                !product.markers.is_empty() && !product.setup_keys.is_empty(),
                "{}",
                product.slug
            );
        }
    }

    #[test]
    fn keys_have_the_published_shape() {
        for key in PRODUCTS.iter().flat_map(|p| p.setup_keys) {
            let groups: Vec<&str> = key.key.split('-').collect();
            assert_eq!(groups.len(), 5, "{}", key.key);
            assert!(
                groups.iter().all(|g| g.len() == 5
                    && g.bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())),
                "{}",
                key.key
            );
        }
    }

    #[test]
    fn the_seed_sample_keys_match() {
        // The seed's sample output shows these last five characters after activation.
        let office = find("office-2019-proplus").unwrap();
        assert!(office.setup_keys.iter().any(|k| k.key.ends_with("6MWKP")));
        assert!(office.setup_keys.iter().any(|k| k.key.ends_with("7VCBB")));
    }
}

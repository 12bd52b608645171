//! Which of the download's products this PC has, and with which key: decided from what
//! the PC reports, never from the version alone. Pure: preflight gathers the facts
//! (the Windows version and `EditionID`; `ospp.vbs /dstatus` and Click-to-Run's product
//! ids) and these functions decide.
//!
//! Windows: the covered edition the PC runs; an Evaluation edition is refused (KMS cannot
//! activate it); an edition a covered one upgrades (Pro → Education or Enterprise) only
//! when the licence covers the upgrade and the person agrees.
//!
//! Office: for each covered product the PC has installed as a volume edition, its own key
//! when its installed key is not its KMS client key (a MAK, or another volume edition's
//! licence, as Visio 2010 installs Premium's); never a key for a product that is not
//! installed. A trial, grace, retail or Microsoft 365 licence of an installed covered
//! product blocks its volume licence and stops the run; any other non-volume licence
//! belongs to a product licensed separately and is only named.

use protocol::products::{OfficeMatch, Product, WindowsPc, licence_family, office_stem};

use crate::parse::ospp::{self, Channel, LicenceStatus};

/// What the download can do for this Windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowsChoice<'a> {
    /// The PC runs this covered edition.
    Covered(&'a Product),
    /// An Evaluation edition: KMS cannot activate it.
    Evaluation,
    /// The licence covers upgrading the PC's edition to this one, by its key.
    Upgrade(&'a Product),
    /// A covered edition could be reached by its key, but the licence does not cover the
    /// upgrade.
    UpgradeNotCovered(&'a Product),
    /// The PC runs a covered release, in an edition the licence does not cover.
    EditionNotCovered,
    /// The PC runs another Windows release than the download covers.
    OtherRelease,
}

/// A covered Office product found installed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found<'a> {
    /// The product.
    pub product: &'a Product,
    /// Whether its KMS client setup key must be installed first.
    pub install_key: bool,
}

/// What the download can do for this Office.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfficeChoice<'a> {
    /// The covered products installed as volume editions, in the download's order.
    pub found: Vec<Found<'a>>,
    /// Licences that block a found product's volume licence: the run stops.
    pub blocking: Vec<String>,
    /// Licences of products licensed separately, or of covered products installed only
    /// as retail or trial editions: named, left alone.
    pub separate: Vec<String>,
}

/// Which product line a licence or product belongs to: a Microsoft 365 subscription of
/// the suite blocks the suite and its single apps, Visio's blocks Visio, Project's Project.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line {
    Office,
    Project,
    Visio,
}

/// Decides what the download does for a Windows PC.
pub fn windows<'a>(
    covers: &'a [Product],
    pc: WindowsPc<'_>,
    upgrade_covered: bool,
) -> WindowsChoice<'a> {
    let editions = || {
        covers
            .iter()
            .filter_map(|p| p.windows.as_ref().map(|w| (p, w)))
    };
    if let Some((product, _)) = editions().find(|(_, w)| w.matches(pc)) {
        return WindowsChoice::Covered(product);
    }
    if is_evaluation(pc.edition) {
        return WindowsChoice::Evaluation;
    }
    if let Some((product, _)) = editions().find(|(_, w)| w.upgrades(pc)) {
        return if upgrade_covered {
            WindowsChoice::Upgrade(product)
        } else {
            WindowsChoice::UpgradeNotCovered(product)
        };
    }
    if editions().any(|(_, w)| w.runs_on(pc)) {
        WindowsChoice::EditionNotCovered
    } else {
        WindowsChoice::OtherRelease
    }
}

/// Whether an `EditionID` is an Evaluation edition (`EnterpriseEval`, `EnterpriseSEval`,
/// `ServerStandardEval`, `ServerDatacenterEval` …).
pub fn is_evaluation(edition: &str) -> bool {
    edition.to_ascii_lowercase().ends_with("eval")
}

/// Decides what the download does for Office, from `/dstatus` and Click-to-Run's
/// `ProductReleaseIds` (comma-separated, empty without Click-to-Run).
pub fn office<'a>(
    covers: &'a [Product],
    licences: &[ospp::Licence],
    release_ids: &str,
) -> OfficeChoice<'a> {
    let ids: Vec<&str> = release_ids
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .collect();
    let offices: Vec<(&Product, &OfficeMatch)> = covers
        .iter()
        .filter_map(|p| p.office.as_ref().map(|o| (p, o)))
        .collect();
    let is_own = |office: &OfficeMatch, i: usize| office.is_same_product(family(&licences[i]));
    let anyones = |i: usize| offices.iter().any(|(_, o)| is_own(o, i));
    let mut choice = OfficeChoice::default();
    let mut claimed = vec![false; licences.len()];
    for (product, office) in &offices {
        let own: Vec<usize> = (0..licences.len()).filter(|&i| is_own(office, i)).collect();
        // Another product's volume licence that this one's installation shows instead,
        // unless a covered product owns it.
        let stand_in: Vec<usize> = (0..licences.len())
            .filter(|&i| {
                office.is_installed_as(family(&licences[i]))
                    && is_volume(&licences[i])
                    && !anyones(i)
            })
            .collect();
        let volume = own
            .iter()
            .chain(&stand_in)
            .any(|&i| is_volume(&licences[i]))
            || office.c2r.as_deref().is_some_and(|id| ids.contains(&id));
        if !volume {
            continue;
        }
        for &i in own.iter().chain(&stand_in) {
            claimed[i] = true;
        }
        let has_kms = own
            .iter()
            .any(|&i| channel(&licences[i]) == Channel::KmsClient);
        choice.found.push(Found {
            product,
            install_key: !has_kms,
        });
        for &i in &own {
            if !is_volume(&licences[i]) && channel(&licences[i]) != Channel::Other {
                choice.blocking.push(licences[i].license_name.clone());
            }
        }
    }
    let found_lines: Vec<Line> = choice
        .found
        .iter()
        .filter_map(|f| f.product.office.as_ref())
        .map(|o| line_of(&o.licence))
        .collect();
    let mut noted_lines = Vec::new();
    for (i, licence) in licences.iter().enumerate() {
        if claimed[i] {
            continue;
        }
        let line = line_of(family(licence));
        let kind = channel(licence);
        if matches!(
            kind,
            Channel::Retail | Channel::Trial | Channel::Subscription
        ) {
            noted_lines.push(line);
        }
        match kind {
            Channel::Subscription if found_lines.contains(&line) => {
                choice.blocking.push(licence.license_name.clone());
            }
            Channel::Retail | Channel::Trial | Channel::Subscription => {
                choice.separate.push(with_status(licence));
            }
            Channel::KmsClient | Channel::Mak | Channel::Other => {}
        }
    }
    // Microsoft 365 Apps (and Project or Visio plans) licensed through Click-to-Run's
    // own licensing do not show in `/dstatus`: their product ids stand in for them.
    for id in ids {
        let line = line_of(id);
        let retail = id.starts_with("O365") || id.ends_with("Retail");
        if !retail || noted_lines.contains(&line) {
            continue;
        }
        let shown = format!("Click-to-Run {id}");
        if found_lines.contains(&line) {
            choice.blocking.push(shown);
        } else {
            choice.separate.push(shown);
        }
    }
    choice
}

/// The licence family in a licence's name.
fn family(licence: &ospp::Licence) -> &str {
    licence_family(&licence.license_name)
}

fn channel(licence: &ospp::Licence) -> Channel {
    ospp::channel(&licence.license_name, &licence.license_description)
}

fn is_volume(licence: &ospp::Licence) -> bool {
    matches!(channel(licence), Channel::KmsClient | Channel::Mak)
}

/// The line of a licence family or Click-to-Run id: Visio, Project, or the suite and its
/// apps.
fn line_of(name: &str) -> Line {
    let stem = office_stem(name);
    if stem.contains("Visio") {
        Line::Visio
    } else if stem.contains("Project") {
        Line::Project
    } else {
        Line::Office
    }
}

/// A licence's name, with its state when it is not licensed (a trial in grace, …).
fn with_status(licence: &ospp::Licence) -> String {
    let name = &licence.license_name;
    match &licence.license_status {
        LicenceStatus::Licensed => name.clone(),
        LicenceStatus::Grace => format!("{name} (GRACE)"),
        LicenceStatus::Notifications => format!("{name} (NOTIFICATIONS)"),
        LicenceStatus::Unlicensed => format!("{name} (UNLICENSED)"),
        LicenceStatus::Other(word) if word.is_empty() => name.clone(),
        LicenceStatus::Other(word) => format!("{name} ({word})"),
    }
}

#[cfg(test)]
mod tests;

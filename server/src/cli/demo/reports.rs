//! The demo's made-up machines and runs: what each machine is (from its number alone, so
//! runs reuse machines), and a report per run in the activator's own format.

use protocol::products::Product;
use protocol::report::{
    Architecture, Check, Finding, FindingStatus, Machine, Outcome, Report, RunKind,
};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::SPREAD_DAYS;
use super::results::{finding, product_result, warn};
use super::rng::Rng;
use crate::catalog::Covers;
use crate::token::encode_hex;

/// Network labels used when no campus networks are configured: documentation prefixes,
/// written as the portal labels unnamed networks (/24, /48).
pub const DEFAULT_NETWORKS: [&str; 5] = [
    "192.0.2.0/24",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "10.20.30.0/24",
    "2001:db8:4200::/48",
];

/// Days before which a "long ago" machine last ran the activator.
const LAPSING_FROM_DAYS: i64 = 150;

/// The machines and the vocabulary the demo draws from.
#[derive(Debug)]
pub struct Pool {
    machines: u32,
    versions: Vec<(String, Covers)>,
    codes: Vec<String>,
    networks: Vec<String>,
    kms: String,
}

/// One download, and the run that followed it if there was one.
#[derive(Debug)]
pub struct Plan {
    /// The version downloaded.
    pub version: String,
    /// The network it came from.
    pub network: String,
    /// When.
    pub downloaded_at: OffsetDateTime,
    /// The report of the run, or none for a download never run.
    pub report: Option<Report>,
}

impl Pool {
    /// A pool sized for `n_reports` (about three reports per machine).
    pub fn new(
        n_reports: u32,
        versions: Vec<(String, Covers)>,
        codes: Vec<String>,
        networks: Vec<String>,
        kms: String,
    ) -> Pool {
        Pool {
            machines: (n_reports / 3).clamp(40, 20_000),
            versions,
            codes,
            networks,
            kms,
        }
    }

    /// How many machines the pool has.
    pub fn machines(&self) -> u32 {
        self.machines
    }

    /// A download that was run and reported.
    pub fn plan(&self, rng: &mut Rng, now: OffsetDateTime) -> Plan {
        let number = rng.below(u64::from(self.machines)) as u32;
        let version = self.version_for(rng, number);
        let started_at = self.when(rng, number, now);
        let report = self.report(rng, number, &version, started_at);
        Plan {
            network: self.network_of(number),
            downloaded_at: started_at - Duration::seconds(30 + rng.below(1800) as i64),
            version,
            report: Some(report),
        }
    }

    /// A download that was never run.
    pub fn lost(&self, rng: &mut Rng, now: OffsetDateTime) -> Plan {
        let number = rng.below(u64::from(self.machines)) as u32;
        Plan {
            version: self.version_for(rng, number),
            network: self.network_of(number),
            downloaded_at: self.when(rng, number, now),
            report: None,
        }
    }

    /// Which version machine `number` runs this time: its Windows, its Office, or Project.
    fn version_for(&self, rng: &mut Rng, number: u32) -> String {
        let windows = match number % 10 {
            0..=7 => "windows-10-enterprise",
            8 => "windows-8-1-enterprise",
            _ => "windows-7-enterprise",
        };
        let office = [
            "office-2019-proplus",
            "office-2016-proplus",
            "office-2016-proplus",
            "office-2013-proplus",
            "office-2010-proplus",
        ][(number / 10 % 5) as usize];
        let roll = rng.below(100);
        let wanted = if roll < 50 {
            windows
        } else if roll < 95 || !number.is_multiple_of(9) {
            office
        } else {
            "project-2016"
        };
        if self.versions.iter().any(|(v, _)| v == wanted) {
            wanted.to_owned()
        } else {
            rng.pick(&self.versions)
                .map(|(v, _)| v.clone())
                .unwrap_or_default()
        }
    }

    /// When a run happens: more lately than long ago, fewer at weekends, and one
    /// machine in eight only long ago.
    fn when(&self, rng: &mut Rng, number: u32, now: OffsetDateTime) -> OffsetDateTime {
        let mut days = if number % 8 == 7 {
            LAPSING_FROM_DAYS + rng.below((SPREAD_DAYS - LAPSING_FROM_DAYS) as u64) as i64
        } else if rng.below(100) < 35 {
            rng.below(30) as i64
        } else {
            rng.below(LAPSING_FROM_DAYS as u64) as i64
        };
        let weekday = (now - Duration::days(days)).weekday();
        if matches!(weekday, time::Weekday::Saturday | time::Weekday::Sunday) && rng.below(10) < 7 {
            days += 2;
        }
        now - Duration::days(days) - Duration::seconds(rng.below(43_200) as i64 + 60)
    }

    fn network_of(&self, number: u32) -> String {
        let index = if number.is_multiple_of(23) {
            self.networks.len().saturating_sub(1)
        } else {
            (number as usize % 10 / 3).min(self.networks.len().saturating_sub(1))
        };
        self.networks.get(index).cloned().unwrap_or_default()
    }

    fn has(&self, code: &str) -> bool {
        self.codes.iter().any(|c| c == code)
    }

    /// A failure's error code: mostly the usual suspects, sometimes any seeded code.
    fn failure_code(&self, rng: &mut Rng) -> String {
        let roll = rng.below(100);
        let usual = match roll {
            0..=39 => "0xC004F074",
            40..=54 => "0xC004F038",
            55..=64 => "0xC004C003",
            65..=72 => "0xC004F06C",
            _ => "",
        };
        if self.has(usual) {
            return usual.to_owned();
        }
        let others: Vec<&String> = self.codes.iter().filter(|c| *c != "0x80070005").collect();
        rng.pick(&others)
            .map_or_else(|| "0xC004F074".to_owned(), |c| (*c).clone())
    }

    fn report(
        &self,
        rng: &mut Rng,
        number: u32,
        version: &str,
        started_at: OffsetDateTime,
    ) -> Report {
        let covered: &[&Product] = self
            .versions
            .iter()
            .find(|(v, _)| v == version)
            .map_or(&[], |(_, covers)| covers.products());
        let office = covered.first().is_some_and(|p| !p.is_windows());
        let windows = covered.iter().find_map(|p| p.windows.as_ref());
        let (os_version, os_edition) = match windows {
            Some(w) => {
                // A build of the edition's release, varying between machines.
                let builds: &[u32] = match w.version.as_str() {
                    "6.1" => &[7601],
                    "6.2" => &[9200],
                    "6.3" => &[9600],
                    _ => &[10240, 14393, 17763, 19045, 20348, 22631, 26100],
                };
                let fitting: Vec<u32> = builds
                    .iter()
                    .copied()
                    .filter(|b| *b >= w.from_build && w.until_build.is_none_or(|u| *b < u))
                    .collect();
                let build = fitting
                    .get(number as usize % fitting.len().max(1))
                    .copied()
                    .unwrap_or(w.from_build);
                (format!("{}.{build}", w.version), w.editions[0].clone())
            }
            None if number.is_multiple_of(3) => ("10.0.22631".to_owned(), "Education".to_owned()),
            None => ("10.0.19045".to_owned(), "Enterprise".to_owned()),
        };
        let wrong_zone = number.is_multiple_of(29);
        let roll = rng.below(100);
        let mut findings = vec![finding(Check::Elevated, None, "running as administrator")];
        let mut results = Vec::new();
        let aborted = roll >= 94 && self.has("0x80070005");
        if aborted {
            findings[0] = Finding {
                check: Check::Elevated,
                status: FindingStatus::Fail,
                error_code: Some("0x80070005".to_owned()),
                detail: "not running as administrator".to_owned(),
            };
        } else {
            let code = if wrong_zone && self.has("0xC004F06C") {
                Some("0xC004F06C".to_owned())
            } else if roll >= 76 {
                Some(self.failure_code(rng))
            } else {
                None
            };
            let partial = office && covered.len() > 1 && (76..83).contains(&roll) && !wrong_zone;
            let clock = if wrong_zone && code.as_deref() == Some("0xC004F06C") {
                warn(
                    Check::Clock,
                    "0xC004F06C",
                    "clock is 8 h off the portal in UTC; time zone UTC+00:00",
                )
            } else if code.as_deref() == Some("0xC004F06C") {
                warn(
                    Check::Clock,
                    "0xC004F06C",
                    "clock is 5 h 12 min behind the portal; UTC+08:00",
                )
            } else {
                finding(
                    Check::Clock,
                    None,
                    "clock within 3 s of the portal; UTC+08:00",
                )
            };
            let reach = if code.as_deref() == Some("0xC004F074") && !partial {
                warn(
                    Check::KmsReachable,
                    "0xC004F074",
                    &format!("no answer from {} within 5 s", self.kms),
                )
            } else {
                finding(
                    Check::KmsReachable,
                    None,
                    &format!("connected to {} in {} ms", self.kms, 2 + rng.below(30)),
                )
            };
            findings.extend([
                clock,
                reach,
                finding(
                    Check::ProductInstalled,
                    None,
                    "the downloaded version is installed",
                ),
            ]);
            if office {
                findings.push(finding(
                    Check::ConflictingLicences,
                    None,
                    "no retail, trial or subscription Office licence",
                ));
            }
            let chosen = &covered[..covered.len().min(if partial { 2 } else { 1 })];
            for (i, key) in chosen.iter().enumerate() {
                let failed = if partial { i == 1 } else { code.is_some() };
                results.push(product_result(
                    key,
                    failed.then(|| code.clone().unwrap_or_else(|| "0xC004F074".to_owned())),
                ));
            }
        }
        let outcome = if results.is_empty() {
            if aborted {
                Outcome::Aborted
            } else {
                Outcome::Failure
            }
        } else {
            Outcome::from_products(&results)
        };
        Report {
            schema: protocol::SCHEMA,
            report_id: rng.uuid(),
            activator_version: "0.1.0".to_owned(),
            product: version.to_owned(),
            started_at,
            duration_ms: if aborted {
                80 + rng.below(300)
            } else {
                3_000 + rng.below(12_000)
            },
            machine: Machine {
                id: encode_hex(&Sha256::digest(format!("portal demo machine {number}"))),
                os_version,
                os_edition,
                architecture: if number.is_multiple_of(13) {
                    Architecture::X86
                } else {
                    Architecture::X64
                },
                ui_language: if number.is_multiple_of(5) {
                    "en-US"
                } else {
                    "zh-TW"
                }
                .to_owned(),
                utc_offset_minutes: if wrong_zone { 0 } else { 480 },
            },
            findings,
            products: results,
            outcome,
            kind: RunKind::Activation,
        }
    }
}

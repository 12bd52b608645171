//! `[mail]`: the SMTP server staff e-mail goes through. Mail is off while `smtp_url` is
//! unset; the portal then sends nothing and `portal notify` says so.

use anyhow::bail;
use serde::{Deserialize, Serialize};

use crate::secret::SecretUrl;

/// Where and as whom the portal sends e-mail.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mail {
    /// `smtps://USER:PASSWORD@HOST` (TLS from the start, port 465 unless given) or
    /// `smtp://USER:PASSWORD@HOST?tls=required` (STARTTLS, port 587 unless given);
    /// plain `smtp://HOST:PORT`, without TLS, only to a loopback address. A password
    /// with special characters is percent-encoded. Unset: no mail.
    pub smtp_url: Option<SecretUrl>,
    /// The sender, e.g. `Campus License Portal <portal@example.edu>`.
    pub from: String,
    /// The hour of the day (institution's time, 0 to 23) from which each day's digest
    /// is sent.
    pub digest_hour: u8,
    /// When an alert goes out at once.
    pub alerts: Alerts,
}

/// The thresholds of the immediate alerts, each counted over the last `window_minutes`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Alerts {
    /// The window the counts are taken over, in minutes.
    pub window_minutes: u32,
    /// A failure spike: at least this many activation runs that did not fully succeed…
    pub failures: u32,
    /// …making up at least this share of all runs, in percent.
    pub failure_percent: u32,
    /// One error code from one network at least this many times (e.g. 0xC004F074 from the
    /// dormitories: the KMS host is unreachable from there).
    pub code_from_network: u32,
    /// The same alert (same kind, code and network) at most once in this many hours.
    pub every_hours: u32,
}

impl Default for Mail {
    fn default() -> Self {
        Mail {
            smtp_url: None,
            from: "Campus License Portal <portal@localhost>".to_owned(),
            digest_hour: 7,
            alerts: Alerts {
                window_minutes: 60,
                failures: 10,
                failure_percent: 30,
                code_from_network: 5,
                every_hours: 6,
            },
        }
    }
}

impl Mail {
    /// Checks the URL's form and TLS, the sender and the hour.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.from.parse::<lettre::message::Mailbox>().is_err() {
            bail!(
                "mail.from must be an address, optionally with a name: Name <user@host>, got {:?}",
                self.from
            );
        }
        if self.digest_hour > 23 {
            bail!("mail.digest_hour must be between 0 and 23");
        }
        let a = &self.alerts;
        if !(1..=1440).contains(&a.window_minutes) {
            bail!("mail.alerts.window_minutes must be between 1 and 1440");
        }
        if a.failures == 0 || a.code_from_network == 0 {
            bail!("mail.alerts.failures and mail.alerts.code_from_network must be at least 1");
        }
        if !(1..=100).contains(&a.failure_percent) {
            bail!("mail.alerts.failure_percent must be between 1 and 100");
        }
        if !(1..=168).contains(&a.every_hours) {
            bail!("mail.alerts.every_hours must be between 1 and 168");
        }
        let Some(url) = &self.smtp_url else {
            return Ok(());
        };
        let url = url.expose();
        let Some((scheme, rest)) = url.split_once("://") else {
            bail!("mail.smtp_url must start with smtps:// or smtp://");
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = match host_port.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => host_port.split(':').next().unwrap_or_default(),
        };
        let tls_required = rest
            .split_once('?')
            .is_some_and(|(_, query)| query.split('&').any(|pair| pair == "tls=required"));
        let loopback = host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        match scheme {
            "smtps" => {}
            "smtp" if tls_required || loopback => {}
            "smtp" => bail!(
                "mail.smtp_url: plain smtp:// is allowed only to a loopback address; use smtps://HOST or smtp://HOST?tls=required"
            ),
            _ => bail!("mail.smtp_url must start with smtps:// or smtp://"),
        }
        if host.is_empty() {
            bail!("mail.smtp_url names no host");
        }
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("mail.smtp_url is not usable: {e}"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_url(url: &str) -> Mail {
        Mail {
            smtp_url: Some(SecretUrl::new(url)),
            ..Mail::default()
        }
    }

    #[test]
    fn only_tls_leaves_the_machine() {
        for good in [
            "smtps://portal:p%40ss@mail.example.edu",
            "smtp://portal:pass@mail.example.edu:587?tls=required",
            "smtp://127.0.0.1:2525",
            "smtp://[::1]:2525",
            "smtp://localhost:25",
        ] {
            assert!(with_url(good).validate().is_ok(), "{good}");
        }
        for bad in [
            "smtp://mail.example.edu",
            "smtp://mail.example.edu?tls=opportunistic",
            "http://mail.example.edu",
            "mail.example.edu",
            "smtps://",
        ] {
            assert!(with_url(bad).validate().is_err(), "{bad}");
        }
        let error = with_url("smtp://mail.example.edu").validate().unwrap_err();
        assert!(error.to_string().contains("loopback"), "{error}");
    }

    #[test]
    fn the_sender_and_hour_are_checked() {
        let mut mail = Mail::default();
        assert!(mail.validate().is_ok());
        mail.from = "not an address".to_owned();
        assert!(mail.validate().is_err());
        mail.from = "IT <it@example.edu>".to_owned();
        mail.digest_hour = 24;
        assert!(mail.validate().is_err());
    }
}

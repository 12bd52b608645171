//! `[oidc]`: single sign-on for staff with the campus identity provider (OpenID
//! Connect: Microsoft Entra ID, Google Workspace, Keycloak, Shibboleth's OIDC). Off while
//! `issuer_url` is unset.

use anyhow::bail;
use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// The identity provider, this portal's registration with it, and who gets which role.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Oidc {
    /// The provider's issuer, e.g. `https://login.microsoftonline.com/TENANT/v2.0`; its
    /// `/.well-known/openid-configuration` is read at each sign-in. https, or http to a
    /// loopback address. Unset: no single sign-on.
    pub issuer_url: Option<String>,
    /// This portal's client id at the provider. The redirect URI to register there is
    /// `{public_url}/admin/login/sso/callback`.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: Option<Secret>,
    /// The campus sign-in's name on the button, in Chinese: "以{label_zh}登入".
    pub label_zh: String,
    /// …and in English: "Sign in with {label_en}".
    pub label_en: String,
    /// The ID token claim that holds the account's groups or roles (a string or a list
    /// of strings), e.g. `groups` or `roles`.
    pub role_claim: String,
    /// Values of that claim that make an account an admin.
    pub admin_values: Vec<String>,
    /// Values that make it a viewer (when none makes it an admin). An account with
    /// neither is refused.
    pub viewer_values: Vec<String>,
    /// Whether the portal's own passwords still sign in beside the campus sign-in.
    pub passwords: bool,
    /// Whether a download needs a campus sign-in first (through the same provider).
    pub downloads: bool,
    /// The claim that says who may download, e.g. `affiliation` or `groups`…
    pub download_claim: String,
    /// …and its values that may, e.g. `["student", "staff", "faculty"]`.
    pub download_values: Vec<String>,
    /// Downloads one person may make in 24 hours.
    pub downloads_per_person_per_day: u32,
}

impl Default for Oidc {
    fn default() -> Self {
        Oidc {
            issuer_url: None,
            client_id: String::new(),
            client_secret: None,
            label_zh: "校園帳號".to_owned(),
            label_en: "the campus account".to_owned(),
            role_claim: "groups".to_owned(),
            admin_values: Vec::new(),
            viewer_values: Vec::new(),
            passwords: true,
            downloads: false,
            download_claim: "affiliation".to_owned(),
            download_values: Vec::new(),
            downloads_per_person_per_day: 5,
        }
    }
}

impl Oidc {
    /// Whether single sign-on is set up.
    pub fn enabled(&self) -> bool {
        self.issuer_url.is_some()
    }

    /// Checks what serde cannot.
    pub fn validate(&self) -> anyhow::Result<()> {
        let Some(issuer) = &self.issuer_url else {
            if !self.passwords {
                bail!("oidc.passwords = false needs oidc.issuer_url: nobody could sign in");
            }
            if self.downloads {
                bail!("oidc.downloads = true needs oidc.issuer_url: nobody could download");
            }
            return Ok(());
        };
        if self.downloads
            && (self.download_claim.trim().is_empty() || self.download_values.is_empty())
        {
            bail!("oidc.downloads = true needs oidc.download_claim and oidc.download_values");
        }
        if self.downloads_per_person_per_day == 0 {
            bail!("oidc.downloads_per_person_per_day must be at least 1");
        }
        let loopback = ["http://127.", "http://[::1]", "http://localhost"]
            .iter()
            .any(|prefix| issuer.starts_with(prefix));
        if !(issuer.starts_with("https://") || loopback) {
            bail!("oidc.issuer_url must start with https:// (http:// only to a loopback address)");
        }
        if self.client_id.trim().is_empty() {
            bail!("oidc.client_id must be set when oidc.issuer_url is");
        }
        if self.role_claim.trim().is_empty() {
            bail!("oidc.role_claim must name a claim, e.g. groups");
        }
        if self.admin_values.is_empty() && self.viewer_values.is_empty() {
            bail!("oidc.admin_values or oidc.viewer_values must list at least one value");
        }
        for label in [&self.label_zh, &self.label_en] {
            if label.trim().is_empty() || label.chars().count() > 60 {
                bail!("oidc.label_zh and oidc.label_en must be 1 to 60 characters");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_up(issuer: &str) -> Oidc {
        Oidc {
            issuer_url: Some(issuer.to_owned()),
            client_id: "portal".to_owned(),
            admin_values: vec!["it-staff".to_owned()],
            ..Oidc::default()
        }
    }

    #[test]
    fn the_provider_is_reached_over_tls_unless_on_loopback() {
        assert!(Oidc::default().validate().is_ok(), "off by default");
        assert!(
            set_up("https://login.microsoftonline.com/t/v2.0")
                .validate()
                .is_ok()
        );
        assert!(set_up("http://127.0.0.1:4000").validate().is_ok());
        let error = set_up("http://idp.example.edu").validate().unwrap_err();
        assert!(error.to_string().contains("https://"), "{error}");
    }

    #[test]
    fn a_provider_needs_a_client_and_a_role_mapping() {
        let mut oidc = set_up("https://idp.example.edu");
        oidc.client_id.clear();
        assert!(oidc.validate().is_err());
        let mut oidc = set_up("https://idp.example.edu");
        oidc.admin_values.clear();
        assert!(oidc.validate().is_err(), "nobody could get a role");
        let off = Oidc {
            passwords: false,
            ..Oidc::default()
        };
        assert!(off.validate().is_err(), "no way to sign in at all");
        let downloads = Oidc {
            downloads: true,
            ..Oidc::default()
        };
        assert!(downloads.validate().is_err(), "downloads need the provider");
        let mut oidc = set_up("https://idp.example.edu");
        oidc.downloads = true;
        assert!(oidc.validate().is_err(), "and the values that may");
        oidc.download_values = vec!["student".to_owned()];
        assert!(oidc.validate().is_ok());
    }
}

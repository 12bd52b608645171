//! `[limits]`: how much the activator API and downloads accept, and the connection limits.

use serde::{Deserialize, Serialize};

/// Rate limits on the activator API and downloads.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Reports one download token may send per minute.
    pub reports_per_minute_per_token: u32,
    /// PCs one download's token is accepted from (a re-installed PC has a new id, so a
    /// few); reports from more are refused and the download is listed on the dashboard
    /// as passed around. Deployment tokens have no such limit.
    pub machines_per_download_token: u32,
    /// Reports one network (campus network, or /24 / /48) may send per minute.
    pub reports_per_minute_per_network: u32,
    /// Downloads one network may make per minute.
    pub downloads_per_minute_per_network: u32,
    /// Seconds a connection may take to send a request's head, and may sit idle between
    /// requests (keep-alive), before it is closed.
    pub header_timeout_secs: u32,
    /// Seconds a request may take in all, body included, before it is answered 408.
    pub request_timeout_secs: u32,
    /// Connections open at once; one more is closed at once until one ends.
    pub max_connections: u32,
}

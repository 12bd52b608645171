//! `portal notify [--now]`: queues the day's digests and any alerts, and delivers every
//! message that is due, then ends — for trying the mail set-up, and for cron where the server's own mail
//! task is not wanted. Without `--now` the digests wait for `mail.digest_hour`; a digest
//! already queued today is not queued again, so running it twice sends nothing twice.

use anyhow::bail;

use crate::config::Config;
use crate::mail::{Mailer, alerts, digest, outbox};

/// Queues and delivers; answers a summary for the console.
pub async fn run(config: Config, now: bool) -> anyhow::Result<String> {
    let Some(mailer) = Mailer::new(&config.mail)? else {
        bail!("mail is off: set mail.smtp_url (or PORTAL_MAIL__SMTP_URL) first");
    };
    let state = crate::prepare(config).await?;
    let queued = digest::queue(&state, now).await?;
    let alerted = alerts::queue(&state).await?;
    let done = outbox::deliver(&state, &mailer).await?;
    let mut summary = format!(
        "queued {queued} digests and {alerted} alerts; sent {} messages",
        done.sent
    );
    if done.failed > 0 {
        summary.push_str(&format!(
            "; {} could not be delivered and will be tried again (see the log)",
            done.failed
        ));
    }
    Ok(summary)
}

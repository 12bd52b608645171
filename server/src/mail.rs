//! E-mail to staff: the daily digest ([`digest`]), immediate alerts ([`alerts`]) and
//! their delivery ([`outbox`]).
//!
//! Nothing is sent straight away: a message is queued in the database under a key
//! unique to it (a digest's is its account and day), so a restart or a second portal on
//! the same database never queues it twice, then delivered by whichever portal claims
//! it first. A message the SMTP server refuses, or cannot be reached for, is tried again
//! later, with growing waits; the dashboard shows what is still undelivered. Mail is off
//! while `mail.smtp_url` is unset.

pub mod alerts;
pub mod digest;
pub mod outbox;

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Mail;
use crate::state::AppState;

/// How often the server looks for digests to queue and messages to deliver.
pub const EVERY: Duration = Duration::from_secs(60);

/// The SMTP server and the sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the credentials.
        f.debug_struct("Mailer")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// The mailer `mail` configures; `None` while no SMTP server is set.
    pub fn new(mail: &Mail) -> anyhow::Result<Option<Mailer>> {
        let Some(url) = &mail.smtp_url else {
            return Ok(None);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            .map_err(|e| anyhow::anyhow!("mail.smtp_url is not usable: {e}"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from = mail
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("mail.from is not an address: {e}"))?;
        Ok(Some(Mailer { transport, from }))
    }

    /// Sends one plain-text message; the error says why the server did not take it.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| format!("the address {to:?} is not valid: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(None)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| format!("cannot build the message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// The portal's page at `path` (e.g. `/admin`), absolute, in `lang`: what every link in a
/// message is.
pub fn link(state: &AppState, path: &str, lang: crate::lang::Lang) -> String {
    let query = match lang {
        crate::lang::Lang::ZhTw => "",
        crate::lang::Lang::En => "?lang=en",
    };
    format!("{}{path}{query}", state.config.public_url)
}

/// Starts the server's mail task: every minute, queues the day's digests once
/// `mail.digest_hour` has come and any alerts, and delivers what is due. Does nothing
/// while mail is off.
pub fn spawn(state: &AppState) -> anyhow::Result<()> {
    let Some(mailer) = Mailer::new(&state.config.mail)? else {
        return Ok(());
    };
    let state = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(EVERY);
        loop {
            every.tick().await;
            if let Err(error) = digest::queue(&state, false).await {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "cannot queue the daily digests"
                );
            }
            match outbox::deliver(&state, &mailer).await {
                Ok(done) if done.failed > 0 => {
                    tracing::warn!(
                        sent = done.sent,
                        failed = done.failed,
                        "some mail was not delivered"
                    );
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(error = format!("{error:#}"), "cannot deliver mail");
                }
            }
        }
    });
    Ok(())
}

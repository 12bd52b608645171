//! The daily digest: what the dashboard would tell each subscribed staff member that
//! morning, in their language — yesterday's activations and failures, the most frequent
//! error codes with their pages, licences entering a stage of their end (180, 90, 30
//! days, ended: each stage told once per licence term), KMS groups under their
//! threshold, seats over their count and downloads passed around.
//!
//! A digest's key is its account and day, so it is queued once however often this runs.

use askama::Template;
use time::Date;

use crate::catalog::TermWindow;
use crate::dashboard::{self, Checking, FilterQuery, Scope, machines, panels};
use crate::db;
use crate::db::mail::{NewMessage, Stage, Subscription, Told};
use crate::lang::Lang;
use crate::state::AppState;
use crate::texts::mail::{self as texts, MailText, fill};

/// How many error codes a digest lists.
pub const TOP_ERRORS: usize = 5;

/// The digest's plain text.
#[derive(Template)]
#[template(path = "mail/digest.txt")]
struct Body<'a> {
    greeting: String,
    sections: &'a [Section],
    dashboard: String,
    why: String,
}

/// A titled part of the digest.
#[derive(Clone, Debug)]
struct Section {
    /// Empty for none.
    title: &'static str,
    /// Whether its lines are a list.
    listed: bool,
    lines: Vec<String>,
}

/// A licence in a window of its end.
#[derive(Debug)]
struct Term {
    slug: String,
    name: String,
    end: Date,
    days_left: i64,
    window: TermWindow,
}

/// What one language's digests of a day say, but for each reader's licence stages.
#[derive(Debug)]
struct Day {
    lang: Lang,
    day: Date,
    /// Yesterday, the error codes, KMS, seats and passed-around downloads.
    before_terms: Vec<Section>,
    after_terms: Vec<Section>,
    terms: Vec<Term>,
}

/// Queues today's digest (about yesterday) for every subscribed account that has not
/// had it; before `mail.digest_hour` only when `now` is set (`portal notify --now`).
/// Answers how many were queued.
pub async fn queue(state: &AppState, now: bool) -> anyhow::Result<usize> {
    let at = state.now();
    if !now && state.local_hour(at) < state.config.mail.digest_hour {
        return Ok(0);
    }
    let today = state.today();
    let day = today
        .previous_day()
        .ok_or_else(|| anyhow::anyhow!("no day before {today}"))?;
    let mut days: Vec<Day> = Vec::new();
    let mut queued = 0;
    for reader in db::mail::subscribers(&state.db, Subscription::Digest).await? {
        let key = format!("digest:{}:{today}", reader.id);
        if db::mail::is_queued(&state.db, &key).await? {
            continue;
        }
        if !days.iter().any(|d| d.lang == reader.lang) {
            days.push(Day::load(state, reader.lang, day).await?);
        }
        let Some(shared) = days.iter().find(|d| d.lang == reader.lang) else {
            continue;
        };
        let told = db::mail::told_stages(&state.db, reader.id).await?;
        let new: Vec<&Term> = shared
            .terms
            .iter()
            .filter(|t| !told.iter().any(|x| t.is(x)))
            .collect();
        let (subject, body) = shared.render(state, &new)?;
        let message = NewMessage {
            key: &key,
            recipient: &reader.email,
            subject: &subject,
            body: &body,
        };
        let stages: Vec<Stage<'_>> = new
            .iter()
            .map(|t| Stage {
                version: &t.slug,
                term_end: t.end,
                window: t.window,
            })
            .collect();
        if db::mail::queue(&state.db, &message, reader.id, &stages, at).await? {
            queued += 1;
            tracing::info!(account = %reader.username, "queued the daily digest");
        }
    }
    Ok(queued)
}

impl Term {
    /// Whether `told` is this stage of this term.
    fn is(&self, told: &Told) -> bool {
        told.version_slug == self.slug && told.term_end == self.end && told.stage == self.window
    }
}

impl Day {
    /// Reads what the dashboard shows for `day`, in `lang`.
    async fn load(state: &AppState, lang: Lang, day: Date) -> anyhow::Result<Day> {
        let t = texts::text(lang);
        let scope =
            Scope::load(state, &FilterQuery::days(day, day), lang, Checking::Export).await?;
        let daily = panels::daily(state, &scope).await?;
        let reports: i64 = daily.iter().map(|d| d.total).sum();
        let success: i64 = daily.iter().map(|d| d.success).sum();
        let yesterday = if reports == 0 {
            t.no_reports.to_owned()
        } else {
            fill(
                t.yesterday,
                &[
                    ("reports", &reports.to_string()),
                    ("success", &success.to_string()),
                    ("other", &(reports - success).to_string()),
                    (
                        "rate",
                        &dashboard::format_percent(dashboard::percent(success, reports)),
                    ),
                ],
            )
        };
        let mut before_terms = vec![Section {
            title: t.yesterday_title,
            listed: false,
            lines: vec![yesterday],
        }];
        let errors: Vec<String> = panels::errors(state, &scope, TOP_ERRORS)
            .await?
            .into_iter()
            .map(|e| {
                let times = fill(t.error_results, &[("n", &e.n_results.to_string())]);
                match e.meaning {
                    Some(meaning) => {
                        format!(
                            "{} {meaning} ({times}): {}",
                            e.code,
                            super::link(state, &e.url, lang)
                        )
                    }
                    None => format!("{} ({times}): {}", e.code, super::link(state, &e.url, lang)),
                }
            })
            .collect();
        push(&mut before_terms, t.errors_title, errors);
        let mut after_terms = Vec::new();
        let kms: Vec<String> = machines::kms(state, &scope)
            .await?
            .into_iter()
            .filter(|k| !k.activating)
            .map(|k| {
                fill(
                    t.kms_under,
                    &[
                        ("group", k.group.label(lang)),
                        ("machines", &k.machines.to_string()),
                        ("threshold", &k.threshold.to_string()),
                        ("needed", &k.machines_needed.to_string()),
                    ],
                )
            })
            .collect();
        push(&mut after_terms, t.kms_title, kms);
        let seats: Vec<String> = machines::seats(state, &scope)
            .await?
            .into_iter()
            .filter(|s| s.over_limit)
            .map(|s| {
                fill(
                    t.seats_over,
                    &[
                        ("name", &s.version_name),
                        ("used", &s.used.to_string()),
                        ("seats", &s.seats.unwrap_or_default().to_string()),
                    ],
                )
            })
            .collect();
        push(&mut after_terms, t.seats_title, seats);
        let passed = db::downloads::passed_around_count(&state.db).await?;
        if passed > 0 {
            after_terms.push(Section {
                title: t.passed_around_title,
                listed: false,
                lines: vec![fill(t.passed_around, &[("n", &passed.to_string())])],
            });
        }
        let terms = machines::terms(&scope)
            .into_iter()
            .filter_map(|row| {
                let end = scope.version(&row.version)?.version.term_end?;
                Some(Term {
                    slug: row.version,
                    name: row.version_name,
                    end,
                    days_left: row.days_left,
                    window: row.window,
                })
            })
            .collect();
        Ok(Day {
            lang,
            day,
            before_terms,
            after_terms,
            terms,
        })
    }

    /// The subject and body of a digest telling `terms`.
    fn render(&self, state: &AppState, terms: &[&Term]) -> anyhow::Result<(String, String)> {
        let t: &MailText = texts::text(self.lang);
        let site = state.site();
        let day = self.day.to_string();
        let institution = self.lang.pick(&site.site.name_zh, &site.site.name_en);
        let subject = fill(
            t.digest_subject,
            &[("institution", institution), ("day", &day)],
        );
        let mut sections = self.before_terms.clone();
        let term_lines: Vec<String> = terms
            .iter()
            .map(|term| {
                let end = term.end.to_string();
                match term.window {
                    TermWindow::Ended => fill(t.term_ended, &[("name", &term.name), ("end", &end)]),
                    _ => fill(
                        t.term_ending,
                        &[
                            ("name", &term.name),
                            ("end", &end),
                            ("days", &term.days_left.to_string()),
                        ],
                    ),
                }
            })
            .collect();
        let quiet = term_lines.is_empty() && self.after_terms.is_empty();
        push(&mut sections, t.terms_title, term_lines);
        sections.extend(self.after_terms.iter().cloned());
        if quiet {
            sections.push(Section {
                title: "",
                listed: false,
                lines: vec![t.all_well.to_owned()],
            });
        }
        let body = Body {
            greeting: fill(t.greeting, &[("day", &day)]),
            sections: &sections,
            dashboard: fill(
                t.dashboard,
                &[("url", &super::link(state, "/admin", self.lang))],
            ),
            why: fill(
                t.why,
                &[("url", &super::link(state, "/admin/mail", self.lang))],
            ),
        }
        .render()?;
        Ok((subject, body))
    }
}

/// Adds a listed section when it has lines.
fn push(sections: &mut Vec<Section>, title: &'static str, lines: Vec<String>) {
    if !lines.is_empty() {
        sections.push(Section {
            title,
            listed: true,
            lines,
        });
    }
}

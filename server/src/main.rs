//! `portal`: parse the command line, read the configuration, start logging, run.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use server::config::{Config, LogFormat};
use server::lang::Lang;

/// mimalloc instead of glibc's allocator: a request makes dozens of small allocations,
/// and glibc's `malloc` and `free` were a sixth of the CPU time of a cached page.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The Campus License Portal.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file (TOML); see portal.example.toml. Also read from PORTAL_CONFIG.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Check the configuration and print the settings in effect (passwords hidden).
    CheckConfig,
    /// Fill the database with made-up downloads and reports, through the real ingestion
    /// path, so the dashboard has something to show (for trying the portal out; never on
    /// a production database).
    DemoData {
        /// How many reports to make (downloads are made to match, and some never report).
        #[arg(long, default_value_t = 2000)]
        reports: u32,
    },
    /// Queue the day's mail digests and deliver what is due, then end (for trying the mail
    /// set-up, or for cron). A digest already queued today is not queued again.
    Notify {
        /// Queue the digests now, without waiting for mail.digest_hour.
        #[arg(long)]
        now: bool,
    },
    /// Manage staff accounts (passwords are read from stdin or a prompt).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account; its password must be changed at first sign-in.
    Add {
        /// Login name: lower-case letters, digits, '.', '_', '-'.
        username: String,
        /// What it may do.
        #[arg(long, value_parser = ["admin", "viewer"], default_value = "viewer")]
        role: String,
        /// Its e-mail address; it then receives the daily digest.
        #[arg(long)]
        email: Option<String>,
        /// The language of its mail.
        #[arg(long, value_parser = ["zh-TW", "en"], default_value = "zh-TW")]
        lang: String,
    },
    /// Set an account's e-mail address, mail language, daily digest and alerts.
    Mail {
        /// Login name.
        username: String,
        /// Its e-mail address.
        #[arg(long, conflicts_with = "no_email")]
        email: Option<String>,
        /// Remove its e-mail address (it then receives no mail).
        #[arg(long)]
        no_email: bool,
        /// The language of its mail.
        #[arg(long, value_parser = ["zh-TW", "en"])]
        lang: Option<String>,
        /// Whether it receives the daily digest.
        #[arg(long, value_parser = ["on", "off"])]
        digest: Option<String>,
        /// Whether it receives immediate alerts.
        #[arg(long, value_parser = ["on", "off"])]
        alerts: Option<String>,
    },
    /// Set a new password (to be changed at the next sign-in).
    Passwd {
        /// Login name.
        username: String,
    },
    /// Remove an account and end its sessions.
    Remove {
        /// Login name.
        username: String,
    },
    /// List the accounts.
    List,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("portal: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::CheckConfig => {
            let mut shown = config.clone();
            shown.database_url = server::config::DatabaseUrl::new(config.database_url.redacted());
            #[expect(
                clippy::print_stdout,
                reason = "printing the configuration is this command's job"
            )]
            {
                println!("{}", toml::to_string_pretty(&shown)?);
            }
            Ok(())
        }
        Command::Admin { command } => {
            use server::auth::Role;
            use server::cli::AccountCommand;
            let command = match command {
                AdminCommand::Add {
                    username,
                    role,
                    email,
                    lang,
                } => AccountCommand::Add {
                    username,
                    role: Role::parse(&role).unwrap_or(Role::Viewer),
                    email,
                    lang: Lang::from_tag(&lang).unwrap_or(Lang::ZhTw),
                },
                AdminCommand::Mail {
                    username,
                    email,
                    no_email,
                    lang,
                    digest,
                    alerts,
                } => AccountCommand::Mail {
                    username,
                    email: if no_email {
                        Some(None)
                    } else {
                        email.map(Some)
                    },
                    lang: lang.as_deref().and_then(Lang::from_tag),
                    digest: digest.map(|d| d == "on"),
                    alerts: alerts.map(|a| a == "on"),
                },
                AdminCommand::Passwd { username } => AccountCommand::Passwd { username },
                AdminCommand::Remove { username } => AccountCommand::Remove { username },
                AdminCommand::List => AccountCommand::List,
            };
            run_tool(server::cli::run(&config, command))
        }
        Command::Notify { now } => run_tool(server::cli::notify::run(config, now)),
        Command::DemoData { reports } => run_tool(server::cli::demo::run(config, reports)),
        Command::Serve => {
            // Held to the end: dropping it writes what is still queued.
            let _logs = init_tracing(config.log_format);
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(server::run(config))
        }
    }
}

/// Runs a command-line tool to its end and prints what it answers.
fn run_tool(tool: impl Future<Output = anyhow::Result<String>>) -> anyhow::Result<()> {
    let message = tokio::runtime::Runtime::new()?.block_on(tool)?;
    #[expect(
        clippy::print_stdout,
        reason = "printing the result is this command's job"
    )]
    {
        println!("{message}");
    }
    Ok(())
}

/// Logs to standard output from a thread of their own: a request's thread formats its
/// lines and queues them, and that thread writes everything queued in one `write` (a
/// `write` per line was a tenth of the CPU time of a cached page). Nothing is dropped: a
/// full queue makes loggers wait.
fn init_tracing(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("portal-logs")
        .finish(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stdout(),
        ));
    // Colours only for a person at a terminal, not in files and journals.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
    guard
}

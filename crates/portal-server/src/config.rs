//! Command line and environment configuration. Every option is also read from a `PORTAL_`
//! environment variable; a `.env` file in the working directory is read in development.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "portal",
    version,
    about = "Patient portal server and admin tool"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (the default when no command is given).
    Serve(ServeArgs),
    /// Fill an empty database with invented demo data.
    Seed(SeedArgs),
    /// Manage provider invite codes.
    #[command(subcommand)]
    Invite(InviteCommand),
    /// Copy every record from one database to another, for example from SQLite to MongoDB.
    MigrateData(MigrateArgs),
}

#[derive(Debug, Subcommand)]
pub enum InviteCommand {
    /// Create a single-use provider invite code and print it.
    Create(InviteArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

/// Settings every command needs.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Database URL: `sqlite://PATH` opens or creates an SQLite file; `mongodb://` or
    /// `mongodb+srv://` connects to MongoDB.
    // The value may hold a password, so `--help` does not show it.
    #[arg(
        long,
        env = "PORTAL_DATABASE_URL",
        default_value = "sqlite://./data/portal.db",
        hide_env_values = true
    )]
    pub database_url: String,

    /// MongoDB database name; overrides the database in the path of a `mongodb://` URL.
    #[arg(long, env = "PORTAL_MONGODB_DATABASE")]
    pub mongodb_database: Option<String>,

    /// `development` generates missing secrets; `production` requires them.
    #[arg(
        long = "env",
        env = "PORTAL_ENV",
        value_enum,
        default_value = "development"
    )]
    pub environment: Environment,

    /// Log output: `human` or `json` (the default in production).
    #[arg(long, env = "PORTAL_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,

    /// IANA time zone whose date is "today" for ages, tips and reminders.
    #[arg(long, env = "PORTAL_CLINIC_TIME_ZONE", default_value = "UTC")]
    pub clinic_time_zone: chrono_tz::Tz,
}

#[derive(Debug, Clone, Parser)]
pub struct ServeArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Address and port to listen on.
    #[arg(long, env = "PORTAL_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Secret for signing access tokens, at least 32 bytes. Generated into the data folder in
    /// development when missing.
    #[arg(long, env = "PORTAL_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Lifetime of an access token, in minutes.
    #[arg(long, env = "PORTAL_ACCESS_TOKEN_MINUTES", default_value_t = 15,
        value_parser = clap::value_parser!(u32).range(1..=60))]
    pub access_token_minutes: u32,

    /// Maximum session length after sign-in, in hours.
    #[arg(long, env = "PORTAL_SESSION_HOURS", default_value_t = 12,
        value_parser = clap::value_parser!(u32).range(1..=720))]
    pub session_hours: u32,

    /// Folder holding the built web app (`index.html` and assets).
    #[arg(long, env = "PORTAL_WEB_DIR", default_value = "web/dist")]
    pub web_dir: PathBuf,

    /// Seed demo data into an empty database and print the demo sign-ins.
    #[arg(long)]
    pub demo: bool,
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self::parse_from(["serve"])
    }
}

#[derive(Debug, Clone, Parser)]
pub struct SeedArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Number of invented patients to create.
    #[arg(long, default_value_t = 200)]
    pub patients: usize,
}

#[derive(Debug, Clone, Parser)]
pub struct InviteArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Hours until the code expires.
    #[arg(long, env = "PORTAL_INVITE_TTL_HOURS", default_value_t = 72,
        value_parser = clap::value_parser!(u32).range(1..=2160))]
    pub ttl_hours: u32,
}

#[derive(Debug, Clone, Parser)]
pub struct MigrateArgs {
    /// URL of the database to copy from, in any form `PORTAL_DATABASE_URL` accepts.
    // The values may hold passwords, so `--help` does not show them. Setting them in the
    // environment keeps passwords out of the process list.
    #[arg(
        long,
        value_name = "URL",
        env = "PORTAL_MIGRATE_FROM",
        hide_env_values = true
    )]
    pub from: String,

    /// URL of the database to copy into, in any form `PORTAL_DATABASE_URL` accepts.
    #[arg(
        long,
        value_name = "URL",
        env = "PORTAL_MIGRATE_TO",
        hide_env_values = true
    )]
    pub to: String,

    /// MongoDB database to copy from; overrides the database in the path of the --from URL.
    #[arg(long, value_name = "NAME")]
    pub from_mongodb_database: Option<String>,

    /// MongoDB database to copy into; overrides the database in the path of the --to URL.
    #[arg(long, value_name = "NAME")]
    pub to_mongodb_database: Option<String>,

    /// Copy into a target that already contains records. A record whose key (id, email,
    /// invite hash or audit sequence number) exists in the target still stops the copy.
    #[arg(long)]
    pub force: bool,

    /// Records read from the source and written to the target per transaction.
    #[arg(long, default_value_t = 500,
        value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub batch_size: u32,

    /// `development` or `production` (which logs JSON).
    #[arg(
        long = "env",
        env = "PORTAL_ENV",
        value_enum,
        default_value = "development"
    )]
    pub environment: Environment,

    /// Log output: `human` or `json` (the default in production).
    #[arg(long, env = "PORTAL_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
}

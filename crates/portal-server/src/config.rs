//! Command line and environment configuration. Every option is also read from a `PORTAL_`
//! environment variable; a `.env` file in the working directory is read in development.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ipnet::IpNet;
use portal_core::model::Role;
use portal_core::throttle::{LoginThrottleSettings, ThrottleLimit};

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
    /// Check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Manage the data keys that encrypt health data at rest.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Write a consistent copy of the SQLite database to a file, while the portal runs.
    Backup(BackupArgs),
    /// Check a backup file and replace the SQLite database with it; the portal must be stopped.
    Restore(RestoreArgs),
}

#[derive(Debug, Clone, Parser)]
pub struct BackupArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// File to write the backup to. Its folder must exist.
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,

    /// Replace the file when it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Parser)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Backup file to restore, as written by `portal backup`.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Re-encrypt every patient, appointment and two-step sign-in secret under the newest key
    /// of PORTAL_DATA_KEY, and report how many records use each key. Safe to stop and run again, and while the
    /// portal runs.
    Rotate(KeysRotateArgs),
}

#[derive(Debug, Clone, Parser)]
pub struct KeysRotateArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Records re-encrypted per transaction (SQLite) or per batch of conditional updates
    /// (MongoDB).
    #[arg(long, default_value_t = 200,
        value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub batch_size: u32,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain of the whole audit log and name the first broken link.
    Verify(AuditVerifyArgs),
}

#[derive(Debug, Clone, Parser)]
pub struct AuditVerifyArgs {
    #[command(flatten)]
    pub common: CommonArgs,
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

    /// Keys that encrypt health data at rest: comma-separated `<key id>:<base64 32-byte key>`
    /// entries, oldest first; the last one encrypts. Generated into the data folder in
    /// development when missing.
    #[arg(long, env = "PORTAL_DATA_KEY", hide_env_values = true)]
    pub data_key: Option<String>,
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

    /// Minutes without an authenticated request or a renewal after which a session ends. Must
    /// be at least the access-token lifetime (PORTAL_ACCESS_TOKEN_MINUTES).
    #[arg(long, env = "PORTAL_SESSION_IDLE_MINUTES", default_value_t = 15,
        value_parser = clap::value_parser!(u32).range(1..=720))]
    pub session_idle_minutes: u32,

    /// Seconds that a stopping server (SIGTERM or SIGINT) waits for requests in flight to
    /// finish. Requests still running after that are abandoned; pending audit events are
    /// written either way.
    #[arg(long, env = "PORTAL_SHUTDOWN_GRACE_SECONDS", default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..=600))]
    pub shutdown_grace_seconds: u32,

    /// Folder of a built web app (`index.html` and `assets/`) to serve instead of the one
    /// compiled into the binary.
    #[arg(long, env = "PORTAL_WEB_DIR", value_name = "PATH")]
    pub web_dir: Option<PathBuf>,

    /// PEM file with the TLS certificate chain, leaf certificate first. Set together with
    /// `PORTAL_TLS_KEY` to serve HTTPS instead of HTTP.
    #[arg(long, env = "PORTAL_TLS_CERT", value_name = "PATH")]
    pub tls_cert: Option<PathBuf>,

    /// PEM file with the private key of the TLS certificate (PKCS #8, PKCS #1 or SEC1).
    #[arg(long, env = "PORTAL_TLS_KEY", value_name = "PATH")]
    pub tls_key: Option<PathBuf>,

    /// Seed demo data into an empty database and print the demo sign-ins.
    #[arg(long)]
    pub demo: bool,

    /// Reverse proxies whose `X-Forwarded-For` and `Forwarded` headers are trusted: a
    /// comma-separated list of IP addresses and CIDR ranges, such as `10.0.0.0/8,192.0.2.7`.
    /// Empty by default, so the client address is the TCP peer.
    #[arg(long, env = "PORTAL_TRUSTED_PROXIES", value_delimiter = ',',
        value_parser = parse_trusted_proxy)]
    pub trusted_proxies: Vec<IpNet>,

    /// Failed sign-ins allowed per account (per submitted email) before further attempts get
    /// 429. One failure is forgotten every `PORTAL_LOGIN_THROTTLE_MINUTES` divided by this.
    #[arg(long, env = "PORTAL_LOGIN_ATTEMPTS_PER_ACCOUNT", default_value_t = 5,
        value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub login_attempts_per_account: u32,

    /// Failed sign-ins allowed per client address, across all accounts, before further
    /// attempts get 429. IPv6 addresses count per /64 network.
    #[arg(long, env = "PORTAL_LOGIN_ATTEMPTS_PER_ADDRESS", default_value_t = 20,
        value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub login_attempts_per_address: u32,

    /// Minutes after the last failed sign-in until an account's or address's failures are
    /// all forgotten.
    #[arg(long, env = "PORTAL_LOGIN_THROTTLE_MINUTES", default_value_t = 15,
        value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub login_throttle_minutes: u32,

    /// Roles that must set up two-step sign-in (TOTP) before using anything but their
    /// account: a comma-separated list of `patient`, `provider` and `admin`, or `none`.
    /// Defaults to `provider,admin` in production and `none` in development.
    #[arg(long, env = "PORTAL_MFA_REQUIRED_ROLES", value_parser = parse_role_list)]
    pub mfa_required_roles: Option<RoleList>,
}

/// A list of roles from a comma-separated option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleList(pub Vec<Role>);

/// Parses `PORTAL_MFA_REQUIRED_ROLES`: role names separated by commas, or `none`.
fn parse_role_list(value: &str) -> Result<RoleList, String> {
    let value = value.trim();
    if value.is_empty() || value.eq_ignore_ascii_case("none") {
        return Ok(RoleList(Vec::new()));
    }
    let mut roles = Vec::new();
    for entry in value.split(',') {
        let name = entry.trim().to_ascii_lowercase();
        let role = Role::parse(&name).ok_or_else(|| {
            format!(
                "PORTAL_MFA_REQUIRED_ROLES: `{}` is not a role; use patient, provider, admin or none",
                entry.trim()
            )
        })?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    Ok(RoleList(roles))
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self::parse_from(["serve"])
    }
}

impl ServeArgs {
    /// Returns the roles that must use two-step sign-in: `PORTAL_MFA_REQUIRED_ROLES`, or else
    /// providers and admins in production and no role in development.
    pub fn mfa_required_roles(&self) -> Vec<Role> {
        match &self.mfa_required_roles {
            Some(RoleList(roles)) => roles.clone(),
            None if self.common.environment == Environment::Production => {
                vec![Role::Provider, Role::Admin]
            }
            None => Vec::new(),
        }
    }

    /// Returns the sign-in throttle limits set by the `PORTAL_LOGIN_*` options.
    pub fn login_throttle(&self) -> LoginThrottleSettings {
        let window = chrono::Duration::minutes(i64::from(self.login_throttle_minutes));
        LoginThrottleSettings {
            per_account: ThrottleLimit {
                max_failures: self.login_attempts_per_account,
                window,
            },
            per_address: ThrottleLimit {
                max_failures: self.login_attempts_per_address,
                window,
            },
        }
    }
}

/// Parses one `PORTAL_TRUSTED_PROXIES` entry: an IP address (a single-host range) or a CIDR
/// range.
fn parse_trusted_proxy(entry: &str) -> Result<IpNet, String> {
    let entry = entry.trim();
    if let Ok(address) = entry.parse::<IpAddr>() {
        return Ok(IpNet::from(address));
    }
    entry.parse::<IpNet>().map_err(|_| {
        "invalid entry in PORTAL_TRUSTED_PROXIES: each comma-separated entry must be an IP \
         address such as 192.0.2.7 or a CIDR range such as 10.0.0.0/8"
            .to_owned()
    })
}

#[derive(Debug, Clone, Parser)]
pub struct SeedArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Number of invented patients to create.
    #[arg(long, default_value_t = 200)]
    pub patients: usize,

    /// Number of invented providers to create; the first is the demo provider.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub providers: u32,

    /// For load tests only: a password given to every seeded patient and provider other than
    /// the demo logins, so a benchmark can sign in as many of them. Without it they share an
    /// unusable password. Rejected with `PORTAL_ENV=production`.
    #[arg(long, env = "PORTAL_SEED_BENCH_PASSWORD", hide_env_values = true)]
    pub bench_password: Option<String>,
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

    /// Data keys of the source database, in the form of PORTAL_DATA_KEY.
    #[arg(long, env = "PORTAL_DATA_KEY", hide_env_values = true)]
    pub data_key: Option<String>,

    /// Data keys of the target database, in the form of PORTAL_DATA_KEY; defaults to
    /// PORTAL_DATA_KEY, or in development to the key generated into the target's data folder.
    /// Records are decrypted with the source's keys and encrypted with the newest target key.
    #[arg(long, env = "PORTAL_MIGRATE_TO_DATA_KEY", hide_env_values = true)]
    pub to_data_key: Option<String>,

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_accept_addresses_and_ranges() {
        let args = ServeArgs::try_parse_from([
            "serve",
            "--trusted-proxies",
            "10.0.0.0/8, 192.0.2.7,2001:db8::/32,::1",
        ])
        .unwrap();
        let expected: Vec<IpNet> = ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32", "::1/128"]
            .iter()
            .map(|entry| entry.parse().unwrap())
            .collect();
        assert_eq!(args.trusted_proxies, expected);
    }

    #[test]
    fn trusted_proxies_default_to_none() {
        assert!(ServeArgs::default().trusted_proxies.is_empty());
    }

    #[test]
    fn invalid_trusted_proxy_names_variable() {
        for list in [
            "10.0.0.0/8,bogus",
            "10.0.0.0/33",
            "192.0.2.7:80",
            "REPLACE_ME",
        ] {
            let error = ServeArgs::try_parse_from(["serve", "--trusted-proxies", list])
                .unwrap_err()
                .to_string();
            assert!(error.contains("PORTAL_TRUSTED_PROXIES"), "{list}: {error}");
        }
    }

    #[test]
    fn mfa_roles_default_by_environment() {
        assert_eq!(
            ServeArgs::default().mfa_required_roles(),
            Vec::<Role>::new()
        );
        let production = ServeArgs::try_parse_from(["serve", "--env", "production"]).unwrap();
        assert_eq!(
            production.mfa_required_roles(),
            vec![Role::Provider, Role::Admin]
        );
    }

    #[test]
    fn mfa_roles_parse_lists() {
        let cases = [
            ("patient, Provider", vec![Role::Patient, Role::Provider]),
            ("admin,admin", vec![Role::Admin]),
            ("none", Vec::new()),
        ];
        for (list, expected) in cases {
            let args = ServeArgs::try_parse_from(["serve", "--mfa-required-roles", list]).unwrap();
            assert_eq!(args.mfa_required_roles(), expected, "{list}");
        }
        let error = ServeArgs::try_parse_from(["serve", "--mfa-required-roles", "nurse"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("PORTAL_MFA_REQUIRED_ROLES"), "{error}");
    }

    #[test]
    fn login_throttle_defaults() {
        let limits = ServeArgs::default().login_throttle();
        assert_eq!(limits, LoginThrottleSettings::default());
    }
}

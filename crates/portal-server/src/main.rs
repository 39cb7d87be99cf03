use std::process::ExitCode;

use clap::Parser;
use portal_server::config::{AuditCommand, Cli, Command, InviteCommand, KeysCommand, ServeArgs};
use portal_server::{audit_check, backup, keys, logging, migrate, seed, server};

#[tokio::main]
async fn main() -> ExitCode {
    if let Err(error) = dotenvy::dotenv()
        && !error.not_found()
    {
        eprintln!("error: reading .env failed: {error}");
        return ExitCode::FAILURE;
    }
    let command = Cli::parse()
        .command
        .unwrap_or_else(|| Command::Serve(ServeArgs::default()));
    let (environment, log_format) = match &command {
        Command::Serve(args) => (args.common.environment, args.common.log_format),
        Command::Seed(args) => (args.common.environment, args.common.log_format),
        Command::Invite(InviteCommand::Create(args)) => {
            (args.common.environment, args.common.log_format)
        }
        Command::MigrateData(args) => (args.environment, args.log_format),
        Command::Audit(AuditCommand::Verify(args)) => {
            (args.common.environment, args.common.log_format)
        }
        Command::Keys(KeysCommand::Rotate(args)) => {
            (args.common.environment, args.common.log_format)
        }
        Command::Backup(args) => (args.common.environment, args.common.log_format),
        Command::Restore(args) => (args.common.environment, args.common.log_format),
    };
    logging::init(environment, log_format);

    let result = match command {
        Command::Serve(args) => server::serve(args).await,
        Command::Seed(args) => seed::run(args).await,
        Command::Invite(InviteCommand::Create(args)) => seed::create_invite(args).await,
        Command::MigrateData(args) => migrate::run(args).await,
        Command::Audit(AuditCommand::Verify(args)) => audit_check::verify(args).await,
        Command::Keys(KeysCommand::Rotate(args)) => keys::rotate(args).await,
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => backup::restore(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            ExitCode::FAILURE
        }
    }
}

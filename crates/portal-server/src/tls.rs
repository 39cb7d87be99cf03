//! HTTPS served by rustls: the certificate and key files named by `PORTAL_TLS_CERT` and
//! `PORTAL_TLS_KEY`, loaded into a server configuration with the ring crypto provider.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, anyhow, bail};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::ServeArgs;

/// Paths of the PEM certificate chain and private key to serve HTTPS with.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Returns the TLS files when both `PORTAL_TLS_CERT` and `PORTAL_TLS_KEY` are set, `None` when
/// neither is, and a message naming the missing one when only one is.
pub fn configured_files(args: &ServeArgs) -> Result<Option<TlsFiles>, String> {
    match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Ok(Some(TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
        })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(
            "PORTAL_TLS_CERT is set but PORTAL_TLS_KEY is not; set both to serve HTTPS, or \
             neither"
                .to_owned(),
        ),
        (None, Some(_)) => Err(
            "PORTAL_TLS_KEY is set but PORTAL_TLS_CERT is not; set both to serve HTTPS, or \
             neither"
                .to_owned(),
        ),
    }
}

/// Builds the rustls server configuration, offering HTTP/2 and HTTP/1.1 through ALPN.
///
/// Errors name the variable whose file is missing, unreadable, not PEM, or does not match
/// the other file.
pub fn server_config(files: &TlsFiles) -> anyhow::Result<Arc<ServerConfig>> {
    let chain = read_certificate_chain(&files.cert)?;
    let key = read_private_key(&files.key)?;
    // The ring provider is the one the mongodb and reqwest crates use, so the binary carries a
    // single rustls crypto provider.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("the TLS protocol versions are not supported by the ring provider")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|error| {
            anyhow!(
                "the private key in PORTAL_TLS_KEY ({}) cannot be used with the certificate in \
                 PORTAL_TLS_CERT ({}): {error}; check that the two files belong together",
                files.key.display(),
                files.cert.display()
            )
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read_certificate_chain(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let invalid = |error: &dyn std::fmt::Display| {
        anyhow!(
            "PORTAL_TLS_CERT ({}) is not a readable PEM certificate file: {error}",
            path.display()
        )
    };
    let chain = CertificateDer::pem_file_iter(path)
        .map_err(|error| invalid(&error))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| invalid(&error))?;
    if chain.is_empty() {
        bail!(
            "PORTAL_TLS_CERT ({}) contains no PEM certificate (a `BEGIN CERTIFICATE` block)",
            path.display()
        );
    }
    Ok(chain)
}

fn read_private_key(path: &Path) -> anyhow::Result<PrivateKeyDer<'static>> {
    // The PEM errors show at most a section marker line, never key material.
    PrivateKeyDer::from_pem_file(path).map_err(|error| {
        anyhow!(
            "PORTAL_TLS_KEY ({}) is not a readable PEM private key file (PKCS #8, PKCS #1 or \
             SEC1): {error}",
            path.display()
        )
    })
}

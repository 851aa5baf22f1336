//! TLS for mqtts:// with rustls (ring), from PEM files.

use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::config::Northbound;
use crate::tls::{chain_and_key, pem_err};

/// The client config for `cfg`'s CA and optional client certificate.
pub fn client_config(cfg: &Northbound) -> Result<Arc<rustls::ClientConfig>, String> {
    let ca = cfg
        .ca_file
        .as_deref()
        .ok_or("northbound.ca_file is required for mqtts")?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).map_err(|e| pem_err(ca, e))? {
        roots
            .add(cert.map_err(|e| pem_err(ca, e))?)
            .map_err(|e| pem_err(ca, e))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots);
    let config = match (&cfg.client_cert_file, &cfg.client_key_file) {
        (Some(cert), Some(key)) => {
            let (chain, key) = chain_and_key(cert, key)?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| e.to_string())?
        }
        _ => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

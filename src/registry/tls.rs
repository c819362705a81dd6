//! TLS as private registries run it: the system roots plus the certificates the
//! user trusts (`--ca-cert`, config `ca_cert`, `certs.d/<host>/*.crt`); a
//! trusted certificate that is itself the server's (a self-signed
//! `openssl req -x509` certificate, marked `CA:TRUE`) is accepted after its
//! signature, validity period and names are checked, as Docker, skopeo and curl
//! accept it; client certificates for mutual TLS.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A certificate and key the client presents (mutual TLS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCert {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// What one host's connections trust and present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostTrust {
    /// PEM certificates trusted besides the system roots (CAs, or the server's own).
    pub ca_certs: Vec<PathBuf>,
    pub client_cert: Option<ClientCert>,
    /// Accept any certificate (`--insecure`).
    pub insecure: bool,
}

/// The rustls configuration for `trust`.
pub fn client_config(trust: &HostTrust) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up: {e}"))?;
    let verifier: Arc<dyn ServerCertVerifier> = Arc::new(TrustedOrPinned::new(
        &trust.ca_certs,
        trust.insecure,
        provider.clone(),
    )?);
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    match &trust.client_cert {
        None => Ok(builder.with_client_cert_resolver(Arc::new(NoClientCert))),
        Some(client) => {
            let certified = client_certified_key(client, &provider)?;
            Ok(builder.with_client_cert_resolver(Arc::new(OwnCert(certified))))
        }
    }
}

/// The client certificate chain and its signing key. Our own certificate is
/// the server's to judge, whatever its X.509 version (OpenSSL's `x509 -req`
/// makes version 1 ones, which webpki will not parse): it is only checked to
/// belong to its key, so a mismatch is said before any handshake.
fn client_certified_key(
    client: &ClientCert,
    provider: &CryptoProvider,
) -> Result<Arc<rustls::sign::CertifiedKey>, String> {
    let chain = read_certs(&client.cert)?;
    let key = PrivateKeyDer::from_pem_file(&client.key)
        .map_err(|e| format!("cannot read client key {}: {e}", client.key.display()))?;
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| format!("cannot load client key {}: {e}", client.key.display()))?;
    let (_, leaf) = x509_parser::parse_x509_certificate(chain[0].as_ref())
        .map_err(|e| format!("invalid certificate {}: {e}", client.cert.display()))?;
    if let Some(public) = signing.public_key()
        && leaf.public_key().raw != public.as_ref()
    {
        return Err(format!(
            "client certificate {} does not match the key {}",
            client.cert.display(),
            client.key.display()
        ));
    }
    Ok(Arc::new(rustls::sign::CertifiedKey::new(chain, signing)))
}

/// Presents the configured client certificate whenever a server asks.
#[derive(Debug)]
struct OwnCert(Arc<rustls::sign::CertifiedKey>);

impl rustls::client::ResolvesClientCert for OwnCert {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        self.0
            .key
            .choose_scheme(sigschemes)
            .is_some()
            .then(|| self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read certificate {}: {e}", path.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("invalid certificate {}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("no PEM certificate in {}", path.display()));
    }
    Ok(certs)
}

/// Full chain verification against the system roots plus the user's
/// certificates; failing that, a user certificate that is the server's own.
/// The system roots (some 150 files) are loaded at the first TLS handshake,
/// not before: plain-HTTP registries never pay for them.
#[derive(Debug)]
struct TrustedOrPinned {
    /// `--insecure`: any certificate passes (handshake signatures are still checked).
    insecure: bool,
    chain: std::sync::OnceLock<Result<Arc<rustls::client::WebPkiServerVerifier>, String>>,
    pinned: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl TrustedOrPinned {
    fn new(
        ca_certs: &[PathBuf],
        insecure: bool,
        provider: Arc<CryptoProvider>,
    ) -> Result<TrustedOrPinned, String> {
        let mut pinned = Vec::new();
        for path in ca_certs {
            pinned.extend(read_certs(path)?);
        }
        Ok(TrustedOrPinned {
            insecure,
            chain: std::sync::OnceLock::new(),
            pinned,
            algorithms: provider.signature_verification_algorithms,
            provider,
        })
    }

    fn chain(&self) -> Result<&Arc<rustls::client::WebPkiServerVerifier>, rustls::Error> {
        self.chain
            .get_or_init(|| {
                let mut roots = rustls::RootCertStore::empty();
                roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
                for cert in &self.pinned {
                    // A leaf (not a CA) cannot be a root: it is only ever pinned.
                    let _ = roots.add(cert.clone());
                }
                rustls::client::WebPkiServerVerifier::builder_with_provider(
                    Arc::new(roots),
                    self.provider.clone(),
                )
                .build()
                .map_err(|e| format!("TLS roots: {e}"))
            })
            .as_ref()
            .map_err(|e| rustls::Error::General(e.clone()))
    }
}

impl ServerCertVerifier for TrustedOrPinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.insecure {
            return Ok(ServerCertVerified::assertion());
        }
        let chain_error = match self.chain()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => return Ok(verified),
            Err(e) => e,
        };
        if !self
            .pinned
            .iter()
            .any(|p| p.as_ref() == end_entity.as_ref())
        {
            return Err(chain_error);
        }
        check_self_signed(end_entity, server_name, now, &self.algorithms)
            .map(|()| ServerCertVerified::assertion())
            .map_err(rustls::Error::InvalidCertificate)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A certificate the user trusts directly: it must name the host, be within its
/// validity period, and carry a valid signature by its own key.
fn check_self_signed(
    der: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
    now: UnixTime,
    algorithms: &WebPkiSupportedAlgorithms,
) -> Result<(), CertificateError> {
    let ee = webpki::EndEntityCert::try_from(der).map_err(|_| CertificateError::BadEncoding)?;
    ee.verify_is_valid_for_subject_name(server_name)
        .map_err(|_| CertificateError::NotValidForName)?;
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref())
        .map_err(|_| CertificateError::BadEncoding)?;
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let validity = cert.validity();
    if now < validity.not_before.timestamp() {
        return Err(CertificateError::NotValidYet);
    }
    if now > validity.not_after.timestamp() {
        return Err(CertificateError::Expired);
    }
    let signed = cert.tbs_certificate.as_ref();
    let signature = cert.signature_value.data.as_ref();
    let valid = algorithms
        .all
        .iter()
        .any(|alg| ee.verify_signature(*alg, signed, signature).is_ok());
    if valid {
        Ok(())
    } else {
        Err(CertificateError::BadSignature)
    }
}

/// Set once a server asked for a client certificate this process had none for,
/// so the error that follows (which TLS stacks report in varied ways) can say so.
static CLIENT_CERT_WANTED: AtomicBool = AtomicBool::new(false);

pub fn client_certificate_was_wanted() -> bool {
    CLIENT_CERT_WANTED.load(Ordering::Relaxed)
}

/// Presents nothing, and remembers that a certificate was asked for.
#[derive(Debug)]
struct NoClientCert;

impl rustls::client::ResolvesClientCert for NoClientCert {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        CLIENT_CERT_WANTED.store(true, Ordering::Relaxed);
        None
    }

    fn has_certs(&self) -> bool {
        false
    }
}

/// The `certs.d` roots Docker and podman read: `/etc/docker/certs.d`,
/// `/etc/containers/certs.d`, `~/.config/containers/certs.d`; replaced by the
/// colon-separated `REGSCOPE_CERTS_D` when set (tests, unusual set-ups).
pub fn certs_d_roots() -> Vec<PathBuf> {
    if let Some(list) = std::env::var_os("REGSCOPE_CERTS_D") {
        return std::env::split_paths(&list).collect();
    }
    let mut roots = vec![
        PathBuf::from("/etc/docker/certs.d"),
        PathBuf::from("/etc/containers/certs.d"),
    ];
    if let Some(home) = directories::BaseDirs::new() {
        roots.push(home.home_dir().join(".config/containers/certs.d"));
    }
    roots
}

/// What `certs.d/<host>/` holds: `*.crt` certificates to trust and the first
/// `*.cert` + `*.key` pair to present.
pub fn certs_d(roots: &[PathBuf], host: &str) -> HostTrust {
    let mut trust = HostTrust::default();
    for root in roots {
        let Ok(entries) = std::fs::read_dir(root.join(host)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for path in &files {
            match path.extension().and_then(|e| e.to_str()) {
                Some("crt") => trust.ca_certs.push(path.clone()),
                Some("cert") if trust.client_cert.is_none() => {
                    let key = path.with_extension("key");
                    if key.is_file() {
                        trust.client_cert = Some(ClientCert {
                            cert: path.clone(),
                            key,
                        });
                    }
                }
                _ => {}
            }
        }
    }
    trust
}

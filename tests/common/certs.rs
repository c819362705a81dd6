//! Generated certificates: a CA and a loopback server certificate for TLS mode,
//! and a self-signed signing certificate for the token server.

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, SanType};
use std::path::{Path, PathBuf};

pub struct TlsFiles {
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

/// A CA and a server certificate for `localhost` and `127.0.0.1`, written to `dir`.
pub fn tls_files(dir: &Path) -> TlsFiles {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "regscope test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA cert");

    let server_key = KeyPair::generate().expect("server key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("server params");
    params.subject_alt_names = vec![
        SanType::DnsName("localhost".try_into().expect("dns name")),
        SanType::IpAddress("127.0.0.1".parse().expect("ip")),
    ];
    let server = params.signed_by(&server_key, &ca).expect("server cert");

    let files = TlsFiles {
        ca_cert: dir.join("ca.pem"),
        server_cert: dir.join("server.pem"),
        server_key: dir.join("server-key.pem"),
    };
    std::fs::write(&files.ca_cert, ca.pem()).expect("write CA");
    std::fs::write(&files.server_cert, server.pem()).expect("write cert");
    std::fs::write(&files.server_key, server_key.serialize_pem()).expect("write key");
    files
}

/// The token server's signing key and the certificate the registry trusts.
pub struct SigningKey {
    pub key_pem: String,
    pub cert_der: Vec<u8>,
    pub cert_pem: String,
}

pub fn signing_key() -> SigningKey {
    let key = KeyPair::generate().expect("signing key");
    let mut params =
        CertificateParams::new(vec!["regscope-token-signer".to_string()]).expect("signer params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "regscope token signer");
    let cert = params.self_signed(&key).expect("signer cert");
    SigningKey {
        key_pem: key.serialize_pem(),
        cert_der: cert.der().to_vec(),
        cert_pem: cert.pem(),
    }
}

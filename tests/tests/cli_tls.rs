//! `hearth` over `https://`: a TLS-terminating proxy with a self-signed
//! certificate in front of a real `hearthd`. Trusted with `--ca-cert`
//! (or `HEARTH_CA_CERT`) the CLI reads and acts through it; without, it
//! refuses the certificate and says what to do (exit 2, code `tls`).

use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use hearth_tests::{CLI_TIMEOUT, Cli, Node, Run, hearth_bin, run_to_end};
use rustls::ServerConnection;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::Value;

/// How long the proxy waits on one side before looking at the other.
const POLL: Duration = Duration::from_millis(5);

/// A TLS-terminating reverse proxy on 127.0.0.1 in front of a plain HTTP
/// node, with a certificate made for 127.0.0.1 on the spot. Its threads
/// end with the test process.
struct TlsProxy {
    /// `https://127.0.0.1:<port>`.
    url: String,
    /// The certificate, PEM.
    cert_pem: String,
}

impl TlsProxy {
    fn start(backend: &str) -> TlsProxy {
        let backend: SocketAddr = backend
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
            .expect("the node's address");
        let (config, cert_pem) = server_config();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("https://{}", listener.local_addr().expect("addr"));
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let config = Arc::clone(&config);
                // A client that gives up on the certificate ends its
                // connection with an error: nothing to do about it here.
                thread::spawn(move || serve(client, backend, config));
            }
        });
        TlsProxy { url, cert_pem }
    }
}

/// A server configuration with a fresh self-signed certificate for
/// 127.0.0.1, and that certificate in PEM.
fn server_config() -> (Arc<rustls::ServerConfig>, String) {
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()])
        .expect("a self-signed certificate");
    let cert = CertificateDer::from(made.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("the certificate and its key");
    (Arc::new(config), made.cert.pem())
}

/// Copies bytes both ways between a TLS client and the plain backend
/// until either side closes.
fn serve(
    client: TcpStream,
    backend: SocketAddr,
    config: Arc<rustls::ServerConfig>,
) -> io::Result<()> {
    let mut upstream = TcpStream::connect(backend)?;
    client.set_read_timeout(Some(POLL))?;
    upstream.set_read_timeout(Some(POLL))?;
    let connection = ServerConnection::new(config).map_err(io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(connection, client);
    let mut buf = vec![0; 64 * 1024];
    loop {
        match tls.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => upstream.write_all(&buf[..n])?,
            Err(e) if waiting(&e) => {}
            Err(e) => return Err(e),
        }
        match upstream.read(&mut buf) {
            Ok(0) => {
                tls.conn.send_close_notify();
                return tls.flush();
            }
            Ok(n) => tls.write_all(&buf[..n])?,
            Err(e) if waiting(&e) => {}
            Err(e) => return Err(e),
        }
    }
}

/// Whether a read only timed out (nothing to read yet).
fn waiting(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Writes `text` to `dir/name` and returns the path as a string.
fn file(dir: &Path, name: &str, text: &str) -> String {
    let path: PathBuf = dir.join(name);
    std::fs::write(&path, text).expect("write a file");
    path.to_str().expect("a UTF-8 path").to_string()
}

/// Asserts the run failed with exit 2 and the JSON error `code`.
#[track_caller]
fn fails_with(run: &Run, code: &str) -> String {
    assert_eq!(run.code, Some(2), "{run}");
    let value: Value = serde_json::from_str(run.stdout.trim())
        .unwrap_or_else(|e| panic!("a JSON error ({e}): {run}"));
    assert_eq!(value["error"], code, "{run}");
    value["message"].as_str().unwrap_or_default().to_string()
}

//   hearth ──https──▶ TLS proxy (rustls, self-signed for 127.0.0.1) ──http──▶ hearthd
#[test]
fn the_cli_speaks_https_to_a_node_whose_certificate_it_is_given() {
    let node = Node::start();
    let proxy = TlsProxy::start(node.url());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let cert = file(dir.path(), "node.pem", &proxy.cert_pem);
    let cli = Cli::new(&proxy.url);

    // Trusted with --ca-cert: the node's community, read through TLS.
    let status = cli.ok(&["--ca-cert", &cert, "status"]);
    assert!(status.contains(&proxy.url), "{status}");
    let plain = Cli::new(node.url()).json(&["status"]);
    let name = plain["community"]["name"].as_str().expect("a name");
    assert!(status.contains(name), "{status}");

    // Signed requests go through it too: join, then a signed read.
    cli.ok(&["key", "new", "alice"]);
    let joined = cli.ok(&["--ca-cert", &cert, "join", &node.founder_invite()]);
    assert!(joined.contains("Joined"), "{joined}");
    let balance = cli.json(&["--ca-cert", &cert, "balance"]);
    assert_eq!(balance["balance"], 0, "{balance}");
    // HEARTH_CA_CERT says the same as --ca-cert.
    let mut by_env = Command::new(hearth_bin());
    by_env
        .args(["--node", &proxy.url, "--json", "balance"])
        .env("HEARTH_HOME", cli.home())
        .env("HEARTH_CA_CERT", &cert)
        .env_remove("HEARTH_NODE")
        .env_remove("HEARTH_KEY");
    let by_env = run_to_end(by_env, dir.path(), CLI_TIMEOUT);
    assert_eq!(by_env.code, Some(0), "{by_env}");
    let value: Value = serde_json::from_str(by_env.stdout.trim()).expect("JSON");
    assert_eq!(value["balance"], 0, "{by_env}");

    // Without it, the self-signed certificate is refused, with advice.
    let refused = cli.run(&["status"]);
    assert_eq!(refused.code, Some(2), "{refused}");
    assert!(refused.stdout.is_empty(), "{refused}");
    for needle in ["certificate", "--ca-cert", &proxy.url] {
        assert!(refused.stderr.contains(needle), "{needle:?}: {refused}");
    }
    let message = fails_with(&cli.run(&["--json", "status"]), "tls");
    assert!(message.contains("UnknownIssuer"), "{message}");

    // Another certificate is no better than none.
    let other = TlsProxy::start(node.url());
    let wrong = file(dir.path(), "other.pem", &other.cert_pem);
    fails_with(&cli.run(&["--json", "--ca-cert", &wrong, "status"]), "tls");

    // A file that holds no certificate is refused before connecting.
    let junk = file(dir.path(), "junk.pem", "not a certificate\n");
    let message = fails_with(
        &cli.run(&["--json", "--ca-cert", &junk, "status"]),
        "invalid_argument",
    );
    assert!(message.contains("junk.pem"), "{message}");
    let missing = dir.path().join("missing.pem");
    let missing = missing.to_str().expect("a UTF-8 path");
    fails_with(&cli.run(&["--json", "--ca-cert", missing, "status"]), "io");
}

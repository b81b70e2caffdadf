//! Helpers: running `hearth` in a scratch home, and a fake node that
//! answers HTTP requests from a closure and records them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// What one run of `hearth` did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    pub fn ok(self) -> String {
        assert_eq!(self.code, 0, "hearth failed: {self:?}");
        self.stdout
    }

    /// Asserts exit code `code` and returns stderr.
    pub fn fails(self, code: i32) -> String {
        assert_eq!(self.code, code, "unexpected exit status: {self:?}");
        self.stderr
    }

    /// Stdout as JSON.
    pub fn json(self) -> serde_json::Value {
        let out = self.ok();
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
    }
}

/// `hearth` with `home` as HEARTH_HOME, none of the user's settings, times
/// shown in UTC, and stdin that is not a terminal.
pub fn hearth(home: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hearth"));
    cmd.args(args)
        .env("HEARTH_HOME", home)
        .env_remove("HEARTH_NODE")
        .env_remove("HEARTH_KEY")
        .env_remove("HEARTH_PASSPHRASE")
        .env_remove("HEARTH_CA_CERT")
        .env("TZ", "UTC")
        .stdin(Stdio::null());
    cmd
}

/// Runs a prepared command.
pub fn run_cmd(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("hearth runs");
    Run {
        code: out.status.code().expect("hearth exits normally"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// Runs `hearth args…` in `home`.
pub fn run(home: &Path, args: &[&str]) -> Run {
    run_cmd(&mut hearth(home, args))
}

/// Creates key `name` in `home` and returns its did.
pub fn new_key(home: &Path, name: &str) -> String {
    let v = run(home, &["--json", "key", "new", name]).json();
    v["did"].as_str().expect("did").to_owned()
}

/// A request the fake node received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// A header's value (names are case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An answer: status, content type and body.
pub type Answer = (u16, &'static str, Vec<u8>);

type Handler = dyn Fn(&Request) -> Answer + Send + Sync;

/// An HTTP server on 127.0.0.1 that answers with `handler` and records
/// every request. Its thread ends with the test process.
pub struct FakeNode {
    pub url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl FakeNode {
    /// A node answering text: JSON when it looks like JSON.
    pub fn start(handler: impl Fn(&Request) -> (u16, String) + Send + Sync + 'static) -> FakeNode {
        FakeNode::start_raw(move |request| {
            let (status, answer) = handler(request);
            let kind = if answer.starts_with(['{', '[']) {
                "application/json"
            } else {
                "text/plain"
            };
            (status, kind, answer.into_bytes())
        })
    }

    /// A node answering any bytes (a federation export).
    pub fn start_raw(handler: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> FakeNode {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let handler: Arc<Handler> = Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                serve(stream, handler.as_ref(), &seen);
            }
        });
        FakeNode { url, requests }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("lock").clone()
    }

    /// The requests with this method.
    pub fn requests_to(&self, method: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method)
            .collect()
    }
}

/// Reads one request, records it, then answers: recording first, so a
/// test that reads the requests once the client has its answer sees them.
fn serve(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Request>>) -> Option<()> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let request = Request {
        method,
        path,
        headers,
        body,
    };
    let (status, kind, answer) = handler(&request);
    seen.lock().expect("lock").push(request);
    let mut stream = stream;
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(&answer).ok()
}

//! A headless Chromium driven over the DevTools protocol (CDP), for the
//! dashboard's browser tests: a small synchronous client over one
//! WebSocket (`tungstenite`), one page.
//!
//! [`Browser::launch`] starts `/usr/bin/chromium` (or `$CHROMIUM`) headless
//! with its own profile in a temporary directory and the flags that keep
//! it from reaching out to the network on its own, reads the `DevTools
//! listening on ws://…` line, opens a page and attaches to it. The page's
//! errors are collected as they come: uncaught exceptions
//! (`Runtime.exceptionThrown`), `console.error` calls and error entries of
//! the browser's log (failed loads among them). Every wait has a deadline;
//! the browser is killed when the handle is dropped.

use std::io::{BufRead as _, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// Where the tests look for Chromium (the Debian `chromium` package).
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// How long Chromium may take to start and say where it listens.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long one command, or a page load, may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// What a page loaded: its HTTP status and the errors it caused.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The main document's HTTP status.
    pub status: u16,
    /// Errors the page caused while loading: exceptions, console errors
    /// and error log entries, each as one line.
    pub errors: Vec<String>,
}

/// A headless Chromium with one page.
#[derive(Debug)]
pub struct Browser {
    child: Child,
    socket: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    /// Events read while waiting for something else, not yet looked at.
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

/// The Chromium binary: `$CHROMIUM` or [`CHROMIUM`]. Panics saying how
/// to install it when it is missing.
pub fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from(CHROMIUM), PathBuf::from);
    assert!(
        path.exists(),
        "the browser tests need Chromium at {}: install it with `sudo apt-get install chromium` \
         (Debian/Ubuntu; .ci/run does this), or set CHROMIUM to a Chromium binary",
        path.display()
    );
    path
}

impl Browser {
    /// Starts headless Chromium and opens a blank page 1280 px wide.
    pub fn launch() -> Browser {
        let binary = chromium();
        let profile = tempfile::Builder::new()
            .prefix("hearth-chromium-")
            .tempdir()
            .expect("a temporary directory");
        let mut child = Command::new(&binary)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let stderr = child.stderr.take().expect("chromium's stderr");
        let (tx, rx) = mpsc::channel();
        // Reads Chromium's stderr to the end (so it never blocks on a full
        // pipe), passing on the line that says where it listens.
        thread::spawn(move || {
            let mut seen = Vec::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("ws://") {
                    let _ = tx.send(Ok(line[at..].trim().to_string()));
                } else if seen.len() < 50 {
                    seen.push(line);
                }
            }
            let _ = tx.send(Err(seen.join("\n")));
        });
        let url = match rx.recv_timeout(START_TIMEOUT) {
            Ok(Ok(url)) => url,
            Ok(Err(output)) => {
                let _ = child.kill();
                panic!("chromium exited without a DevTools address:\n{output}")
            }
            Err(_) => {
                let _ = child.kill();
                panic!("chromium did not say where DevTools listens within {START_TIMEOUT:?}")
            }
        };
        let socket = connect(&url);
        let mut browser = Browser {
            child,
            socket,
            session: String::new(),
            next_id: 0,
            events: Vec::new(),
            _profile: profile,
        };
        let target = browser.call_browser("Target.createTarget", json!({ "url": "about:blank" }));
        let target = target["targetId"]
            .as_str()
            .expect("a target id")
            .to_string();
        let attached = browser.call_browser(
            "Target.attachToTarget",
            json!({ "targetId": target, "flatten": true }),
        );
        browser.session = attached["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        for domain in [
            "Page.enable",
            "Runtime.enable",
            "Log.enable",
            "Network.enable",
        ] {
            browser.call(domain, json!({}));
        }
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
        );
        browser
    }

    fn send(&mut self, method: &str, params: Value, session: Option<&str>) -> u64 {
        self.next_id += 1;
        let mut message = json!({ "id": self.next_id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .unwrap_or_else(|e| panic!("cannot send {method} to chromium: {e}"));
        self.next_id
    }

    /// The next message from Chromium, within the deadline.
    fn read(&mut self, deadline: Instant, what: &str) -> Value {
        loop {
            assert!(
                Instant::now() < deadline,
                "chromium did not answer {what} in time"
            );
            match self.socket.read() {
                Ok(Message::Text(text)) => {
                    return serde_json::from_str(text.as_str())
                        .unwrap_or_else(|e| panic!("chromium sent bad JSON ({e}): {text}"));
                }
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    continue;
                }
                Err(e) => panic!("the DevTools connection failed waiting for {what}: {e}"),
            }
        }
    }

    fn wait_result(&mut self, id: u64, method: &str) -> Value {
        let deadline = Instant::now() + CALL_TIMEOUT;
        loop {
            let message = self.read(deadline, method);
            if message["id"].as_u64() == Some(id) {
                if let Some(error) = message.get("error") {
                    panic!("{method} failed: {error}");
                }
                return message["result"].clone();
            }
            if message.get("method").is_some() {
                self.events.push(message);
            }
        }
    }

    fn call_browser(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params, None);
        self.wait_result(id, method)
    }

    /// Calls `method` on the page and returns its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        let id = self.send(method, params, Some(&session));
        self.wait_result(id, method)
    }

    /// Loads `url` and waits for its load event; returns the document's
    /// status and the errors collected on the way.
    pub fn goto(&mut self, url: &str) -> Loaded {
        self.events.clear();
        let navigated = self.call("Page.navigate", json!({ "url": url }));
        if let Some(error) = navigated.get("errorText").and_then(Value::as_str) {
            panic!("chromium could not load {url}: {error}");
        }
        let deadline = Instant::now() + CALL_TIMEOUT;
        let mut seen = std::mem::take(&mut self.events);
        while !seen.iter().any(|e| e["method"] == "Page.loadEventFired") {
            let message = self.read(deadline, &format!("the load of {url}"));
            if message.get("method").is_some() {
                seen.push(message);
            }
        }
        // Errors logged just after the load event arrive with the next
        // answers: a round trip collects them.
        self.evaluate("document.readyState");
        seen.append(&mut self.events);
        let mut loaded = Loaded::default();
        for event in &seen {
            let params = &event["params"];
            match event["method"].as_str().unwrap_or_default() {
                "Network.responseReceived" if params["type"] == "Document" => {
                    loaded.status = params["response"]["status"].as_u64().unwrap_or(0) as u16;
                }
                "Runtime.exceptionThrown" => loaded.errors.push(format!(
                    "exception: {}",
                    params["exceptionDetails"]["exception"]["description"]
                        .as_str()
                        .or(params["exceptionDetails"]["text"].as_str())
                        .unwrap_or_default()
                )),
                "Runtime.consoleAPICalled" if params["type"] == "error" => {
                    loaded
                        .errors
                        .push(format!("console.error: {}", params["args"]));
                }
                "Log.entryAdded" if params["entry"]["level"] == "error" => {
                    loaded.errors.push(format!(
                        "log: {} ({})",
                        params["entry"]["text"].as_str().unwrap_or_default(),
                        params["entry"]["url"].as_str().unwrap_or_default()
                    ))
                }
                _ => {}
            }
        }
        loaded
    }

    /// Evaluates `expression` in the page; returns its value as JSON.
    pub fn evaluate(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        );
        if let Some(details) = result.get("exceptionDetails") {
            panic!("{expression} threw: {details}");
        }
        result["result"]["value"].clone()
    }

    /// A PNG of the whole page, saved as `path`.
    pub fn screenshot(&mut self, path: &Path) {
        let metrics = self.call("Page.getLayoutMetrics", json!({}));
        let size = &metrics["cssContentSize"];
        let (width, height) = (
            size["width"].as_f64().unwrap_or(1280.0),
            size["height"].as_f64().unwrap_or(900.0).min(16_000.0),
        );
        let shot = self.call(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": width, "height": height, "scale": 1 },
            }),
        );
        let png = B64
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("base64 screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a screenshot is a PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("the artefact directory");
        }
        std::fs::write(path, png).expect("the screenshot is saved");
    }
}

/// Connects to Chromium's DevTools WebSocket at `url` (`ws://host:port/…`).
fn connect(url: &str) -> WebSocket<TcpStream> {
    let address = url
        .strip_prefix("ws://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("not a DevTools address: {url}"));
    let stream = TcpStream::connect(address).unwrap_or_else(|e| panic!("cannot reach {url}: {e}"));
    // Reads wake up now and then, so every wait can check its deadline.
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .expect("a read timeout");
    let (socket, _) = tungstenite::client(url, stream)
        .unwrap_or_else(|e| panic!("cannot open the DevTools connection {url}: {e}"));
    socket
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.socket.close(None);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the browser tests save their screenshots: `target/browser-artifacts`
/// of the workspace (or `$HEARTH_ARTIFACTS`).
pub fn artifacts_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("HEARTH_ARTIFACTS") {
        return PathBuf::from(dir);
    }
    // bin_dir is target/<profile>.
    crate::bin_dir()
        .parent()
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
        .join("browser-artifacts")
}

//! Child processes of the oracle tests: a hermetic environment, a timeout
//! on everything, and a guard that kills what is still running when a test
//! ends (also on panic), so no test can hang or leak a server.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Dummy AWS settings (docs/testing.md): the AWS SDK finds credentials and
/// a region without a network, a profile or an instance role.
const AWS_DUMMIES: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "AKIAORACLETESTDUMMY0"),
    ("AWS_SECRET_ACCESS_KEY", "oracle-test-dummy-secret"),
    ("AWS_REGION", "us-east-1"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
    ("AWS_CONFIG_FILE", "/dev/null"),
    ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
];

/// Clear what could leak into a child from the developer's environment
/// (`KRAKEND_*` overrides config values, `AWS_*` and `OTEL_*` change where
/// telemetry goes), then set the dummies, `USAGE_DISABLE=1` (no usage
/// report over the network) and `HOME`.
pub fn hermetic(cmd: &mut Command, home: &Path) {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if ["KRAKEND_", "AWS_", "OTEL_", "GOOGLE_", "INFLUXDB_"]
            .iter()
            .any(|p| key.starts_with(p))
        {
            cmd.env_remove(key.as_ref());
        }
    }
    cmd.envs(AWS_DUMMIES.iter().copied())
        .env("USAGE_DISABLE", "1")
        .env("HOME", home)
        // The influxdb exporter of the `contrib` flavour reads these.
        .env("INFLUXDB_USERNAME", "oracle")
        .env("INFLUXDB_PASSWORD", "oracle-dummy")
        .stdin(Stdio::null());
}

/// A loopback port for a server a test starts: free when handed out, and
/// never handed out twice in one run. A port from `bind(0)` could be handed
/// to the next test asking (the kernel picks ephemeral ports at random),
/// and the collector of one test then found its port taken by another's;
/// these come from below the ephemeral range (Linux: 32768 and up), where
/// neither `bind(0)` nor an outgoing connection takes one, in an order of
/// their own, starting at a place that depends on the process so that two
/// test runs side by side seldom try the same ports.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    const FIRST: u16 = 20_000;
    const LAST: u16 = 32_000;
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let offset = u16::try_from(std::process::id() % 40).unwrap_or(0) * 250;
    let _ = NEXT.compare_exchange(0, FIRST + offset, Ordering::SeqCst, Ordering::SeqCst);
    loop {
        let port = NEXT.fetch_add(1, Ordering::SeqCst);
        assert!(
            (FIRST..=LAST).contains(&port),
            "no free loopback port left below {LAST}"
        );
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Run to completion, killed after `limit`.
pub fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Result<Output, String> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("killed after {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ok(Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// A server process: killed on drop; its output goes to a log file that
/// [`Proc::log`] reads for failure messages.
pub struct Proc {
    name: String,
    child: Option<Child>,
    log: std::path::PathBuf,
}

impl Proc {
    pub fn spawn(name: &str, cmd: &mut Command, log_dir: &Path) -> Proc {
        let log = log_dir.join(format!("{name}.log"));
        let file = std::fs::File::create(&log).expect("log file");
        cmd.stdout(file.try_clone().expect("log file")).stderr(file);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Proc {
            name: name.to_string(),
            child: Some(child),
            log,
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Still running?
    pub fn alive(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Wait until `url` answers 200, the process dies, or `limit` passes.
    pub fn wait_ready(&mut self, url: &str, limit: Duration) {
        let start = Instant::now();
        while start.elapsed() < limit {
            if !self.alive() {
                panic!("{} exited before it was ready:\n{}", self.name, self.log());
            }
            if super::sink::get(url).is_some_and(|(status, _)| status == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "{} not ready at {url} after {limit:?}:\n{}",
            self.name,
            self.log()
        );
    }

    /// A graceful stop (SIGTERM: both the collector and the gateway flush
    /// their telemetry), killed if it takes longer than `limit`.
    pub fn stop(&mut self, limit: Duration) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(pid) = i32::try_from(child.id()) {
            // SAFETY: kill(2) on the pid of a child this guard owns and has
            // not reaped, so the pid cannot have been reused.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

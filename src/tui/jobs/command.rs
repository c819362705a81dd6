//! Your commands with `output = "pane"`: run with the argument vector they
//! were given (no shell), standard input closed, standard output and error
//! captured up to a bound; killed when the browser drops the job.

use crate::tui::msg::Finished;
use std::process::Stdio;
use tokio::io::AsyncReadExt;

/// Output kept at most (the rest is cut, and said so).
const MAX_OUTPUT: u64 = 1024 * 1024;

pub async fn run(argv: &[String]) -> Finished {
    Finished::CommandOutput(captured(argv).await)
}

async fn captured(argv: &[String]) -> Result<String, String> {
    let (program, args) = argv.split_first().ok_or("an empty command line")?;
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let (out, err) = tokio::join!(read_bounded(stdout), read_bounded(stderr));
    let status = child.wait().await.map_err(|e| e.to_string())?;
    let mut text = String::from_utf8_lossy(&out).into_owned();
    if !err.is_empty() {
        text.push_str(&String::from_utf8_lossy(&err));
    }
    if out.len() as u64 > MAX_OUTPUT || err.len() as u64 > MAX_OUTPUT {
        text.push_str("\n[output cut at 1 MiB]");
    }
    text.push_str(&format!("\n[{program} exited: {status}]"));
    Ok(text)
}

/// Up to `MAX_OUTPUT` bytes (one more, to tell it was cut); the rest is
/// read and dropped so the command does not block on a full pipe.
async fn read_bounded(pipe: Option<impl tokio::io::AsyncRead + Unpin>) -> Vec<u8> {
    let Some(mut pipe) = pipe else {
        return Vec::new();
    };
    let mut kept = Vec::new();
    let _ = (&mut pipe)
        .take(MAX_OUTPUT + 1)
        .read_to_end(&mut kept)
        .await;
    let _ = tokio::io::copy(&mut pipe, &mut tokio::io::sink()).await;
    kept
}

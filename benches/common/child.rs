//! Runs a command under test as a child process and measures it the same way in every bench:
//! wall time, and peak RSS from wait4(2) (the child's own, not this process's).

use std::io;
use std::process::Command;
use std::time::{Duration, Instant};

/// What one child run cost.
pub struct ChildRun {
    pub wall: Duration,
    pub maxrss_kib: i64,
    /// The exit code; an error when the child was killed by a signal.
    pub code: i32,
}

/// Spawns `cmd` (its stdio as the caller set it up), waits for it with wait4 and returns its
/// cost. Output should go to a file or a reading thread set up by the caller.
pub fn run(cmd: &mut Command) -> Result<ChildRun, String> {
    let what = format!("{:?}", cmd.get_program());
    let start = Instant::now();
    let child = cmd.spawn().map_err(|e| format!("spawning {what}: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own unreaped child; both out-pointers are valid for writes.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(format!("wait4: {err}"));
        }
    }
    let wall = start.elapsed();
    // The child was reaped by wait4 above; `Child` does not wait on drop.
    drop(child);
    if libc::WIFSIGNALED(status) {
        return Err(format!(
            "{what} killed by signal {}",
            libc::WTERMSIG(status)
        ));
    }
    Ok(ChildRun {
        wall,
        maxrss_kib: usage.ru_maxrss,
        code: libc::WEXITSTATUS(status),
    })
}

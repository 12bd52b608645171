//! Running a program with a timeout, its output captured: what `cscript` needs.
//!
//! The program runs in a job object of its own, so that stopping it at its time limit also
//! stops whatever it started (`ospp.vbs` can start `slui.exe`), and nothing it started
//! outlives the run.

#![expect(
    unsafe_code,
    reason = "WaitForSingleObject on the child's process handle, to wait with a timeout, \
              and the job object calls that stop its whole tree"
)]

use std::io::{self, Read};
use std::os::windows::io::AsRawHandle;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, WAIT_TIMEOUT};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
    SetInformationJobObject, TerminateJobObject,
};
use windows_sys::Win32::System::Threading::WaitForSingleObject;

use crate::system::Output;

/// How long `run` waits for a program's output after the program itself has ended or been
/// killed. Only a grandchild that inherited the pipes could hold them open that long.
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

/// Runs `program` and waits at most `timeout`; past it, kills it and answers `timed_out`.
///
/// Both pipes are read on their own threads while the program runs, so a full pipe never
/// blocks it. Standard input is the null device: a script waiting for input would
/// otherwise wait for the person. The child inherits only its three standard handles
/// (the standard library makes every other handle non-inheritable) and our console, so
/// no window opens.
pub(super) fn run(program: &Path, args: &[&str], timeout: Duration) -> io::Result<Output> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let job = Job::for_process(child.as_raw_handle());
    let stdout = read_on_thread(child.stdout.take());
    let stderr = read_on_thread(child.stderr.take());

    // INFINITE is u32::MAX, so a longer timeout stops just short of it.
    let millis = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX - 1);
    // SAFETY: the handle is the child's process handle, valid while `child` lives.
    let waited = unsafe { WaitForSingleObject(child.as_raw_handle(), millis) };
    let timed_out = waited == WAIT_TIMEOUT;
    let status = if timed_out {
        // Killing fails only if it has just exited, and then it still did not finish
        // within the time it was given.
        if let Some(job) = &job {
            job.terminate();
        }
        let _ = child.kill();
        let _ = child.wait();
        -1
    } else {
        // A Windows exit code is a u32; NTSTATUS-like codes come out negative.
        child.wait()?.code().unwrap_or(-1)
    };
    let until = Instant::now() + OUTPUT_GRACE;
    Ok(Output {
        status,
        timed_out,
        stdout: collect(&stdout, until),
        stderr: collect(&stderr, until),
    })
}

/// A job object that ends every process in it when it is closed.
struct Job(HANDLE);

impl Job {
    /// A job holding `process`; `None` when Windows refuses (the program then runs as a
    /// lone process, stopped by itself at its time limit).
    fn for_process(process: std::os::windows::io::RawHandle) -> Option<Job> {
        // SAFETY: no security attributes, no name.
        let handle = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
        if handle.is_null() {
            return None;
        }
        let job = Job(handle);
        let mut limits = JOBOBJECT_EXTENDED_LIMIT_INFORMATION::default();
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        // SAFETY: `limits` is the structure this information class takes, with its size.
        let set = unsafe {
            SetInformationJobObject(
                job.0,
                JobObjectExtendedLimitInformation,
                (&raw const limits).cast(),
                size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            )
        };
        // SAFETY: both handles are valid: the job's, and the child's while `child` lives.
        let assigned = set != 0 && unsafe { AssignProcessToJobObject(job.0, process.cast()) } != 0;
        assigned.then_some(job)
    }

    /// Ends every process in the job.
    fn terminate(&self) {
        // SAFETY: the job's handle is valid while `self` lives.
        unsafe { TerminateJobObject(self.0, 1) };
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        // SAFETY: the handle is ours and closed once; with KILL_ON_JOB_CLOSE this ends
        // anything the program left running.
        unsafe { CloseHandle(self.0) };
    }
}

/// Copies a pipe into a channel, chunk by chunk, on its own thread, so output read before
/// a kill is kept even if the pipe never closes.
fn read_on_thread(pipe: Option<impl Read + Send + 'static>) -> Receiver<Vec<u8>> {
    let (sender, receiver) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n @ 1..) = pipe.read(&mut buffer) {
                if sender.send(buffer[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
    }
    receiver
}

/// Everything a reader thread has sent until its pipe closes or `until` passes.
fn collect(chunks: &Receiver<Vec<u8>>, until: Instant) -> Vec<u8> {
    let mut bytes = Vec::new();
    while let Ok(chunk) = chunks.recv_timeout(until.saturating_duration_since(Instant::now())) {
        bytes.extend_from_slice(&chunk);
    }
    bytes
}

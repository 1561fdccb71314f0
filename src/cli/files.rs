//! The user's files, and the promises `train` keeps about them: it never writes over the
//! text it learns or a file it reads, never replaces what is not a regular file, never
//! replaces a checkpoint it did not start from unless told to, never shares a file with
//! another run, and finds out that a path cannot work before it trains, not after.
//!
//! Everything here runs before the first iteration. The saves themselves are atomic
//! (`min_char_rnn::checkpoint::write_atomic_with`), and check again that they replace only a
//! regular file.

use super::output::status;
use super::{Command, Failure};
use min_char_rnn::checkpoint::{MAGIC, save_target, temporary_path};
use min_char_rnn::plot;
use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// A file as the file system knows it, whatever path reached it.
#[derive(Debug, Default)]
pub struct Identity {
    /// The path with every `.`, `..` and symbolic link resolved; for a file that does not
    /// exist yet, its directory's resolved path and its name.
    canonical: Option<PathBuf>,
    /// The device and inode numbers (Unix): the same for every hard link to a file.
    inode: Option<(u64, u64)>,
}

// ANCHOR: identity
impl Identity {
    /// The identity of the file at `path` (which need not exist yet).
    pub fn of(path: &Path) -> Identity {
        let canonical = fs::canonicalize(path).ok().or_else(|| {
            let name = path.file_name()?;
            fs::canonicalize(parent_dir(path))
                .ok()
                .map(|dir| dir.join(name))
        });
        Identity {
            canonical,
            inode: fs::metadata(path).ok().and_then(|m| inode(&m)),
        }
    }

    /// The identity of what standard input reads, when it is a file (`train - < text.txt`).
    pub fn of_stdin() -> Identity {
        Identity {
            canonical: None,
            inode: stdin_inode(),
        }
    }

    /// Whether `self` and `other` are one file: the same device and inode (two hard links,
    /// or two spellings), or the same resolved path.
    pub fn same_file(&self, other: &Identity) -> bool {
        if let (Some(a), Some(b)) = (self.inode, other.inode) {
            if a == b {
                return true;
            }
        }
        matches!((&self.canonical, &other.canonical), (Some(a), Some(b)) if a == b)
    }
}
// ANCHOR_END: identity

#[cfg(unix)]
fn inode(metadata: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((metadata.dev(), metadata.ino()))
}

#[cfg(not(unix))]
fn inode(_metadata: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

#[cfg(unix)]
fn stdin_inode() -> Option<(u64, u64)> {
    use std::os::fd::AsFd;
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    let metadata = fs::File::from(fd).metadata().ok()?;
    // A pipe or a terminal is no file of the user's: only a regular file can collide.
    metadata.is_file().then(|| inode(&metadata)).flatten()
}

#[cfg(not(unix))]
fn stdin_inode() -> Option<(u64, u64)> {
    None
}

/// The directory `path` is in: `.` for a bare file name.
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A file `train` writes: the checkpoint or the plot.
#[derive(Debug)]
pub struct Output {
    /// "checkpoint" or "loss plot", for messages.
    pub what: &'static str,
    /// The option that chooses it, for hints.
    pub flag: &'static str,
    /// The path as given (or the default).
    pub given: PathBuf,
    /// The file a save replaces: `given`, or the file a symbolic link there points to.
    pub path: PathBuf,
    /// Whether a file is there now.
    pub exists: bool,
}

impl Output {
    /// A failure about this output, with `hint` and the way to choose another path.
    pub fn refuse(&self, why: impl std::fmt::Display, hint: Option<String>) -> Failure {
        let mut hints: Vec<String> = hint.into_iter().collect();
        hints.push(self.elsewhere());
        Failure::Runtime {
            message: format!(
                "cannot write the {} to {}: {why}",
                self.what,
                shown(&self.given)
            ),
            hints,
        }
    }

    /// "choose another place with --plot PATH, or turn the plot off with --no-plot".
    fn elsewhere(&self) -> String {
        let mut hint = format!("choose another place with {} PATH", self.flag);
        if self.flag == "--plot" {
            hint.push_str(", or turn the plot off with --no-plot");
        }
        hint
    }
}

// ANCHOR: check_output
/// Checks, before any training, that the `what` can be saved at `given`: a regular file or
/// nothing there (a symbolic link is followed), not read-only, in a directory that exists
/// and can be written, under a name the file system accepts, and so can the longest
/// temporary name a save there will use.
pub fn check_output(
    what: &'static str,
    flag: &'static str,
    given: &Path,
) -> Result<Output, Failure> {
    let mut output = Output {
        what,
        flag,
        given: given.to_path_buf(),
        path: given.to_path_buf(),
        exists: false,
    };
    let target = save_target(given).map_err(|e| {
        let hint = (e.kind() == io::ErrorKind::PermissionDenied).then(|| {
            format!(
                "if it should be replaced, make it writable: chmod u+w {}",
                quoted(given)
            )
        });
        output.refuse(io_message(&e), hint)
    })?;
    output.path = target.path;
    output.exists = target.existing.is_some();
    let dir = parent_dir(&output.path);
    match fs::metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let why = format!("the directory {} does not exist", dir.display());
            return Err(output.refuse(why, None));
        }
        Err(e) => return Err(output.refuse(io_message(&e), None)),
        Ok(m) if !m.is_dir() => {
            return Err(output.refuse(format!("{} is not a directory", dir.display()), None));
        }
        Ok(_) => {}
    }
    // The temporary file of a save is named `.NAME.PID-N.tmp`: try the longest such name.
    let longest = temporary_path(&output.path, usize::MAX).map_err(|e| output.refuse(e, None))?;
    probe(&longest).map_err(|e| {
        let extra = longest.file_name().map_or(0, |n| n.len())
            - output.path.file_name().map_or(0, |n| n.len());
        let hint = (NAME_TOO_LONG.is_some() && e.raw_os_error() == NAME_TOO_LONG).then(|| {
            format!(
                "a save first writes a temporary file next to it, whose name is {extra} bytes \
                 longer: choose a shorter name"
            )
        });
        output.refuse(io_message(&e), hint)
    })?;
    if !output.exists {
        probe(&output.path).map_err(|e| output.refuse(io_message(&e), None))?;
    }
    Ok(output)
}
// ANCHOR_END: check_output

/// The error number of a name longer than the file system allows (`ENAMETOOLONG`), where it
/// is known.
#[cfg(target_os = "linux")]
const NAME_TOO_LONG: Option<i32> = Some(36);
#[cfg(any(target_os = "macos", target_os = "freebsd", target_os = "openbsd"))]
const NAME_TOO_LONG: Option<i32> = Some(63);
#[cfg(not(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "freebsd",
    target_os = "openbsd"
)))]
const NAME_TOO_LONG: Option<i32> = None;

/// Creates `path` and removes it again: the file system's answer to "could a file be
/// written here, under this name?". A file that appears there meanwhile is left alone.
fn probe(path: &Path) -> io::Result<()> {
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// What is at a path that is about to be replaced.
pub enum Existing {
    /// A min-char-rnn checkpoint, at this iteration (if its header says).
    Checkpoint(Option<usize>),
    /// A loss plot drawn by min-char-rnn.
    Plot,
    /// Something else: the user's.
    Other,
}

/// Looks at the first lines of the file at `path` (never more than a few kilobytes).
pub fn existing(path: &Path) -> Existing {
    let mut head = Vec::new();
    let read = fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
    if read.is_err() {
        return Existing::Other;
    }
    if plot::is_loss_plot(&head) {
        return Existing::Plot;
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.split('\n');
    if lines.next() != Some(MAGIC) {
        return Existing::Other;
    }
    let iteration = lines
        .find_map(|line| line.strip_prefix("iteration "))
        .and_then(|n| n.parse().ok());
    Existing::Checkpoint(iteration)
}

/// The lock that keeps two runs from writing the same file: `.NAME.lock` next to it,
/// created with `create_new` (which fails if it exists, atomically), holding the process
/// id. Dropping it removes the file.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

// ANCHOR: lock
/// Takes the lock of `output`. A lock left by a process that no longer runs (a run stopped
/// by Ctrl-C or killed) is taken over, with a note; a lock held by a running process, or
/// one whose process cannot be checked, is an error.
pub fn lock(output: &Output) -> Result<Lock, Failure> {
    let name = output
        .path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy();
    let path = output.path.with_file_name(format!(".{name}.lock"));
    for attempt in 0..2 {
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                let lock = Lock { path };
                writeln!(file, "{}", std::process::id())
                    .map_err(|e| output.refuse(io_message(&e), None))?;
                return Ok(lock);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let holder = fs::read_to_string(&path).ok();
                let pid = holder.as_deref().and_then(|s| s.trim().parse::<u32>().ok());
                if attempt == 0 && pid.is_some_and(|pid| is_running(pid) == Some(false)) {
                    // One note per stopped run: the plot's lock goes with the checkpoint's.
                    if output.flag == "--checkpoint" {
                        super::output::status(&format!(
                            "note: the run that was writing {} (process {}) stopped without \
                         finishing (Ctrl-C, or killed); taking over its lock",
                            shown(&output.given),
                            pid.unwrap_or_default()
                        ));
                    }
                    let _ = fs::remove_file(&path);
                    continue;
                }
                return Err(locked(output, &path, pid));
            }
            Err(e) => return Err(output.refuse(io_message(&e), None)),
        }
    }
    Err(locked(output, &path, None))
}
// ANCHOR_END: lock

fn locked(output: &Output, lock: &Path, pid: Option<u32>) -> Failure {
    let who = match pid {
        Some(pid) => format!("another min-char-rnn run (process {pid})"),
        None => "another min-char-rnn run".to_string(),
    };
    Failure::Runtime {
        message: format!(
            "{who} is writing the {} {}",
            output.what,
            shown(&output.given)
        ),
        hints: vec![
            format!("wait for it to finish, or {}", output.elsewhere()),
            format!(
                "if no other run is going on, the lock is left over: remove it with rm {}",
                quoted(lock)
            ),
        ],
    }
}

/// Whether process `pid` runs, and is a min-char-rnn (a process id is reused in time);
/// `None` where std cannot tell (only Linux's `/proc` is read).
fn is_running(pid: u32) -> Option<bool> {
    if pid == std::process::id() {
        return Some(false); // not another run: a lock of an earlier process with our id
    }
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return None;
    }
    let process = proc.join(pid.to_string());
    if !process.exists() {
        return Some(false);
    }
    let name = |dir: &Path| fs::read_to_string(dir.join("comm")).ok();
    match (name(&process), name(&proc.join("self"))) {
        (Some(theirs), Some(ours)) => Some(theirs == ours),
        _ => Some(true),
    }
}

/// Removes the temporary files that a killed run left next to `path`
/// (`.NAME.PID-N.tmp`, see `min_char_rnn::checkpoint::temporary_path`) when process PID is
/// gone. Only where `/proc` tells which processes exist (Linux); elsewhere they stay.
pub fn remove_stale_temporaries(path: &Path) {
    let (Some(name), true) = (path.file_name(), Path::new("/proc/self").exists()) else {
        return;
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(parent_dir(path)) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let middle = file_name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"));
        let pid = middle.and_then(|m| m.split_once('-')).map(|(pid, _)| pid);
        if let Some(pid) = pid.filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
            if !Path::new("/proc").join(pid).exists() {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// `path` made absolute for messages ("saying where"), or as given if that fails.
pub fn shown(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

// ANCHOR: quoted
/// `path` as a POSIX shell reads it back: as is if it holds only safe characters, else in
/// single quotes (a `'` inside becomes `'\''`), so that a suggested command can be pasted.
pub fn quoted(path: &Path) -> String {
    let text = path.to_string_lossy();
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-./=:,+@%".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        return text.into_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}
// ANCHOR_END: quoted

/// An I/O error's message with a lowercase first letter, to read well after a colon:
/// "permission denied (os error 13)".
pub fn io_message(e: &io::Error) -> String {
    let message = e.to_string();
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => message,
    }
}

// ANCHOR: read_text
/// The text of `path` for `command`, or a clear error: missing, a directory, empty, not UTF-8.
pub fn read_text(path: &Path, command: Command) -> Result<String, Failure> {
    let shown = path.display();
    let metadata = fs::metadata(path).map_err(|e| read_error(path, &e, command))?;
    if metadata.is_dir() {
        return Err(Failure::with_hint(
            format!("{shown} is a directory, not a text file"),
            "give the path of a UTF-8 text file",
        ));
    }
    let bytes = fs::read(path).map_err(|e| read_error(path, &e, command))?;
    text_from_bytes(bytes, &shown.to_string(), Some(path), command)
}

/// `bytes` as text, or why not: empty, or not UTF-8 (where, and how to convert it).
fn text_from_bytes(
    bytes: Vec<u8>,
    name: &str,
    path: Option<&Path>,
    command: Command,
) -> Result<String, Failure> {
    if bytes.is_empty() {
        let (nothing, hint) = match command {
            Command::Explain => ("explain", "give a text of at least 2 characters"),
            Command::Evaluate => ("evaluate", "give a text of at least 2 characters"),
            _ => ("learn", "give a text of a few thousand characters or more"),
        };
        return Err(Failure::with_hint(
            format!("{name} is empty: there is nothing to {nothing}"),
            hint,
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        let input = path.map_or(String::new(), |p| format!(" {}", quoted(p)));
        Failure::with_hint(
            format!(
                "{name} is not valid UTF-8: the bytes at byte offset {offset} (line {line}) \
                 are not a UTF-8 character"
            ),
            format!(
                "min-char-rnn reads UTF-8 text; convert it first, for example: \
                 iconv -f latin1 -t utf-8{input} > text-utf8.txt"
            ),
        )
    })
}
// ANCHOR_END: read_text

fn read_error(path: &Path, e: &io::Error, command: Command) -> Failure {
    if e.kind() == io::ErrorKind::NotFound {
        let hint = match command {
            Command::Explain => {
                "check the path (without a FILE, explain reads the built-in corpus)".to_string()
            }
            Command::Evaluate => "check the path".to_string(),
            _ => "check the path (without a FILE, train uses the built-in corpus)".to_string(),
        };
        Failure::with_hint(
            format!("cannot read {}: no such file", path.display()),
            hint,
        )
    } else {
        Failure::runtime(format!("cannot read {}: {}", path.display(), io_message(e)))
    }
}

/// The text of standard input (`train -`, `explain -`, `evaluate -`), or a clear error.
pub fn read_stdin(command: Command) -> Result<String, Failure> {
    let stdin = io::stdin();
    if stdin.is_terminal() {
        status("reading the text from standard input (end it with Ctrl-D)");
    }
    let mut bytes = Vec::new();
    stdin
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::runtime(format!("cannot read standard input: {}", io_message(&e))))?;
    text_from_bytes(bytes, "standard input", None, command)
}

#[cfg(test)]
mod tests {
    use super::quoted;
    use std::path::Path;

    #[test]
    fn paths_are_quoted_only_when_a_shell_needs_it() {
        assert_eq!(quoted(Path::new("runs/a-1.ckpt")), "runs/a-1.ckpt");
        assert_eq!(quoted(Path::new("my run.ckpt")), "'my run.ckpt'");
        assert_eq!(quoted(Path::new("it's.ckpt")), r"'it'\''s.ckpt'");
        assert_eq!(quoted(Path::new("$HOME")), "'$HOME'");
    }
}

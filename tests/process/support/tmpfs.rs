//! A small tmpfs for the tests that need a full disk or a file system they can break
//! (`safety_reopen.rs`, `safety_shell_io.rs`, `fs_faults.rs`). Mounting needs root; where
//! it is not allowed, `mount` prints `skipped: <reason>` and the test passes.
use std::path::{Path, PathBuf};
use std::process::Command;

/// Writes a file of zeros as large as the file system lets it be (at most `max` bytes);
/// returns its path.
pub fn zeros(dir: &Path, name: &str, max: u64) -> PathBuf {
    use std::io::Write;
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).expect("create filler");
    let chunk = vec![0u8; 4096];
    let mut n = 0;
    while n < max && f.write_all(&chunk).is_ok() {
        n += chunk.len() as u64;
    }
    let _ = f.sync_all();
    path
}

/// A tmpfs at a new directory, unmounted when dropped (also when a test panics).
pub struct Tmpfs {
    pub dir: PathBuf,
    _parent: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (e.g. "4m"), world-readable so a test can run alexdb as
    /// another user; `None`, with the reason printed, where that is not allowed.
    pub fn mount(size: &str) -> Option<Tmpfs> {
        let parent = tempfile::tempdir().expect("tempdir");
        let dir = parent.path().join("mnt");
        std::fs::create_dir(&dir).expect("mkdir");
        let o = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(&dir)
            .output();
        match o {
            Ok(o) if o.status.success() => Some(Tmpfs {
                dir,
                _parent: parent,
            }),
            Ok(o) => {
                let why = String::from_utf8_lossy(&o.stderr);
                eprintln!("skipped: cannot mount a tmpfs: {}", why.trim());
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run mount: {e}");
                None
            }
        }
    }

    #[allow(dead_code)] // not every test file uses it
    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazy: a database a failed test left open must not keep the mount.
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

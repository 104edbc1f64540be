//! Errors: one clear variant and message each, and a failed operation changes nothing.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use engine::{Db, DbError, DbOptions, MAX_VALUE_BYTES, OpenError, parse_key};

fn small() -> DbOptions {
    DbOptions {
        block_cache_bytes: 4 << 20,
        write_buffer_size: 1 << 20,
        ..DbOptions::default()
    }
}

#[test]
fn second_open_in_the_same_process_is_locked_and_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), small()).unwrap();
    let err = Db::open_with(dir.path(), small()).unwrap_err();
    assert!(matches!(err, OpenError::Locked { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&dir.path().display().to_string()), "{msg}");
    assert!(msg.contains("locked"), "{msg}");
    drop(db);
    // Closing releases the lock.
    Db::open_with(dir.path(), small()).unwrap().close().unwrap();
}

const HOLDER_ENV: &str = "ALEXDB_LOCK_HOLDER_DIR";

/// Runs only when re-executed by `open_locked_by_another_process`: holds the database
/// open until killed.
#[test]
fn lock_holder_child() {
    let Ok(dir) = std::env::var(HOLDER_ENV) else {
        return;
    };
    let _db = Db::open_with(&dir, small()).unwrap();
    println!("OPEN");
    std::thread::sleep(std::time::Duration::from_secs(60));
}

#[test]
fn open_locked_by_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            crate::support::this_test(module_path!(), "lock_holder_child").as_str(),
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HOLDER_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(
        lines.any(|l| l.is_ok_and(|l| l.ends_with("OPEN"))),
        "child did not open the db"
    );
    let err = Db::open_with(dir.path(), small()).unwrap_err();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(matches!(err, OpenError::Locked { .. }), "{err:?}");
    assert!(err.to_string().contains(&dir.path().display().to_string()));
    // The kernel released the lock with the process.
    Db::open_with(dir.path(), small()).unwrap();
}

#[test]
fn value_too_large_leaves_data_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), small()).unwrap();
    db.put(1, b"before").unwrap();
    let big = vec![0u8; MAX_VALUE_BYTES + 1];
    let err = db.put(1, &big).unwrap_err();
    assert!(matches!(err, DbError::ValueTooLarge { size, .. } if size == MAX_VALUE_BYTES + 1));
    assert!(err.to_string().contains("too large"), "{err}");
    let err = db.put(2, &big).unwrap_err();
    assert!(matches!(err, DbError::ValueTooLarge { .. }));
    assert_eq!(db.get(1).unwrap().as_deref(), Some(&b"before"[..]));
    assert_eq!(db.get(2).unwrap(), None);
    assert_eq!(db.count(), 1);

    // A load with one oversized row in the middle loads nothing.
    let rows = (10..20i64).map(|k| (k, if k == 15 { big.clone() } else { b"x".to_vec() }));
    let err = db.load(rows).unwrap_err();
    assert!(matches!(err, DbError::ValueTooLarge { .. }), "{err:?}");
    assert_eq!(db.count(), 1);
    assert_eq!(db.get(10).unwrap(), None);
    assert!(db.check().unwrap().ok);

    // Exactly 16 MiB is allowed.
    let max = vec![9u8; MAX_VALUE_BYTES];
    db.put(3, &max).unwrap();
    assert_eq!(db.get(3).unwrap().unwrap().len(), MAX_VALUE_BYTES);
}

#[test]
fn not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    // A file.
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "hello").unwrap();
    let err = Db::open_with(&file, small()).unwrap_err();
    assert!(matches!(err, OpenError::NotADatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("not an alexdb database"), "{err}");
    // A directory with other things in it.
    let other = dir.path().join("photos");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("cat.jpg"), "meow").unwrap();
    let err = Db::open_with(&other, small()).unwrap_err();
    assert!(matches!(err, OpenError::NotADatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("cat.jpg"), "{err}");
    assert!(
        err.to_string().contains(&other.display().to_string()),
        "{err}"
    );
    // Nothing was created there.
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1);
}

#[test]
fn missing_without_create() {
    let dir = tempfile::tempdir().unwrap();
    let o = DbOptions {
        create_if_missing: false,
        ..small()
    };
    let err = Db::open_with(dir.path().join("nope"), o.clone()).unwrap_err();
    assert!(matches!(err, OpenError::Missing { .. }), "{err:?}");
    let err = Db::open_with(dir.path(), o).unwrap_err();
    assert!(matches!(err, OpenError::Missing { .. }), "{err:?}");
}

#[test]
fn unreadable_directory() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    Db::open_with(&path, small()).unwrap().close().unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable_anyway = std::fs::read_dir(&path).is_ok(); // root ignores permissions
    let r = Db::open_with(&path, small());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    if readable_anyway {
        eprintln!("running as root: permissions are not enforced, skipping the check");
        return;
    }
    let err = r.unwrap_err();
    assert!(matches!(err, OpenError::Unreadable { .. }), "{err:?}");
    assert!(err.to_string().contains("permissions"), "{err}");
}

#[test]
fn keys_must_be_integers() {
    assert_eq!(parse_key("42").unwrap(), 42);
    assert_eq!(parse_key(" -5 ").unwrap(), -5);
    assert_eq!(parse_key("1_000").unwrap(), 1000);
    assert_eq!(parse_key("-9223372036854775808").unwrap(), i64::MIN);
    for bad in ["abc", "1.5", "", "9223372036854775808", "0x10"] {
        let err = parse_key(bad).unwrap_err();
        assert!(
            matches!(err, DbError::KeyNotInteger { .. }),
            "{bad}: {err:?}"
        );
        assert!(err.to_string().contains("not an integer"), "{err}");
    }
}

#[test]
fn invalid_options_name_the_option() {
    let dir = tempfile::tempdir().unwrap();
    let o = DbOptions {
        bloom_bits_per_key: -1.0,
        ..small()
    };
    let err = Db::open_with(dir.path(), o).unwrap_err();
    assert!(err.to_string().contains("bloom_bits_per_key"), "{err}");
    let mut o = DbOptions::default();
    assert!(o.set("block_cache_bytes", "1GiB").is_ok());
    assert_eq!(o.block_cache_bytes, 1 << 30);
    let err = o.set("block_size", "12").unwrap_err();
    assert!(err.to_string().contains("block_size"), "{err}");
    assert_eq!(o.block_size, 16 << 10, "a failed set changes nothing");
    assert!(matches!(
        o.set("nope", "1"),
        Err(DbError::UnknownOption { .. })
    ));
    assert_eq!(
        DbOptions::default().describe().len(),
        DbOptions::NAMES.len()
    );
}

#[test]
fn corrupt_database_is_reported_as_such() {
    let dir = tempfile::tempdir().unwrap();
    Db::open_with(dir.path(), small()).unwrap().close().unwrap();
    std::fs::write(dir.path().join("CURRENT"), "garbage").unwrap();
    let err = Db::open_with(dir.path(), small()).unwrap_err();
    assert!(matches!(err, OpenError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("corrupt"), "{err}");
    assert!(
        err.to_string().contains(&dir.path().display().to_string()),
        "{err}"
    );
}

#[test]
fn shell_hints_are_the_command_layers_not_the_engines() {
    use command::ExecError;
    let unknown = DbOptions::default().set("nope", "1").unwrap_err();
    let engine = unknown.to_string();
    assert!(engine.starts_with("unknown option \"nope\""), "{engine}");
    assert!(!engine.contains(".show options"), "{engine}");
    assert_eq!(
        ExecError::from(unknown).to_string(),
        format!("{engine} (.show options lists them)")
    );
    let closed = DbError::Closed {
        reason: "a reopen failed".to_string(),
    };
    assert_eq!(
        closed.to_string(),
        "the database is closed: a reopen failed"
    );
    assert_eq!(
        ExecError::from(closed).to_string(),
        "the database is closed: a reopen failed; open it again with .open"
    );
    let other = DbError::Refused("no".to_string());
    assert_eq!(ExecError::from(other).to_string(), "no");
}

/// Issue 27 item 8: saved options whose caches are refused at open (far past this
/// machine's memory) block every open; the refusal names the saved file and the `--set`
/// that overrides each of them, and that override opens the database.
#[test]
fn a_saved_option_refused_at_open_names_the_file_and_the_override() {
    let machine = engine::options::machine_memory().unwrap_or(0);
    if machine == 0 || machine >= 1 << 39 {
        eprintln!("skipped: 2 TiB of caches is not refused on this machine");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    Db::open_with(&path, small()).unwrap().close().unwrap();
    let file = path.join("alexdb-options.json");
    std::fs::write(
        &file,
        r#"{"version":1,"options":{"block_cache_size":"1TiB","value_cache_size":"1TiB","write_buffer_size":"1MiB","block_size":"8KiB"}}"#,
    )
    .unwrap();
    let err = Db::open_saved(&path, &[]).unwrap_err().to_string();
    assert!(err.contains("caches would take"), "{err}");
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(err.contains("--set block_cache_size=VALUE"), "{err}");
    assert!(err.contains("--set value_cache_size=VALUE"), "{err}");
    // Not the options that do not add to the caches' memory.
    assert!(!err.contains("write_buffer_size"), "{err}");
    assert!(!err.contains("block_size"), "{err}");
    assert!(!err.contains('\n'), "{err}");
    // Overriding one leaves the other named; overriding both opens.
    let one = [("block_cache_size".to_string(), "8MiB".to_string())];
    let err = Db::open_saved(&path, &one).unwrap_err().to_string();
    assert!(err.contains("--set value_cache_size=VALUE"), "{err}");
    assert!(!err.contains("--set block_cache_size"), "{err}");
    let both = [
        one[0].clone(),
        ("value_cache_size".to_string(), "8MiB".to_string()),
    ];
    Db::open_saved(&path, &both).expect("the override opens it");
}

/// Issue 27 item 8: a LOCK file the user may not write is a permission error naming
/// the file, not "locked by another process". Runs `alexdb` as `nobody` (root ignores
/// permission bits).
#[test]
fn an_unwritable_lock_file_is_a_permission_error() {
    use std::os::unix::fs::PermissionsExt;
    let probe = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status();
    if !matches!(probe, Ok(s) if s.success()) {
        eprintln!("skipped: cannot run a process as nobody with setpriv: {probe:?}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.path().join("db");
    Db::open_with(&path, small()).unwrap().close().unwrap();
    // Everything readable by others, the directory writable too: only LOCK is not.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777)).unwrap();
    for e in std::fs::read_dir(&path).unwrap() {
        let p = e.unwrap().path();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).unwrap();
    }
    let lock = path.join("LOCK");
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o444)).unwrap();
    let o = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_alexdb"))
        .args(["--db", path.to_str().unwrap(), "-c", "count"])
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("permission denied"), "{err}");
    assert!(err.contains(&lock.display().to_string()), "{err}");
    assert!(!err.contains("another process"), "{err}");
    // The same directory, LOCK writable again: it opens.
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o666)).unwrap();
    let o = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_alexdb"))
        .args(["--db", path.to_str().unwrap(), "-c", "count"])
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

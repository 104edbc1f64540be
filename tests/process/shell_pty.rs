//! The interactive prompt in a real pseudo-terminal: type commands, Tab-complete, use a
//! multi-line SQL statement, and check the screen (read through the vt100 crate), the
//! history file, and that `.quit` exits cleanly.
use crate::support::pty::Term;
use std::time::Duration;

#[test]
fn prompt_completion_multiline_sql_and_history() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut t = Term::spawn(&["--temp", "--plain"], home.path());
    t.wait_for("alexdb> ");
    let banner = t.screen();
    assert!(banner.contains("temporary database"), "{banner}");
    assert!(banner.contains(".help"), "{banner}");

    t.send("put 1 hello\r");
    t.wait_for("OK (new key)");
    // Tab completes the unique command "exists".
    t.send("exi\t 1\r");
    t.wait_for("| exists |");
    // Enter inside SQL without `;` continues the statement on the next line.
    t.send("SELECT value FROM kv\r");
    std::thread::sleep(Duration::from_millis(200));
    assert!(!t.screen().contains("| value |"), "ran before the ';'");
    t.send("WHERE key = 1;\r");
    let s = t.wait_for("| hello |");
    assert!(s.contains("| value |"), "{s}");
    // A bad line is one error and the prompt comes back.
    t.send("gte 1\r");
    t.wait_for("did you mean \"get\"");
    t.send(".quit\r");
    let status = t.child.wait().expect("wait");
    assert!(status.success(), "{status:?}");

    let history = std::fs::read_to_string(home.path().join("alexdb").join("history"))
        .expect("history written");
    assert_eq!(
        history.lines().collect::<Vec<_>>(),
        vec![
            "put 1 hello",
            "exists 1",
            "SELECT value FROM kv WHERE key = 1;",
            "gte 1",
            ".quit"
        ]
    );
}

#[test]
fn history_is_recalled_with_up_arrow() {
    let home = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(home.path().join("alexdb")).expect("mkdir");
    std::fs::write(
        home.path().join("alexdb").join("history"),
        "count\nput 5 five\n",
    )
    .expect("write");
    let mut t = Term::spawn(&["--temp", "--plain"], home.path());
    t.wait_for("alexdb> ");
    // Up recalls "put 5 five"; Enter runs it.
    t.send("\x1b[A\r");
    t.wait_for("OK (new key)");
    t.send("get 5\r");
    t.wait_for("| five  |");
    // Ctrl-D leaves like .quit. Only once the new prompt is drawn: an EOF typed while
    // the shell is still printing (the terminal in cooked mode) can be dropped when the
    // line editor switches to raw mode, and the test then waited forever.
    t.wait_until("the prompt under the table", |s| {
        s.trim_end().ends_with("alexdb>") && s.contains("| five  |")
    });
    t.send("\x04");
    assert!(t.child.wait().expect("wait").success());
}

#[test]
fn ctrl_c_at_the_prompt_cancels_a_running_load() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut t = Term::spawn(&["--temp", "--plain"], home.path());
    t.wait_for("alexdb> ");
    t.send(".load sequential 50000000 --value-size 10\r");
    // The progress bar shows the load is running (and the prompt gave up the terminal).
    t.wait_for("[1] loading");
    // Ctrl-C: the terminal is in cooked mode while the shell waits, so this is SIGINT.
    t.send("\x03");
    let s = t.wait_for("rows loaded before the cancel are kept");
    assert!(s.contains("cancelled: loaded"), "{s}");
    // The prompt comes back and the shell still works.
    t.send("exists 0\r");
    t.wait_for("| exists |");
    t.send(".quit\r");
    assert!(t.child.wait().expect("wait").success());
}

/// Issue 12, bug 9: SQL without its `;` shows the continuation prompt, and a line that
/// starts a new command ends the unfinished statement (run as it is, as scripts do)
/// instead of being swallowed into it.
#[test]
fn unfinished_sql_shows_the_continuation_prompt_and_a_new_command_ends_it() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut t = Term::spawn(&["--temp", "--plain"], home.path());
    t.wait_for("alexdb> ");
    t.send("put 7 seven\r");
    t.wait_for("OK (new key)");
    t.send("SELECT value FROM kv WHERE key = 7\r");
    t.wait_for("   ...> ");
    // A plain continuation line keeps waiting for the `;`.
    t.send("LIMIT 1\r");
    std::thread::sleep(Duration::from_millis(200));
    let s = t.screen();
    assert!(
        !s.contains("| seven |"),
        "ran before the ';' or a new command:\n{s}"
    );
    assert_eq!(s.matches("   ...> ").count(), 2, "{s}");
    // `exists 7` starts a new command: the SELECT runs first, then it.
    t.send("exists 7\r");
    let s = t.wait_for("| exists |");
    assert!(s.contains("| seven |"), "{s}");
    let (select, exists) = (s.find("| seven |"), s.find("| exists |"));
    assert!(select < exists, "{s}");
    t.wait_for("alexdb> ");
    t.send(".quit\r");
    assert!(t.child.wait().expect("wait").success());
}

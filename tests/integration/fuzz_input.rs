//! Bad input at volume (issue 15 item 5): the real binary fed about 1 MB of random bytes,
//! invalid UTF-8, NUL bytes, command fragments and commands with garbage arguments (plus a
//! 20 MB line) on piped stdin, and 200 random lines typed into the dashboard through a
//! pty. Seeds are fixed so a failure repeats. Checked: no panic, exit status 0 or 1, the
//! terminal restored, and every valid `put` mixed into the noise readable afterwards.
use crate::support::{alexdb_at, piped};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// splitmix64: a small seeded generator, so every run feeds the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Command names and fragments of them. Commands that start long jobs or leave the
/// session (`.load`, `.bench`, `.ycsb`, `.quit`, `.open`, `.read`, `.output`) and
/// `.trace` (it creates the file it is given) are left out; `.sweep` only ever gets bad
/// lists.
const WORDS: &[&str] = &[
    "get",
    "put",
    "del",
    "scan",
    "count",
    "exists",
    "mget",
    "ge",
    "pu",
    "sc",
    "cou",
    ".swe",
    ".set",
    ".se",
    ".show",
    ".sho",
    ".help",
    ".he",
    ".mode",
    ".width",
    ".stats",
    ".timer",
    ".mrc",
    ".advise",
    ".adv",
    ".baseline",
    ".base",
    ".compare",
    ".comp",
    ".check",
    ".flush",
    ".profile",
    ".prof",
    ".options",
    ".jobs",
    ".cancel",
    ".reset",
    ".export",
    ".lsm",
    ".property",
    ".prop",
    ".replay",
    "SELECT",
    "SEL",
    "INSERT",
    "DELETE",
    "UPDATE",
    "FROM",
    "kv",
    "WHERE",
    "BETWEEN",
    "LIMIT",
    ";",
];

/// Arguments no command accepts (or accepts harmlessly): huge and negative numbers,
/// negative sizes, unterminated quotes, bad hex.
const GARBAGE: &[&str] = &[
    "99999999999999999999999",
    "-99999999999999999999999",
    "18446744073709551616",
    "9223372036854775808",
    "-9223372036854775809",
    "-1",
    "-5MiB",
    "-0.5GiB",
    "1e999",
    "NaN",
    "inf",
    "0x",
    "x'zz'",
    "x'0",
    "'unterminated",
    "\"half",
    "'\\x'",
    "5QiB",
    "1,,2",
    ",",
    "--",
    "--window",
    "--duration",
    "-7s",
    "99999999999d",
    "ü",
    "🦀",
];

const OPTIONS: &[&str] = &[
    "block_cache_size",
    "block_size",
    "compression",
    "write_buffer_size",
    "compaction_style",
    "max_open_files",
    "value_cache_entries",
    "value_cache_size",
    "value_cache_policy",
    "metrics_sample_rate",
    "data_block_hash_ratio",
    "wal",
    "nosuch_option",
    "block_",
    "",
];

/// One line of noise (ends with a newline).
fn noise_line(rng: &mut Rng) -> Vec<u8> {
    let mut line: Vec<u8> = match rng.below(9) {
        0 => (0..rng.below(300)).map(|_| rng.next() as u8).collect(),
        1 => {
            let mut l = b"put 3 ".to_vec();
            l.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]);
            l
        }
        2 => format!("get {}\0{}\0", rng.below(100), rng.pick(GARBAGE)).into_bytes(),
        3 => format!(".set {} {}", rng.pick(OPTIONS), rng.pick(GARBAGE)).into_bytes(),
        4 => {
            let name = rng.pick(&["w1", "", "../../x", "a b", "\u{7f}", "🦀", "--window"]);
            format!(".baseline save {name} --window {}", rng.pick(GARBAGE)).into_bytes()
        }
        5 => format!(
            ".sweep {} {},{} --duration {}",
            rng.pick(OPTIONS),
            rng.pick(GARBAGE),
            rng.pick(GARBAGE),
            rng.pick(GARBAGE)
        )
        .into_bytes(),
        6 => format!(
            ".advise apply {}",
            rng.pick(&["99999999999", "-1", "0", "x"])
        )
        .into_bytes(),
        _ => {
            let n = 1 + rng.below(5);
            let mut words = vec![rng.pick(WORDS)];
            words.extend((0..n).map(|_| {
                if rng.below(2) == 0 {
                    rng.pick(GARBAGE)
                } else {
                    rng.pick(WORDS)
                }
            }));
            words.join(" ").into_bytes()
        }
    };
    line.push(b'\n');
    line
}

/// Keys the valid puts use: far from any number the noise writes as a key.
const KEY_BASE: i64 = 7_000_000_000;

/// About 1 MB of noise with a valid `put` every 200 lines (some keys put twice), and one
/// 20 MB line in the middle. Returns the input and the value each key must hold.
fn piped_input(seed: u64) -> (Vec<u8>, BTreeMap<i64, String>) {
    let mut rng = Rng(seed);
    let mut input = Vec::new();
    let mut expect = BTreeMap::new();
    let (mut lines, mut noise) = (0, 0);
    while noise < 1_000_000 {
        let line = noise_line(&mut rng);
        noise += line.len();
        input.extend(line);
        lines += 1;
        if lines % 200 == 0 {
            let key = KEY_BASE + rng.below(60) as i64;
            let value = format!("v{:x}", rng.next());
            input.extend(format!("put {key} {value}\n").into_bytes());
            expect.insert(key, value);
        }
        if lines == 3000 {
            input.extend(b"put 11 ");
            input.extend(std::iter::repeat_n(b'z', 20 << 20));
            input.push(b'\n');
        }
    }
    (input, expect)
}

fn run(args: &[&str], stdin: Vec<u8>, cwd: &Path) -> std::process::Output {
    piped(alexdb_at(cwd).args(args).current_dir(cwd), &stdin)
}

/// Every key in `expect` holds its value in the database at `db`.
fn assert_puts_intact(db: &str, expect: &BTreeMap<i64, String>, cwd: &Path) {
    let keys: Vec<String> = expect.keys().map(|k| k.to_string()).collect();
    let cmd = format!(".mode csv; mget {}", keys.join(" "));
    let o = run(&["--db", db, "-c", &cmd], Vec::new(), cwd);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let got: BTreeMap<i64, String> = stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .map(|(k, v)| (k.parse().expect("key"), v.to_string()))
        .collect();
    assert_eq!(&got, expect);
}

#[test]
fn the_line_shell_survives_a_megabyte_of_noise_and_keeps_the_valid_puts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    let db = db.to_str().expect("utf-8 path");
    for seed in [15, 1505] {
        let (input, expect) = piped_input(seed);
        assert!(expect.len() > 20, "the noise carries enough valid puts");
        let (started, len) = (Instant::now(), input.len());
        let o = run(&["--db", db], input, dir.path());
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "seed {seed}: {:?}",
            o.status
        );
        assert!(!stderr.contains("panicked"), "seed {seed}: a panic");
        assert!(
            stderr.contains("error: "),
            "seed {seed}: the noise was refused"
        );
        eprintln!(
            "seed {seed}: {} input bytes, {} error lines, {} keys put, status {:?}, {:.1} s",
            len,
            stderr.matches("error: ").count(),
            expect.len(),
            o.status.code(),
            started.elapsed().as_secs_f64()
        );
        assert_puts_intact(db, &expect, dir.path());
    }
}

/// One random line for the dashboard's input line: printable garbage (some of it not
/// ASCII), sometimes long, with control bytes other than Ctrl-C, Ctrl-D and Esc (which
/// leave or cancel by design), ended by Enter.
fn typed_line(rng: &mut Rng) -> String {
    let len = if rng.below(10) == 0 {
        1000 + rng.below(3000)
    } else {
        rng.below(80)
    };
    let mut line: String = (0..len)
        .map(|_| match rng.below(20) {
            0 => {
                let c = [1u8, 2, 5, 8, 11, 12, 14, 21, 23, 26, 28, 31, 127][rng.below(13)];
                char::from(c)
            }
            1 => rng
                .pick(&["é", "🦀", "ж", "\u{200b}"])
                .chars()
                .next()
                .unwrap_or('?'),
            _ => char::from(b' ' + rng.below(95) as u8),
        })
        .collect();
    if rng.below(3) == 0 {
        line = format!("{} {line}", rng.pick(WORDS));
    }
    line.push('\r');
    line
}

#[test]
fn the_dashboard_survives_200_random_lines_and_keeps_a_put() {
    let home = tempfile::tempdir().expect("tempdir");
    let db = home.path().join("db");
    let db = db.to_str().expect("utf-8 path");
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("openpty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_alexdb"));
    cmd.args(["--db", db]);
    cmd.cwd(home.path());
    cmd.env("XDG_DATA_HOME", home.path());
    cmd.env("TERM", "xterm-256color");
    let mut child = pty.slave.spawn_command(cmd).expect("spawn in pty");
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("reader");
    let mut writer = pty.master.take_writer().expect("writer");
    // Everything the dashboard wrote, raw (for the restore sequence) and as a screen.
    let raw = Arc::new(Mutex::new(Vec::new()));
    let parser = Arc::new(Mutex::new(vt100::Parser::new(40, 120, 0)));
    let (r, p) = (Arc::clone(&raw), Arc::clone(&parser));
    let drain = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            r.lock().expect("raw").extend_from_slice(&buf[..n]);
            p.lock().expect("parser").process(&buf[..n]);
        }
    });
    let wait_for = |text: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = parser.lock().expect("parser").screen().contents();
            if s.contains(text) {
                return;
            }
            assert!(Instant::now() < deadline, "no {text:?} on screen:\n{s}");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait_for("alexdb>");
    let mut rng = Rng(1515);
    for _ in 0..200 {
        writer
            .write_all(typed_line(&mut rng).as_bytes())
            .expect("type");
    }
    writer.write_all(b"put 4242 survived\r").expect("type");
    writer.flush().expect("flush");
    wait_for("OK (new key)");
    writer.write_all(b".quit\r").expect("type");
    writer.flush().expect("flush");
    let status = child.wait().expect("wait");
    drop(writer);
    drop(pty.master);
    drain.join().expect("reader");
    assert!(status.success(), "{status:?}");
    let raw = String::from_utf8_lossy(&raw.lock().expect("raw")).into_owned();
    assert!(!raw.contains("panicked"), "a panic");
    assert!(raw.contains("\x1b[?1049l"), "the alternate screen was left");
    let screen = parser.lock().expect("parser").screen().clone();
    assert!(
        !screen.alternate_screen() && !screen.hide_cursor(),
        "terminal restored"
    );

    // Each typed line reached the executor: the shared history holds them all.
    let history = std::fs::read(home.path().join("alexdb").join("history")).expect("history");
    let ran = history
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    eprintln!("{ran} lines in the history");
    assert!(ran >= 150, "only {ran} lines ran");

    let expect = BTreeMap::from([(4242, "survived".to_string())]);
    assert_puts_intact(db, &expect, home.path());
}

/// Found by the noise run: an error quoting its input wrote the input's control bytes to
/// stderr as they were, so an escape sequence in a bad line (here: clear the screen)
/// reached the terminal. They are escaped now, as table cells are.
#[test]
fn an_error_quoting_bad_input_escapes_its_control_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(
        &["--temp"],
        b"get 1\x1b[2J\nget 1\x002\nput 9 ok\n".to_vec(),
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "error: key \"1\\u{1b}[2J\" is not an integer\n\
         error: key \"1\\u{0}2\" is not an integer\n"
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout), "OK (new key)\n");
}

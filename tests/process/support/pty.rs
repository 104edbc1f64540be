//! The `alexdb` binary in a pseudo-terminal, its screen read through the vt100 crate:
//! the harness of the line shell's and the dashboard's terminal tests.
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// A running `alexdb` in a 40x120 pseudo-terminal.
pub struct Term {
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    pub child: Box<dyn Child + Send + Sync>,
    master: Arc<Mutex<Box<dyn MasterPty + Send>>>,
    /// Set when the reader saw the end of the output.
    done: Arc<Mutex<bool>>,
}

fn size(rows: u16, cols: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

impl Term {
    pub fn spawn(args: &[&str], data_home: &std::path::Path) -> Term {
        Self::spawn_env(args, data_home, &[])
    }

    pub fn spawn_env(args: &[&str], data_home: &std::path::Path, env: &[(&str, &str)]) -> Term {
        let pty = native_pty_system().openpty(size(40, 120)).expect("openpty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_alexdb"));
        cmd.args(args);
        cmd.env("XDG_DATA_HOME", data_home);
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn in pty");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(40, 120, 0)));
        let done = Arc::new(Mutex::new(false));
        let (p, d) = (Arc::clone(&parser), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().expect("parser").process(&buf[..n]);
            }
            *d.lock().expect("done") = true;
        });
        Term {
            writer,
            parser,
            child,
            master: Arc::new(Mutex::new(pty.master)),
            done,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |s| s.contains(text))
    }

    pub fn wait_until(&self, what: &str, f: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if f(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("type");
        self.writer.flush().expect("flush");
    }

    pub fn resize(&self, rows: u16, cols: u16) {
        self.master
            .lock()
            .expect("master")
            .resize(size(rows, cols))
            .expect("resize");
        self.parser
            .lock()
            .expect("parser")
            .screen_mut()
            .set_size(rows, cols);
    }

    /// Waits for the process and for its last output to be parsed.
    pub fn exit(&mut self) -> portable_pty::ExitStatus {
        let status = self.child.wait().expect("wait");
        let deadline = Instant::now() + Duration::from_secs(5);
        while !*self.done.lock().expect("done") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        status
    }

    pub fn restored(&self) -> bool {
        let p = self.parser.lock().expect("parser");
        !p.screen().alternate_screen() && !p.screen().hide_cursor()
    }

    pub fn in_dashboard(&self) -> bool {
        self.parser
            .lock()
            .expect("parser")
            .screen()
            .alternate_screen()
    }
}

//! Process-level tests, in their own binary: soak, crash points, file-system faults, the binary in a pseudo-terminal, and a real MyRocks server reading an exported my.cnf.
mod support;

mod crash_points;
mod fs_faults;
mod myrocks_roundtrip;
mod safety_reopen;
mod safety_shell_io;
mod shell_pty;
mod soak;
mod tui_pty;

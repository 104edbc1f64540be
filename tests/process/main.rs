//! Process-level tests, in their own binary: soak, crash points, file-system faults and the binary in a pseudo-terminal.
mod support;

mod crash_points;
mod fs_faults;
mod safety_reopen;
mod safety_shell_io;
mod shell_pty;
mod soak;
mod tui_pty;

//! Command history kept in a plain text file (one entry per line, multi-line SQL joined
//! with spaces), shared by the line shell and the dashboard's input line.
use std::io::Write;
use std::path::{Path, PathBuf};

/// Entries kept in memory and in the file.
pub const MAX_ENTRIES: usize = 1000;

/// `$XDG_DATA_HOME/alexdb` (usually `~/.local/share/alexdb`): history and the default
/// database live here.
pub fn app_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("alexdb"))
}

/// Where the history file is by default.
pub fn default_history_path() -> Option<PathBuf> {
    app_data_dir().map(|d| d.join("history"))
}

#[derive(Debug, Clone, Default)]
pub struct History {
    entries: Vec<String>,
    path: Option<PathBuf>,
}

impl History {
    /// In memory only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `path` (a missing or unreadable file gives an empty history); `save` writes
    /// back to it.
    pub fn load(path: &Path) -> Self {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut h = History {
            entries: Vec::new(),
            path: Some(path.to_path_buf()),
        };
        for line in text.lines() {
            // `#V2` is the header rustyline's own format writes; skip it if present.
            if line != "#V2" {
                h.push_entry(line);
            }
        }
        h
    }

    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds an entry; returns it as stored (`None` if blank or equal to the last one).
    pub fn push(&mut self, entry: &str) -> Option<String> {
        self.push_entry(entry)
            .then(|| self.entries[self.entries.len() - 1].clone())
    }

    fn push_entry(&mut self, entry: &str) -> bool {
        let one_line = entry.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.is_empty() || self.entries.last() == Some(&one_line) {
            return false;
        }
        self.entries.push(one_line);
        if self.entries.len() > MAX_ENTRIES {
            let extra = self.entries.len() - MAX_ENTRIES;
            self.entries.drain(..extra);
        }
        true
    }

    /// The newest entry before index `before` (exclusive; `len()` searches from the end)
    /// that contains `query`, as for Ctrl-R.
    pub fn search_back(&self, query: &str, before: usize) -> Option<usize> {
        let end = before.min(self.entries.len());
        self.entries[..end].iter().rposition(|e| e.contains(query))
    }

    /// Writes every entry to the file (creating its directory). No-op when in memory.
    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Write a sibling file and rename it, so a crash never leaves half a history.
        let tmp = path.with_extension("tmp");
        {
            let mut f = std::fs::File::create(&tmp)?;
            for e in &self.entries {
                writeln!(f, "{e}")?;
            }
            f.flush()?;
        }
        std::fs::rename(&tmp, path)
    }
}

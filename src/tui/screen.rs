//! Where everything goes on the dashboard's screen, worked out from the few facts that
//! move it ([`Shape`]): the app pages and scrolls by it, the panes draw into it. A leaf:
//! it knows neither the app nor the panes, so both can use it.
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Block;

/// The panes, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Throughput,
    Latency,
    Split,
    Cache,
    Memory,
    Lsm,
    Options,
    Output,
}

impl Pane {
    pub const ALL: [Pane; 8] = [
        Pane::Throughput,
        Pane::Latency,
        Pane::Split,
        Pane::Cache,
        Pane::Memory,
        Pane::Lsm,
        Pane::Options,
        Pane::Output,
    ];

    fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    pub fn next(self) -> Pane {
        Pane::ALL[(self.index() + 1) % Pane::ALL.len()]
    }

    pub fn prev(self) -> Pane {
        Pane::ALL[(self.index() + Pane::ALL.len() - 1) % Pane::ALL.len()]
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Throughput => "Throughput",
            Pane::Latency => "Latency",
            Pane::Split => "Get split",
            Pane::Cache => "Cache",
            Pane::Memory => "Memory",
            Pane::Lsm => "LSM",
            Pane::Options => "Options",
            Pane::Output => "Output",
        }
    }

    /// The function key that focuses the pane (F2..F9).
    pub fn fkey(self) -> u8 {
        self.index() as u8 + 2
    }

    pub fn from_fkey(n: u8) -> Option<Pane> {
        (2..=9).contains(&n).then(|| Pane::ALL[(n - 2) as usize])
    }
}

/// What the screen's layout depends on: the app's state that moves the panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// The terminal's size at the last draw.
    pub viewport: Rect,
    pub running_jobs: usize,
    pub expanded: bool,
    pub focus: Pane,
    /// Rows of the output pane's current result.
    pub output_len: usize,
}

/// Where everything goes on a screen of a given size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenLayout {
    pub header: Rect,
    pub body: Rect,
    pub jobs: Rect,
    pub status: Rect,
    pub input: Rect,
    /// Every pane shown, with its area (only the focused one when expanded).
    pub panes: Vec<(Pane, Rect)>,
}

/// Jobs shown with a gauge at most.
const MAX_JOB_ROWS: u16 = 3;

pub fn layout(s: &Shape, area: Rect) -> ScreenLayout {
    let jobs = s.running_jobs.min(usize::from(MAX_JOB_ROWS)) as u16;
    let [header, body, jobs_r, status, input] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(jobs),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let panes = if s.expanded {
        vec![(s.focus, body)]
    } else {
        let h = body.height;
        let [a, b, c] = Layout::vertical([
            Constraint::Length((h * 27 / 100).max(7)),
            Constraint::Length((h * 30 / 100).max(7)),
            Constraint::Min(3),
        ])
        .areas(body);
        let [tp, lat] = Layout::horizontal([Constraint::Ratio(1, 2); 2]).areas(a);
        // The Get split explains why a figure moved: it gets what the others leave,
        // which keep the width their rows need (Memory's label and value: 20 columns).
        let other = |min: u16| (b.width * 22 / 100).max(min);
        let [sp, ca, me, ls] = Layout::horizontal([
            Constraint::Fill(1),
            Constraint::Length(other(18)),
            Constraint::Length(other(20)),
            Constraint::Length(other(18)),
        ])
        .areas(b);
        let [out, opt] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(c);
        vec![
            (Pane::Throughput, tp),
            (Pane::Latency, lat),
            (Pane::Split, sp),
            (Pane::Cache, ca),
            (Pane::Memory, me),
            (Pane::Lsm, ls),
            (Pane::Output, out),
            (Pane::Options, opt),
        ]
    };
    ScreenLayout {
        header,
        body,
        jobs: jobs_r,
        status,
        input,
        panes,
    }
}

/// Rows of results the output pane shows at the viewport.
pub fn output_rows(s: &Shape) -> usize {
    let l = layout(s, s.viewport);
    let out = l
        .panes
        .iter()
        .find(|(p, _)| *p == Pane::Output)
        .map(|(_, r)| *r);
    match out {
        Some(r) => {
            split_rows(Block::bordered().inner(r), s.output_len)
                .0
                .height as usize
        }
        // Hidden (another pane is expanded): page by the body's height.
        None => l.body.height.saturating_sub(4) as usize,
    }
}

/// Columns and rows of text the full-width view (`.help`) shows at the viewport.
pub fn pager_text_size(s: &Shape) -> (usize, usize) {
    let r = text_area(layout(s, s.viewport).body);
    (r.width as usize, r.height as usize)
}

/// Columns and rows of results the output pane shows at the viewport (`(0, 0)` while
/// another pane is expanded).
pub fn output_size(s: &Shape) -> (usize, usize) {
    let l = layout(s, s.viewport);
    l.panes
        .iter()
        .find(|(p, _)| *p == Pane::Output)
        .map_or((0, 0), |(_, r)| {
            let rows = split_rows(Block::bordered().inner(*r), s.output_len).0;
            (rows.width as usize, rows.height as usize)
        })
}

/// Splits the pane's inner area into the result rows, a separator row and the log rows.
/// `need` is the current result's length: when the usual split cuts a result that the
/// whole pane could hold (a one-row table in a short pane, as at 80x24), the event log
/// gives up its rows so the result shows whole.
pub fn split_rows(inner: Rect, need: usize) -> (Rect, Rect, Rect) {
    let mut log = (inner.height / 3)
        .clamp(1, 8)
        .min(inner.height.saturating_sub(2));
    let mut sep = u16::from(inner.height >= 3);
    let mut result_h = inner.height - log - sep;
    if let Ok(need) = u16::try_from(need)
        && need > result_h
        && need <= inner.height
    {
        let rest = inner.height - need;
        sep = u16::from(rest >= 2);
        log = rest - sep;
        result_h = need;
    }
    let result = Rect {
        height: result_h,
        ..inner
    };
    let sep_r = Rect {
        y: inner.y + result_h,
        height: sep,
        ..inner
    };
    let log_r = Rect {
        y: inner.y + result_h + sep,
        height: log,
        ..inner
    };
    (result, sep_r, log_r)
}

/// The text cells inside the view's border in `area`.
pub fn text_area(area: Rect) -> Rect {
    Block::bordered().inner(area)
}

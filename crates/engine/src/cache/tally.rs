//! The clock cache's hit and miss counters, apart from the caches so the policies and
//! the cache front both name them without importing each other.
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

/// Hit and miss counters striped by thread, so a hit writes no cache line that other
/// threads' hits write.
pub(super) struct Tally {
    cells: Box<[TallyCell]>,
}

#[repr(align(128))]
#[derive(Default)]
struct TallyCell {
    hits: AtomicU64,
    misses: AtomicU64,
    hit_bytes: AtomicU64,
}

const TALLY_CELLS: usize = 16;
static NEXT_CELL: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static CELL: Cell<usize> = const { Cell::new(usize::MAX) };
}

impl Tally {
    pub(super) fn new() -> Tally {
        Tally {
            cells: (0..TALLY_CELLS).map(|_| TallyCell::default()).collect(),
        }
    }

    #[inline]
    fn cell(&self) -> &TallyCell {
        let i = CELL.with(|c| {
            if c.get() == usize::MAX {
                c.set(NEXT_CELL.fetch_add(1, Relaxed) % TALLY_CELLS);
            }
            c.get()
        });
        &self.cells[i]
    }

    #[inline]
    pub(super) fn hit(&self, bytes: usize) {
        let c = self.cell();
        c.hits.fetch_add(1, Relaxed);
        c.hit_bytes.fetch_add(bytes as u64, Relaxed);
    }

    #[inline]
    pub(super) fn miss(&self) {
        self.cell().misses.fetch_add(1, Relaxed);
    }

    /// (hits, misses, hit bytes).
    pub(super) fn sums(&self) -> (u64, u64, u64) {
        self.cells.iter().fold((0, 0, 0), |(h, m, b), c| {
            (
                h + c.hits.load(Relaxed),
                m + c.misses.load(Relaxed),
                b + c.hit_bytes.load(Relaxed),
            )
        })
    }
}

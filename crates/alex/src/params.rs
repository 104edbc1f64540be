//! The index's user settings and structural counters: a leaf both the tree and the
//! crate root name.

/// User settings (ALEX keeps these apart from derived settings and statistics).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Params {
    /// Largest data node, in slots (8 bytes each).
    pub max_data_node_slots: usize,
    /// Largest model node fanout (a power of two).
    pub max_fanout: usize,
    /// Expected share of inserts in the workload; weighs shifts in the cost model.
    pub expected_insert_frac: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_data_node_slots: 1 << 20,
            max_fanout: 1 << 21,
            expected_insert_frac: 1.0,
        }
    }
}

impl Params {
    /// Small nodes, for tests that want to exercise splits and new root levels.
    pub fn tiny() -> Self {
        Params {
            max_data_node_slots: 64,
            max_fanout: 8,
            expected_insert_frac: 1.0,
        }
    }

    pub(crate) fn sanitized(self) -> Self {
        Params {
            max_data_node_slots: self.max_data_node_slots.max(16),
            max_fanout: self.max_fanout.max(2).next_power_of_two(),
            expected_insert_frac: self.expected_insert_frac.clamp(0.0, 1.0),
        }
    }
}

/// Structural event counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counters {
    /// Data node expansions (more slots, model kept or scaled).
    pub expansions: u64,
    /// Data node expansions with a retrained model, chosen by the cost model.
    pub retrains: u64,
    pub splits_sideways: u64,
    pub splits_down: u64,
    /// Root expansions (key domain grown).
    pub root_expansions: u64,
    /// Model node child arrays doubled.
    pub model_node_expansions: u64,
    /// Data node contractions after deletes.
    pub contractions: u64,
}

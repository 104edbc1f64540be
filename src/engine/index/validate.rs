//! `validate()`: every invariant of the tree, checked from scratch.

use super::data::{DataNode, NIL};
use super::tree::{Node, Tree};

pub(crate) fn validate(t: &Tree) -> Result<(), String> {
    let mut seen = vec![false; t.nodes.len()];
    let mut leaves = Vec::new();
    if t.dup_of(t.root) != 0 {
        return Err("root has a duplication factor".into());
    }
    walk(t, t.root, &mut seen, &mut leaves)?;
    // Leaf chain = in-order leaves.
    if t.first_leaf() != leaves[0] {
        return Err("first leaf is not the leftmost leaf".into());
    }
    let mut id = leaves[0];
    let mut prev = NIL;
    for (i, &expect) in leaves.iter().enumerate() {
        if id != expect {
            return Err(format!(
                "leaf chain position {i}: found node {id}, expected {expect}"
            ));
        }
        let d = t.data(id);
        if d.prev != prev {
            return Err(format!("leaf {id} has prev {} instead of {prev}", d.prev));
        }
        prev = id;
        id = d.next;
    }
    if id != NIL {
        return Err("leaf chain continues past the last leaf".into());
    }
    // Keys: node invariants, routing, global order, count.
    let mut total = 0usize;
    let mut last: Option<i64> = None;
    for &leaf in &leaves {
        let d = t.data(leaf);
        check_data_node(leaf, d)?;
        for k in d.collect_keys() {
            if let Some(l) = last
                && k <= l
            {
                return Err(format!("keys out of order across leaves: {k} after {l}"));
            }
            last = Some(k);
            let routed = t.leaf_for(k);
            if routed != leaf {
                return Err(format!(
                    "key {k} lives in leaf {leaf} but routes to {routed}"
                ));
            }
            total += 1;
        }
    }
    if total != t.len {
        return Err(format!("len is {} but the leaves hold {total} keys", t.len));
    }
    // Arena: every live node reachable, free list holds only free slots.
    for (i, n) in t.nodes.iter().enumerate() {
        let free = matches!(n, Node::Free);
        if free == seen[i] {
            return Err(format!("node {i}: free={free} but reachable={}", seen[i]));
        }
    }
    for &f in &t.free {
        if !matches!(t.nodes[f as usize], Node::Free) {
            return Err(format!("free list holds live node {f}"));
        }
    }
    Ok(())
}

fn walk(t: &Tree, id: u32, seen: &mut [bool], leaves: &mut Vec<u32>) -> Result<(), String> {
    if seen[id as usize] {
        return Err(format!("node {id} is reachable twice"));
    }
    seen[id as usize] = true;
    match &t.nodes[id as usize] {
        Node::Free => Err(format!("free node {id} is referenced")),
        Node::Data(_) => {
            leaves.push(id);
            Ok(())
        }
        Node::Model(m) => {
            let n = m.children.len();
            if n < 2 || !n.is_power_of_two() || n > t.params.max_fanout {
                return Err(format!("model node {id} has {n} children"));
            }
            if m.model.a.is_nan() || m.model.a < 0.0 || !m.model.b.is_finite() {
                return Err(format!("model node {id} has a bad model {:?}", m.model));
            }
            let mut i = 0;
            while i < n {
                let c = m.children[i];
                let run = 1usize << t.dup_of(c);
                if i % run != 0 || i + run > n {
                    return Err(format!(
                        "child {c} of {id} at slot {i} has a misaligned run of {run}"
                    ));
                }
                if m.children[i..i + run].iter().any(|&x| x != c) {
                    return Err(format!(
                        "child {c} of {id} does not fill its run at slot {i}"
                    ));
                }
                walk(t, c, seen, leaves)?;
                i += run;
            }
            Ok(())
        }
    }
}

fn check_data_node(id: u32, d: &DataNode) -> Result<(), String> {
    let cap = d.capacity();
    if d.bitmap.len() != cap.div_ceil(64) {
        return Err(format!(
            "leaf {id}: bitmap of {} words for {cap} slots",
            d.bitmap.len()
        ));
    }
    if !cap.is_multiple_of(64) {
        let tail = d.bitmap[d.bitmap.len() - 1] >> (cap % 64);
        if tail != 0 {
            return Err(format!("leaf {id}: bits set past the last slot"));
        }
    }
    let ones: usize = d.bitmap.iter().map(|w| w.count_ones() as usize).sum();
    if ones != d.num_keys {
        return Err(format!(
            "leaf {id}: {ones} bits set but num_keys is {}",
            d.num_keys
        ));
    }
    if d.num_keys >= cap {
        return Err(format!(
            "leaf {id}: no gap left ({} keys in {cap} slots)",
            d.num_keys
        ));
    }
    // Walking right to left, each gap must hold the next real key (or the filler).
    let mut next_real = i64::MAX;
    let mut prev_real: Option<i64> = None;
    for p in (0..cap).rev() {
        if d.is_occupied(p) {
            let k = d.keys[p];
            if let Some(r) = prev_real
                && k >= r
            {
                return Err(format!("leaf {id}: keys out of order at slot {p}"));
            }
            prev_real = Some(k);
            next_real = k;
        } else if d.keys[p] != next_real {
            return Err(format!(
                "leaf {id}: gap at slot {p} holds {} instead of {next_real}",
                d.keys[p]
            ));
        }
    }
    Ok(())
}

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
    check_slot_numbers(t, &leaves)?;
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

/// Global slot numbers: each leaf's range starts where the previous leaf's ended.
fn check_slot_numbers(t: &Tree, leaves: &[u32]) -> Result<(), String> {
    let mut next = 0u64;
    for &leaf in leaves {
        let d = t.data(leaf);
        if d.slot_base != next {
            return Err(format!(
                "leaf {leaf}: slots numbered from {} instead of {next}",
                d.slot_base
            ));
        }
        next += d.capacity() as u64;
    }
    if next != t.slot_count {
        return Err(format!(
            "slot_count is {} but the leaves hold {next} slots",
            t.slot_count
        ));
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
    // Walking right to left: real keys strictly decrease, and every slot holds no more
    // than the slot after it, so each gap holds no more than the next real key (lookups
    // rely on both).
    let mut next_real: Option<i64> = None;
    let mut right = i64::MAX;
    for p in (0..cap).rev() {
        let v = d.keys[p];
        if v > right {
            return Err(format!(
                "leaf {id}: slot {p} holds {v}, more than the {right} after it"
            ));
        }
        if d.is_occupied(p) {
            if next_real.is_some_and(|r| v >= r) {
                return Err(format!("leaf {id}: keys out of order at slot {p}"));
            }
            next_real = Some(v);
        } else if !d.removed_since_build() && v != next_real.unwrap_or(i64::MAX) {
            // Lookups trust the key array alone until a removal: each gap must then hold
            // exactly the next real key, or the fill after the last.
            return Err(format!(
                "leaf {id}: gap {p} holds {v}, not the next key {next_real:?}, with no removal"
            ));
        }
        right = v;
    }
    Ok(())
}

//! Consistent-hash ring placing shards on storage nodes.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// Virtual points per node: more points, smoother balance.
const POINTS_PER_NODE: u32 = 160;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub weight: u32,
}

#[derive(Debug, Default)]
pub struct Ring {
    points: BTreeMap<u64, usize>,
    nodes: Vec<Node>,
}

fn point_hash(key: &[u8], seed: u64) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    seed.hash(&mut h);
    key.hash(&mut h);
    h.finish()
}

impl Ring {
    pub fn add(&mut self, node: Node) {
        let index = self.nodes.len();
        let points = POINTS_PER_NODE * node.weight.max(1);
        for replica in 0..points {
            let p = point_hash(node.id.as_bytes(), u64::from(replica));
            self.points.insert(p, index);
        }
        self.nodes.push(node);
    }

    pub fn remove(&mut self, id: &str) -> Option<Node> {
        let index = self.nodes.iter().position(|n| n.id == id)?;
        self.points.retain(|_, i| *i != index);
        for i in self.points.values_mut() {
            if *i > index {
                *i -= 1;
            }
        }
        Some(self.nodes.remove(index))
    }

    /// The `count` distinct nodes that own `key`, in preference order.
    pub fn owners(&self, key: &[u8], count: usize) -> Vec<&Node> {
        let mut out: Vec<&Node> = Vec::with_capacity(count);
        let start = point_hash(key, 0);
        let after = self.points.range(start..).chain(self.points.range(..start));
        for (_, &index) in after {
            let node = &self.nodes[index];
            if !out.iter().any(|n| n.id == node.id) {
                out.push(node);
            }
            if out.len() == count.min(self.nodes.len()) {
                break;
            }
        }
        out
    }
}

//! An open-addressing table of `u32` ids by hash, for stores that keep their items
//! themselves (strings in an arena, token runs in pages) and need only to find an equal one:
//! 8 bytes a slot (the id plus one and 32 bits of the item's hash), linear probing, at most
//! 3/4 full. Equal hashes are confirmed by the caller's comparison, so the table finds
//! exactly the equal item, whatever collides.
//!
//! ```
//! use concord_core::table::IdTable;
//! use concord_core::text::fnv1a64;
//!
//! let mut items: Vec<&str> = Vec::new();
//! let mut table = IdTable::default();
//! let ids: Vec<u32> = ["to", "be", "or", "not", "to", "be"]
//!     .into_iter()
//!     .map(|w| {
//!         let next = items.len() as u32;
//!         let id = table.get_or_insert(fnv1a64(w.as_bytes()), next, |i| items[i as usize] == w);
//!         if id == next {
//!             items.push(w);
//!         }
//!         id
//!     })
//!     .collect();
//! assert_eq!(ids, [0, 1, 2, 3, 0, 1]);
//! ```

/// Ids by hash, confirmed by the caller (see the [module](self) docs).
#[derive(Clone, Debug, Default)]
pub struct IdTable {
    /// A power of two long (or empty).
    slots: Vec<Slot>,
    len: usize,
}

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    /// The id plus one; 0: an empty slot.
    id1: u32,
    hash: u32,
}

impl IdTable {
    /// The id of the stored item for which `same(id)` holds among those with hash `hash`;
    /// when there is none, `new` is stored as such an item and returned (the caller then
    /// stores the item under that id).
    pub fn get_or_insert(&mut self, hash: u64, new: u32, same: impl Fn(u32) -> bool) -> u32 {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let hash = (hash >> 32) as u32;
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let s = self.slots[i];
            if s.id1 == 0 {
                self.slots[i] = Slot { id1: new + 1, hash };
                self.len += 1;
                return new;
            }
            if s.hash == hash && same(s.id1 - 1) {
                return s.id1 - 1;
            }
            i = (i + 1) & mask;
        }
    }

    /// The number of ids stored.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no id is stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Slots allocated (a power of two, or 0).
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(1 << 10);
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        let mask = size - 1;
        for s in old.into_iter().filter(|s| s.id1 != 0) {
            let mut i = s.hash as usize & mask;
            while self.slots[i].id1 != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::mix64;

    #[test]
    fn finds_exactly_the_equal_item() {
        // Against a HashMap from contents to first ids. Weak hashes of the contents (equal
        // items, equal hashes) collide often, on all 64 bits or on the 32 the table keeps;
        // the table grows several times.
        let mut table = IdTable::default();
        let mut items: Vec<Vec<u32>> = Vec::new();
        let mut plain: std::collections::HashMap<Vec<u32>, u32> = Default::default();
        let weak = |r: &[u32]| {
            let sum = r.iter().map(|&x| x as u64).sum::<u64>();
            if r.len() % 2 == 0 {
                (sum % 97) << 32 | sum
            } else {
                sum % 89
            }
        };
        for k in 0..12_000u64 {
            let item: Vec<u32> = (0..mix64(k) % 5).map(|i| (mix64(k % 3000 + i) % 40) as u32).collect();
            let next = items.len() as u32;
            let got = table.get_or_insert(weak(&item), next, |r| items[r as usize] == item);
            if got == next {
                items.push(item.clone());
            }
            assert_eq!(got, *plain.entry(item).or_insert(next), "step {k}");
        }
        assert_eq!((items.len(), table.len()), (plain.len(), plain.len()));
        assert!(table.capacity() >= 1 << 12 && !table.is_empty());
    }
}

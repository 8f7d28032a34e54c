//! An append-only list in fixed-size chunks, for the large per-article tables corpus
//! stages and the runner keep.
//!
//! Growing a `Vec` past its capacity copies it into one twice as large, so for a moment it
//! holds every element twice: a table of a quarter of a GB needs half a GB just then.
//! [`Chunks`] never copies what it holds; reading an element costs one more index.
//!
//! ```
//! use concord_core::chunks::Chunks;
//! let mut c = Chunks::default();
//! for i in 0..100_000u32 {
//!     c.push(i);
//! }
//! assert_eq!((c.len(), c[70_000]), (100_000, 70_000));
//! assert_eq!(c.into_vec().len(), 100_000);
//! ```

/// An append-only list kept in chunks of 2^16 elements.
#[derive(Clone, Debug)]
pub struct Chunks<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunks<T> {
    fn default() -> Self {
        Chunks { chunks: Vec::new(), len: 0 }
    }
}

impl<T> Chunks<T> {
    /// Elements a chunk holds, as a power of two.
    pub const BITS: u32 = 16;

    /// Appends `x`.
    pub fn push(&mut self, x: T) {
        if self.len.trailing_zeros() >= Self::BITS {
            self.chunks.push(Vec::new());
        }
        self.chunks.last_mut().expect("a chunk").push(x);
        self.len += 1;
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The element at `i`, if any.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i >> Self::BITS)?.get(i & ((1 << Self::BITS) - 1))
    }

    /// The elements in order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }

    /// The elements in order, to change in place.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.chunks.iter_mut().flatten()
    }

    /// One `Vec` of exactly its length; each chunk is freed once moved, so this needs one
    /// chunk more than the elements, not twice them.
    pub fn into_vec(self) -> Vec<T> {
        let mut v = Vec::with_capacity(self.len);
        for c in self.chunks {
            v.extend(c);
        }
        v
    }
}

impl<T> std::ops::Index<usize> for Chunks<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        &self.chunks[i >> Self::BITS][i & ((1 << Self::BITS) - 1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_order_and_index() {
        let mut c = Chunks::default();
        let n = (1 << Chunks::<u32>::BITS) * 2 + 5;
        for i in 0..n as u32 {
            c.push(i);
        }
        assert_eq!(c.len(), n);
        assert_eq!(c[0], 0);
        assert_eq!(c[1 << Chunks::<u32>::BITS], 1 << Chunks::<u32>::BITS);
        assert_eq!(c.get(n - 1), Some(&(n as u32 - 1)));
        assert_eq!(c.get(n), None);
        assert!(c.iter().copied().eq(0..n as u32));
        c.iter_mut().for_each(|x| *x += 1);
        assert_eq!((c[0], c[n - 1]), (1, n as u32));
        c.iter_mut().for_each(|x| *x -= 1);
        assert_eq!(c.into_vec(), (0..n as u32).collect::<Vec<_>>());
        assert!(Chunks::<u8>::default().is_empty());
    }
}

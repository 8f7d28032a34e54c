//! Reordering large tables in place.
//!
//! Sorting a table of big records by a key is best done on a permutation of `u32` indices
//! (4 bytes a record) and then moving each record once; [`apply_permutation`] is that move.
//!
//! ```
//! use concord_core::order::apply_permutation;
//! let mut v = vec!["b", "c", "a"];
//! apply_permutation(&mut v, &[2, 0, 1]);
//! assert_eq!(v, ["a", "b", "c"]);
//! ```

/// Reorders `v` so that `v[j]` becomes the element that was at `perm[j]`, by following the
/// permutation's cycles (each element is moved once; one byte a element of extra memory).
///
/// # Panics
/// When `perm` is not a permutation of `0..v.len()`.
pub fn apply_permutation<T>(v: &mut [T], perm: &[u32]) {
    assert_eq!(v.len(), perm.len(), "a permutation of the whole slice");
    let mut done = vec![false; v.len()];
    for start in 0..v.len() {
        let mut j = start;
        while !done[j] {
            done[j] = true;
            let k = perm[j] as usize;
            if k == start {
                break;
            }
            v.swap(j, k);
            j = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_move_to_their_places() {
        let mut x = 0x9e37_79b9_u64;
        for n in [0usize, 1, 2, 7, 1000] {
            // a pseudo-random permutation (Fisher-Yates)
            let mut perm: Vec<u32> = (0..n as u32).collect();
            for i in (1..n).rev() {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                perm.swap(i, (x >> 33) as usize % (i + 1));
            }
            let v: Vec<u32> = (0..n as u32).map(|i| i * 10).collect();
            let want: Vec<u32> = perm.iter().map(|&p| v[p as usize]).collect();
            let mut got = v;
            apply_permutation(&mut got, &perm);
            assert_eq!(got, want, "n = {n}");
        }
    }
}

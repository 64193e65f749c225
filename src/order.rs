//! Media order arithmetic: applying moves the way Shopify's `productReorderMedia` does, and
//! finding the fewest moves that turn one order into another.

/// Apply moves in order: each takes its item out and puts it back at its new position.
pub fn apply_moves<T: PartialEq + Clone>(order: &[T], moves: &[(T, usize)]) -> Vec<T> {
    let mut out = order.to_vec();
    for (id, pos) in moves {
        if let Some(from) = out.iter().position(|m| m == id) {
            let item = out.remove(from);
            out.insert((*pos).min(out.len()), item);
        }
    }
    out
}

/// The fewest moves from `old` to `new` (both the same items): the longest run of items that
/// keep their relative order stays put, and every other item moves once.
/// Returns `None` when the two lists do not hold the same items.
pub fn fewest_moves<T: PartialEq + Clone>(old: &[T], new: &[T]) -> Option<Vec<(T, usize)>> {
    if old.len() != new.len() {
        return None;
    }
    let positions: Vec<usize> = new.iter().map(|id| old.iter().position(|o| o == id)).collect::<Option<_>>()?;
    let mut seen = vec![false; old.len()];
    for &p in &positions {
        if std::mem::replace(&mut seen[p], true) {
            return None;
        }
    }
    let keep = longest_increasing(&positions);
    // Moved items go in order of their final index, each right after the item that precedes
    // it in the new order (kept, or moved already): so every item ends beside its neighbour.
    let mut current = old.to_vec();
    let mut moves: Vec<(T, usize)> = Vec::new();
    for (i, id) in new.iter().enumerate() {
        if keep[i] {
            continue;
        }
        let from = current.iter().position(|c| c == id).expect("same items");
        let item = current.remove(from);
        let at = match i.checked_sub(1) {
            None => 0,
            Some(p) => current.iter().position(|c| *c == new[p]).expect("same items") + 1,
        };
        current.insert(at, item);
        moves.push((id.clone(), at));
    }
    // The construction is exact, but the result is checked anyway: a wrong move list would
    // scramble a merchant's gallery, while a longer one only costs a little more work.
    if apply_moves(old, &moves) != new {
        moves = new.iter().cloned().enumerate().map(|(i, id)| (id, i)).collect();
    }
    Some(moves)
}

/// Which entries belong to one longest strictly increasing subsequence (patience sorting).
fn longest_increasing(values: &[usize]) -> Vec<bool> {
    let mut tails: Vec<usize> = Vec::new(); // indices into values
    let mut prev: Vec<Option<usize>> = vec![None; values.len()];
    for (i, &v) in values.iter().enumerate() {
        let at = tails.partition_point(|&t| values[t] < v);
        prev[i] = at.checked_sub(1).map(|a| tails[a]);
        if at == tails.len() {
            tails.push(i);
        } else {
            tails[at] = i;
        }
    }
    let mut keep = vec![false; values.len()];
    let mut cur = tails.last().copied();
    while let Some(i) = cur {
        keep[i] = true;
        cur = prev[i];
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn one_item_dragged_is_one_move() {
        let old = [1, 2, 3, 4, 5];
        assert_eq!(fewest_moves(&old, &[5, 1, 2, 3, 4]).unwrap(), vec![(5, 0)]);
        assert_eq!(fewest_moves(&old, &[2, 3, 4, 5, 1]).unwrap(), vec![(1, 4)]);
        assert!(fewest_moves(&old, &old).unwrap().is_empty());
    }

    #[test]
    fn different_items_are_refused() {
        assert!(fewest_moves(&[1, 2, 3], &[1, 2, 4]).is_none());
        assert!(fewest_moves(&[1, 2, 3], &[1, 2]).is_none());
        assert!(fewest_moves(&[1, 2, 3], &[1, 1, 2]).is_none());
    }

    #[test]
    fn random_permutations_are_reached_with_the_fewest_moves() {
        let mut rng = Rng::new(42);
        for n in [2usize, 3, 5, 10, 40, 250] {
            for _ in 0..50 {
                let old: Vec<usize> = (0..n).collect();
                let mut new = old.clone();
                for i in (1..n).rev() {
                    new.swap(i, rng.below(i as u64 + 1) as usize);
                }
                let moves = fewest_moves(&old, &new).unwrap();
                assert_eq!(apply_moves(&old, &moves), new);
                let positions: Vec<usize> = new.clone();
                let lis = longest_increasing(&positions).iter().filter(|k| **k).count();
                assert_eq!(moves.len(), n - lis, "fewest: everything outside one longest kept run");
            }
        }
    }
}

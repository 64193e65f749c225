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
        let from = current.iter().position(|c| c == id)?;
        let item = current.remove(from);
        let at = match i.checked_sub(1) {
            None => 0,
            Some(p) => current.iter().position(|c| *c == new[p])? + 1,
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

/// Where a block of selected items goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// In front of the item now at this index.
    Before(usize),
    /// Right after the item now at this index.
    After(usize),
    /// First.
    Start,
    /// Last.
    End,
}

/// Move the selected items, keeping their relative order, as one block to `place` (which
/// names an item by its index in `order`). A place on a selected item leaves the order as is.
pub fn move_block<T: Clone>(order: &[T], selected: impl Fn(&T) -> bool, place: Place) -> Vec<T> {
    let anchor = match place {
        Place::Before(i) | Place::After(i) => match order.get(i) {
            Some(item) if !selected(item) => Some(i),
            _ => return order.to_vec(),
        },
        Place::Start | Place::End => None,
    };
    let block: Vec<T> = order.iter().filter(|t| selected(t)).cloned().collect();
    let mut rest = Vec::with_capacity(order.len());
    let mut at = 0;
    for (i, t) in order.iter().enumerate() {
        if selected(t) {
            continue;
        }
        if Some(i) == anchor {
            at = rest.len() + usize::from(matches!(place, Place::After(_)));
        }
        rest.push(t.clone());
    }
    match place {
        Place::Start => at = 0,
        Place::End => at = rest.len(),
        _ => {}
    }
    rest.splice(at..at, block);
    rest
}

/// Where one step towards the start (`forward` false) or the end moves a block: past the
/// nearest unselected neighbour. `None` when the block is already at that end.
pub fn step_place<T>(order: &[T], selected: impl Fn(&T) -> bool, forward: bool) -> Option<Place> {
    if forward {
        let first = order.iter().position(&selected)?;
        // The first unselected item after the first selected one: a scattered selection gathers.
        let next = (first + 1..order.len()).find(|&i| !selected(&order[i]))?;
        Some(Place::After(next))
    } else {
        let first = order.iter().position(&selected)?;
        let prev = (0..first).rev().find(|&i| !selected(&order[i]))?;
        Some(Place::Before(prev))
    }
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

    #[test]
    fn a_block_moves_together_keeping_its_order() {
        let order = [1, 2, 3, 4, 5, 6];
        let sel = |t: &i32| *t == 2 || *t == 4;
        assert_eq!(move_block(&order, sel, Place::After(4)), vec![1, 3, 5, 2, 4, 6]);
        assert_eq!(move_block(&order, sel, Place::Before(0)), vec![2, 4, 1, 3, 5, 6]);
        assert_eq!(move_block(&order, sel, Place::Start), vec![2, 4, 1, 3, 5, 6]);
        assert_eq!(move_block(&order, sel, Place::End), vec![1, 3, 5, 6, 2, 4]);
        assert_eq!(move_block(&order, sel, Place::After(3)), order.to_vec(), "a selected anchor is no move");
        assert_eq!(move_block(&order, sel, Place::Before(9)), order.to_vec());
    }

    #[test]
    fn a_step_passes_one_neighbour() {
        let order = [1, 2, 3, 4, 5];
        let sel = |t: &i32| *t == 2 || *t == 3;
        let right = step_place(&order, sel, true).unwrap();
        assert_eq!(move_block(&order, sel, right), vec![1, 4, 2, 3, 5]);
        let left = step_place(&order, sel, false).unwrap();
        assert_eq!(move_block(&order, sel, left), vec![2, 3, 1, 4, 5]);
        assert_eq!(step_place(&order, |t: &i32| *t == 5, true), None);
        assert_eq!(step_place(&order, |t: &i32| *t == 1, false), None);
        // A scattered selection gathers after the first gap.
        let scattered = |t: &i32| *t == 1 || *t == 4;
        let p = step_place(&order, scattered, true).unwrap();
        assert_eq!(move_block(&order, scattered, p), vec![2, 1, 4, 3, 5]);
    }
}

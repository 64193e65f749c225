//! Locks that survive a panic elsewhere: a thread that panicked while holding a lock leaves it
//! poisoned, and taking the data anyway beats cascading the panic into every other task.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// The mutex's data, poisoned or not.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

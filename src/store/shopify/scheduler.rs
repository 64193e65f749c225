//! Pacing requests to Shopify's cost bucket: wait before a request would overdraw it, instead
//! of being throttled. The model follows `extensions.cost.throttleStatus` of every answer.

use std::sync::Mutex;
use std::time::Duration;

// tokio's clock, so paused-time tests can drive the scheduler.
use tokio::time::Instant;

use super::wire::ThrottleStatus;

#[derive(Debug)]
struct Model {
    maximum: f64,
    restore_rate: f64,
    available: f64,
    at: Instant,
    /// Points set aside for requests sent and not answered yet.
    reserved: f64,
}

impl Model {
    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.available = (self.available + elapsed * self.restore_rate).min(self.maximum);
        self.at = now;
    }
}

/// One store's view of its cost bucket.
#[derive(Debug)]
pub struct Scheduler {
    model: Mutex<Model>,
    /// Requests take their points in the order they asked: without it a stream of cheap
    /// requests (health reads) keeps a dear one (a page of products) waiting forever.
    turn: tokio::sync::Mutex<()>,
}

/// Points set aside for one request; give them back with [`Scheduler::settle`].
#[derive(Debug)]
#[must_use]
pub struct Reservation(f64);

impl Default for Scheduler {
    fn default() -> Self {
        // Until the first answer says otherwise, assume the smallest bucket Shopify has had.
        Scheduler {
            model: Mutex::new(Model {
                maximum: 1000.0,
                restore_rate: 50.0,
                available: 1000.0,
                at: Instant::now(),
                reserved: 0.0,
            }),
            turn: tokio::sync::Mutex::new(()),
        }
    }
}

impl Scheduler {
    /// Wait until `cost` points are free, then set them aside.
    pub async fn acquire(&self, cost: f64) -> Reservation {
        // tokio's mutex queues its waiters first come, first served.
        let _turn = self.turn.lock().await;
        loop {
            let wait = {
                let mut m = crate::sync::lock(&self.model);
                m.refill(Instant::now());
                // A request dearer than the whole bucket can only wait for a full one.
                let need = cost.min(m.maximum);
                let free = m.available - m.reserved;
                if free >= need {
                    m.reserved += cost;
                    return Reservation(cost);
                }
                Duration::from_secs_f64((need - free) / m.restore_rate.max(1.0))
            };
            tokio::time::sleep(wait.max(Duration::from_millis(5))).await;
        }
    }

    /// Release a reservation and take the bucket's state from the answer, when it has one.
    pub fn settle(&self, reservation: Reservation, reported: Option<&ThrottleStatus>) {
        let mut m = crate::sync::lock(&self.model);
        m.reserved = (m.reserved - reservation.0).max(0.0);
        match reported {
            Some(s) => {
                m.maximum = s.maximum_available;
                m.restore_rate = s.restore_rate;
                m.available = s.currently_available;
                m.at = Instant::now();
            }
            None => {
                // No report (network error): assume the points were spent.
                m.refill(Instant::now());
                m.available = (m.available - reservation.0).max(0.0);
            }
        }
    }

    /// Give back a reservation for a request that never reached the store (no connection): it
    /// spent nothing, and counting it would make the next attempt wait for points not spent.
    pub fn release(&self, reservation: Reservation) {
        let mut m = crate::sync::lock(&self.model);
        m.reserved = (m.reserved - reservation.0).max(0.0);
    }

    /// Points free now, for display and tests.
    pub fn free(&self) -> f64 {
        let mut m = crate::sync::lock(&self.model);
        m.refill(Instant::now());
        m.available - m.reserved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_request_that_never_left_spends_no_points() {
        let s = Scheduler::default();
        for _ in 0..5 {
            let r = s.acquire(900.0).await;
            s.release(r);
        }
        assert!(s.free() >= 999.0, "{}", s.free());
        let r = s.acquire(900.0).await;
        s.settle(r, None);
        assert!(s.free() < 200.0, "an answer lost after sending counts as spent: {}", s.free());
    }

    fn status(max: f64, now: f64, rate: f64) -> ThrottleStatus {
        ThrottleStatus { maximum_available: max, currently_available: now, restore_rate: rate }
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_deficit_at_the_restore_rate() {
        let s = Scheduler::default();
        let r = s.acquire(10.0).await;
        s.settle(r, Some(&status(100.0, 20.0, 10.0)));
        let t = tokio::time::Instant::now();
        let r = s.acquire(50.0).await;
        // 30 points short at 10 a second.
        let waited = t.elapsed().as_secs_f64();
        assert!((2.9..3.3).contains(&waited), "{waited}");
        s.settle(r, None);
    }

    #[tokio::test]
    async fn reservations_keep_concurrent_requests_from_overdrawing() {
        let s = Scheduler::default();
        let r0 = s.acquire(1.0).await;
        s.settle(r0, Some(&status(100.0, 100.0, 1.0)));
        let _a = s.acquire(60.0).await;
        assert!(s.free() < 41.0);
        let blocked = tokio::time::timeout(Duration::from_millis(50), s.acquire(60.0)).await;
        assert!(blocked.is_err(), "a second 60-point request must wait while the first is out");
    }

    #[tokio::test(start_paused = true)]
    async fn a_dear_request_is_not_overtaken_by_cheap_ones_that_come_after_it() {
        let s = std::sync::Arc::new(Scheduler::default());
        let r = s.acquire(1.0).await;
        s.settle(r, Some(&status(300.0, 0.0, 100.0)));
        let order = std::sync::Arc::new(Mutex::new(Vec::new()));
        let dear = {
            let (s, order) = (s.clone(), order.clone());
            tokio::spawn(async move {
                let r = s.acquire(250.0).await;
                order.lock().unwrap().push("dear");
                s.settle(r, None);
            })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;
        let mut cheap = Vec::new();
        for _ in 0..20 {
            let (s, order) = (s.clone(), order.clone());
            cheap.push(tokio::spawn(async move {
                let r = s.acquire(20.0).await;
                order.lock().unwrap().push("cheap");
                s.settle(r, None);
            }));
        }
        dear.await.unwrap();
        for c in cheap {
            c.await.unwrap();
        }
        assert_eq!(order.lock().unwrap()[0], "dear", "first come, first served");
    }
}

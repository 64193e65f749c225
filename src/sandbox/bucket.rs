//! The sandbox's leaky bucket of query-cost points, as Shopify describes its rate limit: a
//! capacity that refills at a steady rate, charged the requested cost and refunded the rest.

use std::time::Instant;

/// A leaky bucket of query-cost points that refills at a steady rate.
#[derive(Debug, Clone)]
pub struct Bucket {
    /// Capacity in points.
    pub maximum: f64,
    /// Refill in points a second.
    pub restore_rate: f64,
    available: f64,
    at: Instant,
}

impl Bucket {
    /// A full bucket.
    pub fn new(maximum: f64, restore_rate: f64) -> Self {
        Bucket { maximum, restore_rate, available: maximum, at: Instant::now() }
    }

    /// Points available now.
    pub fn available(&mut self, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.available = (self.available + elapsed * self.restore_rate).min(self.maximum);
        self.at = now;
        self.available
    }

    /// Take `cost` points if there are enough; false (and nothing taken) otherwise.
    pub fn try_take(&mut self, cost: f64, now: Instant) -> bool {
        if self.available(now) + 1e-9 >= cost {
            self.available -= cost;
            true
        } else {
            false
        }
    }

    /// Give back points charged but not used.
    pub fn refund(&mut self, points: f64, now: Instant) {
        self.available(now);
        self.available = (self.available + points).min(self.maximum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_refills_at_its_rate_and_caps() {
        let t0 = Instant::now();
        let mut b = Bucket { maximum: 100.0, restore_rate: 10.0, available: 100.0, at: t0 };
        assert!(b.try_take(95.0, t0));
        assert!(!b.try_take(10.0, t0));
        assert!(b.try_take(10.0, t0 + Duration::from_millis(500)));
        assert_eq!(b.available(t0 + Duration::from_secs(60)), 100.0);
    }
}

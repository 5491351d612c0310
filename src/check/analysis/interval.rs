//! Intervals of exact numbers, for static analysis: the values a band's
//! subject can take, what an arm claims, what an item can score.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::eval::num::Num;
use std::cmp::Ordering;

/// One end of an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct End {
    pub v: Num,
    pub closed: bool,
}

/// A set `lo .. hi` (`None` = unbounded); `int` restricts it to whole numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub lo: Option<End>,
    pub hi: Option<End>,
    pub int: bool,
}

fn cmp(a: Num, b: Num) -> Ordering {
    // Analysis values are small; an overflowing comparison counts as equal
    // (the only effect is a less precise warning, never a wrong score).
    a.exact_cmp(b).unwrap_or(Ordering::Equal)
}

impl Interval {
    pub const ALL: Interval = Interval {
        lo: None,
        hi: None,
        int: false,
    };

    pub fn point(v: Num) -> Interval {
        let e = Some(End { v, closed: true });
        Interval {
            lo: e,
            hi: e,
            int: false,
        }
    }

    pub fn new(lo: Option<End>, hi: Option<End>) -> Interval {
        Interval { lo, hi, int: false }
    }

    pub fn closed(lo: Num, hi: Num) -> Interval {
        Interval::new(
            Some(End {
                v: lo,
                closed: true,
            }),
            Some(End {
                v: hi,
                closed: true,
            }),
        )
    }

    pub fn at_least(v: Num) -> Interval {
        Interval::new(Some(End { v, closed: true }), None)
    }

    pub fn integral(mut self, int: bool) -> Interval {
        self.int = int;
        self
    }

    /// Smallest whole number ≥ (or >) the low end.
    fn int_lo(&self) -> Option<Num> {
        let e = self.lo?;
        let c = e.v.ceil().ok()?;
        if !e.closed && cmp(c, e.v) == Ordering::Equal {
            c.plus(Num::ONE).ok()
        } else {
            Some(c)
        }
    }

    fn int_hi(&self) -> Option<Num> {
        let e = self.hi?;
        let f = e.v.floor().ok()?;
        if !e.closed && cmp(f, e.v) == Ordering::Equal {
            f.minus(Num::ONE).ok()
        } else {
            Some(f)
        }
    }

    pub fn is_empty(&self) -> bool {
        if self.int {
            return match (self.int_lo(), self.int_hi()) {
                (Some(a), Some(b)) => cmp(a, b) == Ordering::Greater,
                _ => false,
            };
        }
        match (self.lo, self.hi) {
            (Some(a), Some(b)) => match cmp(a.v, b.v) {
                Ordering::Greater => true,
                Ordering::Equal => !(a.closed && b.closed),
                Ordering::Less => false,
            },
            _ => false,
        }
    }

    pub fn intersect(&self, o: &Interval) -> Interval {
        let lo = match (self.lo, o.lo) {
            (None, x) | (x, None) => x,
            (Some(a), Some(b)) => Some(match cmp(a.v, b.v) {
                Ordering::Greater => a,
                Ordering::Less => b,
                Ordering::Equal => End {
                    v: a.v,
                    closed: a.closed && b.closed,
                },
            }),
        };
        let hi = match (self.hi, o.hi) {
            (None, x) | (x, None) => x,
            (Some(a), Some(b)) => Some(match cmp(a.v, b.v) {
                Ordering::Less => a,
                Ordering::Greater => b,
                Ordering::Equal => End {
                    v: a.v,
                    closed: a.closed && b.closed,
                },
            }),
        };
        Interval {
            lo,
            hi,
            int: self.int || o.int,
        }
    }

    /// The smallest interval containing both.
    pub fn hull(&self, o: &Interval) -> Interval {
        if self.is_empty() {
            return *o;
        }
        if o.is_empty() {
            return *self;
        }
        let lo = match (self.lo, o.lo) {
            (None, _) | (_, None) => None,
            (Some(a), Some(b)) => Some(match cmp(a.v, b.v) {
                Ordering::Less => a,
                Ordering::Greater => b,
                Ordering::Equal => End {
                    v: a.v,
                    closed: a.closed || b.closed,
                },
            }),
        };
        let hi = match (self.hi, o.hi) {
            (None, _) | (_, None) => None,
            (Some(a), Some(b)) => Some(match cmp(a.v, b.v) {
                Ordering::Greater => a,
                Ordering::Less => b,
                Ordering::Equal => End {
                    v: a.v,
                    closed: a.closed || b.closed,
                },
            }),
        };
        Interval {
            lo,
            hi,
            int: self.int && o.int,
        }
    }

    pub fn is_bounded(&self) -> bool {
        self.lo.is_some() && self.hi.is_some()
    }

    /// True when the set holds exactly one value.
    pub fn is_point(&self) -> bool {
        if self.is_empty() {
            return false;
        }
        if self.int {
            return matches!((self.int_lo(), self.int_hi()), (Some(a), Some(b)) if cmp(a, b) == Ordering::Equal);
        }
        matches!((self.lo, self.hi), (Some(a), Some(b)) if cmp(a.v, b.v) == Ordering::Equal)
    }

    /// A value inside (assumes non-empty): a closed end of a point or
    /// whole-number set, else the midpoint, else one step inside an open side.
    pub fn witness(&self) -> Option<Num> {
        if self.int {
            return match (self.int_lo(), self.int_hi()) {
                (Some(a), _) => Some(a),
                (None, Some(b)) => Some(b),
                (None, None) => Some(Num::ZERO),
            };
        }
        match (self.lo, self.hi) {
            (Some(a), Some(b)) => {
                if cmp(a.v, b.v) == Ordering::Equal {
                    Some(a.v)
                } else {
                    a.v.plus(b.v).ok()?.over(Num::int(2)).ok()
                }
            }
            (Some(a), None) => {
                if a.closed {
                    Some(a.v)
                } else {
                    a.v.plus(Num::ONE).ok()
                }
            }
            (None, Some(b)) => {
                if b.closed {
                    Some(b.v)
                } else {
                    b.v.minus(Num::ONE).ok()
                }
            }
            (None, None) => Some(Num::ZERO),
        }
    }

    pub fn contains(&self, v: Num) -> bool {
        !Interval::point(v).intersect(self).is_empty()
    }

    /// Pieces of `self` not covered by any of `cover` (each piece a gap).
    pub fn minus(&self, cover: &[Interval]) -> Vec<Interval> {
        let mut rest = vec![*self];
        for c in cover {
            let mut next = Vec::new();
            for r in rest {
                next.extend(r.subtract(c));
            }
            rest = next;
        }
        rest.into_iter().filter(|r| !r.is_empty()).collect()
    }

    /// `self \ c`: at most two pieces.
    fn subtract(&self, c: &Interval) -> Vec<Interval> {
        if self.intersect(c).is_empty() {
            return vec![*self];
        }
        let mut out = Vec::new();
        if let Some(cl) = c.lo {
            // the part of self below c
            let below = Interval {
                lo: self.lo,
                hi: Some(End {
                    v: cl.v,
                    closed: !cl.closed,
                }),
                int: self.int,
            };
            let below = below.intersect(self);
            if !below.is_empty() {
                out.push(below);
            }
        }
        if let Some(ch) = c.hi {
            let above = Interval {
                lo: Some(End {
                    v: ch.v,
                    closed: !ch.closed,
                }),
                hi: self.hi,
                int: self.int,
            };
            let above = above.intersect(self);
            if !above.is_empty() {
                out.push(above);
            }
        }
        out
    }

    // ---- arithmetic (over-approximations) ----

    pub fn add(&self, o: &Interval) -> Interval {
        let lo = match (self.lo, o.lo) {
            (Some(a), Some(b)) => a.v.plus(b.v).ok().map(|v| End {
                v,
                closed: a.closed && b.closed,
            }),
            _ => None,
        };
        let hi = match (self.hi, o.hi) {
            (Some(a), Some(b)) => a.v.plus(b.v).ok().map(|v| End {
                v,
                closed: a.closed && b.closed,
            }),
            _ => None,
        };
        Interval {
            lo,
            hi,
            int: self.int && o.int,
        }
    }

    pub fn neg(&self) -> Interval {
        let flip = |e: Option<End>| {
            e.and_then(|e| {
                e.v.negate().ok().map(|v| End {
                    v,
                    closed: e.closed,
                })
            })
        };
        Interval {
            lo: flip(self.hi),
            hi: flip(self.lo),
            int: self.int,
        }
    }

    pub fn sub(&self, o: &Interval) -> Interval {
        self.add(&o.neg())
    }

    /// Products of bounded intervals take the extreme corner products;
    /// anything unbounded on a side that matters becomes unbounded.
    pub fn mul(&self, o: &Interval) -> Interval {
        let int = self.int && o.int;
        if let (Some(a), Some(b), Some(c), Some(d)) = (self.lo, self.hi, o.lo, o.hi) {
            let ps = [
                a.v.times(c.v),
                a.v.times(d.v),
                b.v.times(c.v),
                b.v.times(d.v),
            ];
            if ps.iter().all(|p| p.is_ok()) {
                let ps: Vec<Num> = ps.into_iter().flatten().collect();
                let min = ps.iter().copied().min_by(|x, y| cmp(*x, *y));
                let max = ps.iter().copied().max_by(|x, y| cmp(*x, *y));
                if let (Some(min), Some(max)) = (min, max) {
                    return Interval::closed(min, max).integral(int);
                }
            }
            return Interval::ALL;
        }
        // Sign-based cases for half-bounded factors.
        let nonneg = |i: &Interval| i.lo.is_some_and(|e| e.v.signum() >= 0);
        let nonpos = |i: &Interval| i.hi.is_some_and(|e| e.v.signum() <= 0);
        let z = Some(End {
            v: Num::ZERO,
            closed: true,
        });
        let r = match (nonneg(self), nonpos(self), nonneg(o), nonpos(o)) {
            (true, _, true, _) => Interval::new(z, None),
            (_, true, _, true) => Interval::new(z, None),
            (true, _, _, true) | (_, true, true, _) => Interval::new(None, z),
            _ => Interval::ALL,
        };
        r.integral(int)
    }

    pub fn div(&self, o: &Interval) -> Interval {
        // Only a divisor bounded away from zero keeps bounds.
        if let (Some(c), Some(d)) = (o.lo, o.hi) {
            let positive = c.v.signum() > 0;
            let negative = d.v.signum() < 0;
            if positive || negative {
                if let (Ok(ic), Ok(id)) = (Num::ONE.over(c.v), Num::ONE.over(d.v)) {
                    let inv = Interval::closed(
                        if cmp(ic, id) == Ordering::Less {
                            ic
                        } else {
                            id
                        },
                        if cmp(ic, id) == Ordering::Less {
                            id
                        } else {
                            ic
                        },
                    );
                    return self.mul(&inv).integral(false);
                }
            }
        }
        let nonneg = |i: &Interval| i.lo.is_some_and(|e| e.v.signum() >= 0);
        if nonneg(self) && nonneg(o) {
            return Interval::new(
                Some(End {
                    v: Num::ZERO,
                    closed: true,
                }),
                None,
            );
        }
        Interval::ALL
    }

    pub fn min(&self, o: &Interval) -> Interval {
        let lo = match (self.lo, o.lo) {
            (Some(a), Some(b)) => Some(if cmp(a.v, b.v) == Ordering::Less {
                a
            } else {
                b
            }),
            _ => None,
        };
        let hi = match (self.hi, o.hi) {
            (Some(a), Some(b)) => Some(if cmp(a.v, b.v) == Ordering::Less {
                a
            } else {
                b
            }),
            (x, None) | (None, x) => x,
        };
        Interval {
            lo,
            hi,
            int: self.int && o.int,
        }
    }

    pub fn max(&self, o: &Interval) -> Interval {
        self.neg().min(&o.neg()).neg()
    }

    /// Applies a monotone non-decreasing rounding (floor/ceil/round) to both ends.
    pub fn map_monotone(&self, f: impl Fn(Num) -> Option<Num>) -> Interval {
        let m = |e: Option<End>| e.and_then(|e| f(e.v).map(|v| End { v, closed: true }));
        Interval {
            lo: m(self.lo),
            hi: m(self.hi),
            int: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn n(s: &str) -> Num {
        Num::from_decimal(Decimal::from_str(s).unwrap())
    }
    fn iv(lo: Option<(&str, bool)>, hi: Option<(&str, bool)>) -> Interval {
        Interval::new(
            lo.map(|(v, c)| End { v: n(v), closed: c }),
            hi.map(|(v, c)| End { v: n(v), closed: c }),
        )
    }

    #[test]
    fn gaps_between_bands() {
        // T ≤ 25 / 25 < T ≤ 30 / 30 < T ≤ 35 / T > 40, T ≥ 0
        let domain = Interval::at_least(Num::ZERO);
        let arms = [
            iv(None, Some(("25", true))),
            iv(Some(("25", false)), Some(("30", true))),
            iv(Some(("30", false)), Some(("35", true))),
            iv(Some(("40", false)), None),
        ];
        let gaps = domain.minus(&arms);
        assert_eq!(gaps, vec![iv(Some(("35", false)), Some(("40", true)))]);
        assert_eq!(gaps[0].witness(), Some(n("37.5")));
    }

    #[test]
    fn single_point_gap_and_empty_band() {
        let gaps = Interval::closed(Num::ZERO, Num::ONE).minus(&[
            iv(Some(("0.92", false)), Some(("0.95", false))),
            iv(None, Some(("0.92", false))),
            iv(Some(("0.95", true)), None),
        ]);
        assert_eq!(gaps.len(), 1);
        assert!(gaps[0].is_point());
        assert_eq!(gaps[0].witness(), Some(n("0.92")));
        assert!(iv(Some(("0.5", true)), Some(("0.45", false))).is_empty());
    }

    #[test]
    fn whole_numbers() {
        let counts = Interval::at_least(Num::ZERO).integral(true);
        let gaps = counts.minus(&[iv(None, Some(("3", true))), iv(Some(("4", true)), None)]);
        assert!(gaps.is_empty());
        let claim = iv(Some(("3", true)), Some(("5", true)))
            .intersect(&iv(Some(("5", true)), None))
            .integral(true);
        assert!(claim.is_point());
    }

    #[test]
    fn arithmetic() {
        let a = Interval::closed(n("0"), n("10"));
        let b = Interval::closed(n("-2"), n("3"));
        // Compare ends exactly (5 and 5.0 are the same number).
        let same = |x: Interval, lo: &str, hi: &str| {
            let (l, h) = (x.lo.unwrap(), x.hi.unwrap());
            assert!(l.v.exact_cmp(n(lo)).unwrap().is_eq() && l.closed, "{x:?}");
            assert!(h.v.exact_cmp(n(hi)).unwrap().is_eq() && h.closed, "{x:?}");
        };
        same(a.mul(&b), "-20", "30");
        same(a.sub(&b), "-3", "12");
        same(a.div(&Interval::closed(n("2"), n("4"))), "0", "5");
    }
}

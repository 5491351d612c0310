//! Exact numbers in SQL: every value is an integer numerator over a positive
//! denominator, both SQL integer expressions (`HUGEINT` in DuckDB,
//! `DECIMAL(38,0)` in Spark), so no engine ever rounds a division. Most
//! denominators are a power of ten known at compile time (a decimal of
//! known scale); quotients of runtime values carry their denominator as an
//! expression. Each value also carries a bound on the digits of both parts
//! (from the inputs' ranges): anything that might exceed 38 digits is
//! refused at compile time instead of overflowing (or rounding) in the
//! engine.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::error::SqlError;
use super::Dialect;
use crate::syntax::ast::{CmpOp, Span};
use std::collections::BTreeSet;

/// Digits an integer may have in both engines (Spark's DECIMAL(38,0)).
pub const LIMIT: f64 = 38.0;

/// Slack added for a sum of two values (log10 2).
const CARRY: f64 = 0.302;

#[derive(Debug, Clone, PartialEq)]
pub enum Den {
    /// 10^k, known at compile time.
    Scale(u32),
    /// A positive SQL integer expression.
    Dyn(String),
}

/// An exact number `n / den` in SQL.
#[derive(Debug, Clone)]
pub struct NumV {
    pub n: String,
    pub den: Den,
    /// log10 bounds of |n| and of the denominator.
    pub nb: f64,
    pub db: f64,
    /// Inputs without a declared range whose default bound this depends on.
    pub blame: BTreeSet<String>,
    /// The numerator when it is a literal.
    pub lit: Option<i128>,
}

/// 10^k as an i128 (k ≤ 38).
pub fn pow10(k: u32) -> Option<i128> {
    10i128.checked_pow(k)
}

fn digits(v: i128) -> f64 {
    let a = v.unsigned_abs();
    if a <= 1 {
        0.0
    } else {
        (a as f64).log10() + 1e-9
    }
}

impl Dialect {
    /// The SQL integer type of numerators and denominators.
    pub fn int_ty(self) -> &'static str {
        match self {
            Dialect::DuckDb => "HUGEINT",
            Dialect::Spark => "DECIMAL(38,0)",
        }
    }

    /// A typed integer literal (wide enough that literal-only products
    /// never overflow a 32-bit type).
    pub fn lit(self, v: i128) -> String {
        match self {
            Dialect::DuckDb => {
                if v < 0 {
                    format!("CAST({v} AS HUGEINT)")
                } else {
                    format!("{v}::HUGEINT")
                }
            }
            Dialect::Spark => {
                if v < 0 {
                    format!("({v}BD)")
                } else {
                    format!("{v}BD")
                }
            }
        }
    }

    /// floor(a / b) for b > 0, in integer arithmetic.
    pub fn fdiv(self, a: &str, b: &str) -> String {
        match self {
            Dialect::DuckDb => format!("(({a}) - ((({a}) % ({b})) + ({b})) % ({b})) // ({b})"),
            Dialect::Spark => format!("CAST((({a}) - pmod({a}, {b})) / ({b}) AS DECIMAL(38,0))"),
        }
    }

    /// a mod b in [0, b) for b > 0.
    pub fn pmod(self, a: &str, b: &str) -> String {
        match self {
            Dialect::DuckDb => format!("((({a}) % ({b})) + ({b})) % ({b})"),
            Dialect::Spark => format!("pmod({a}, {b})"),
        }
    }

    /// An expression that stops the query with `msg`.
    pub fn error(self, msg: &str) -> String {
        let m = self.str_lit(&format!("kpi: {msg}"));
        match self {
            Dialect::DuckDb => format!("error({m})"),
            Dialect::Spark => format!("raise_error({m})"),
        }
    }

    /// A string literal.
    pub fn str_lit(self, s: &str) -> String {
        match self {
            Dialect::DuckDb => format!("'{}'", s.replace('\'', "''")),
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        }
    }

    /// A quoted identifier.
    pub fn ident(self, s: &str) -> String {
        match self {
            Dialect::DuckDb => format!("\"{}\"", s.replace('"', "\"\"")),
            Dialect::Spark => format!("`{}`", s.replace('`', "``")),
        }
    }

    /// An integer as text.
    pub fn text(self, x: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CAST({x} AS VARCHAR)"),
            Dialect::Spark => format!("CAST({x} AS STRING)"),
        }
    }
}

/// Builds exact arithmetic for one dialect.
#[derive(Debug, Clone, Copy)]
pub struct Arith {
    pub d: Dialect,
}

impl Arith {
    pub fn konst(&self, m: i128, scale: u32) -> NumV {
        NumV {
            n: self.d.lit(m),
            den: Den::Scale(scale),
            nb: digits(m),
            db: f64::from(scale),
            blame: BTreeSet::new(),
            lit: Some(m),
        }
    }

    /// A fraction constant n/d (d > 0).
    pub fn frac(&self, n: i128, d: i128) -> NumV {
        NumV {
            n: self.d.lit(n),
            den: Den::Dyn(self.d.lit(d)),
            nb: digits(n),
            db: digits(d),
            blame: BTreeSet::new(),
            lit: Some(n),
        }
    }

    pub fn check(&self, v: NumV, span: Span) -> Result<NumV, SqlError> {
        if v.nb > LIMIT || v.db > LIMIT {
            return Err(SqlError::Magnitude {
                span,
                inputs: v.blame.into_iter().collect(),
            });
        }
        Ok(v)
    }

    fn bound(&self, b: f64, blame: &BTreeSet<String>, span: Span) -> Result<(), SqlError> {
        if b > LIMIT {
            return Err(SqlError::Magnitude {
                span,
                inputs: blame.iter().cloned().collect(),
            });
        }
        Ok(())
    }

    /// The denominator as SQL.
    pub fn den(&self, v: &NumV) -> String {
        match &v.den {
            Den::Scale(k) => self.d.lit(pow10(*k).unwrap_or(1)),
            Den::Dyn(s) => s.clone(),
        }
    }

    /// `n · 10^by`.
    pub fn up(&self, n: &str, by: u32) -> String {
        if by == 0 {
            n.to_string()
        } else {
            format!("({n} * {})", self.d.lit(pow10(by).unwrap_or(1)))
        }
    }

    fn blame2(a: &NumV, b: &NumV) -> BTreeSet<String> {
        a.blame.union(&b.blame).cloned().collect()
    }

    pub fn add(&self, a: &NumV, b: &NumV, sub: bool, span: Span) -> Result<NumV, SqlError> {
        let op = if sub { "-" } else { "+" };
        let blame = Self::blame2(a, b);
        let v = match (&a.den, &b.den) {
            (Den::Scale(ka), Den::Scale(kb)) => {
                let k = (*ka).max(*kb);
                NumV {
                    n: format!("({} {op} {})", self.up(&a.n, k - ka), self.up(&b.n, k - kb)),
                    den: Den::Scale(k),
                    nb: (a.nb + f64::from(k - ka)).max(b.nb + f64::from(k - kb)) + CARRY,
                    db: f64::from(k),
                    blame,
                    lit: None,
                }
            }
            (Den::Dyn(x), Den::Dyn(y)) if x == y => NumV {
                n: format!("({} {op} {})", a.n, b.n),
                den: a.den.clone(),
                nb: a.nb.max(b.nb) + CARRY,
                db: a.db,
                blame,
                lit: None,
            },
            _ => NumV {
                n: format!("({} * {} {op} {} * {})", a.n, self.den(b), b.n, self.den(a)),
                den: Den::Dyn(format!("({} * {})", self.den(a), self.den(b))),
                nb: (a.nb + b.db).max(b.nb + a.db) + CARRY,
                db: a.db + b.db,
                blame,
                lit: None,
            },
        };
        self.check(v, span)
    }

    pub fn mul(&self, a: &NumV, b: &NumV, span: Span) -> Result<NumV, SqlError> {
        let den = match (&a.den, &b.den) {
            (Den::Scale(ka), Den::Scale(kb)) => Den::Scale(ka + kb),
            _ => Den::Dyn(format!("({} * {})", self.den(a), self.den(b))),
        };
        let v = NumV {
            n: format!("({} * {})", a.n, b.n),
            den,
            nb: a.nb + b.nb,
            db: a.db + b.db,
            blame: Self::blame2(a, b),
            lit: None,
        };
        self.check(v, span)
    }

    pub fn div(&self, a: &NumV, b: &NumV, span: Span) -> Result<NumV, SqlError> {
        let blame = Self::blame2(a, b);
        let nb = a.nb + b.db;
        let db = a.db + b.nb;
        let v = match b.lit {
            Some(0) => NumV {
                n: self.d.error("division by zero"),
                den: Den::Scale(0),
                nb: 0.0,
                db: 0.0,
                blame,
                lit: None,
            },
            Some(m) => {
                let sign = if m < 0 { "-" } else { "" };
                let abs = m.unsigned_abs();
                // a / (m / db) = a·db / m
                let n = match &b.den {
                    Den::Scale(0) => format!("({sign}{})", a.n),
                    Den::Scale(kb) => format!("({sign}{})", self.up(&a.n, *kb)),
                    Den::Dyn(bd) => format!("({sign}({} * {bd}))", a.n),
                };
                let pow = (0..=38u32).find(|&j| pow10(j).map(i128::unsigned_abs) == Some(abs));
                let den = match (&a.den, pow) {
                    (Den::Scale(ka), Some(j)) => Den::Scale(ka + j),
                    _ => Den::Dyn(format!(
                        "({} * {})",
                        self.den(a),
                        self.d.lit(i128::try_from(abs).unwrap_or(i128::MAX))
                    )),
                };
                NumV {
                    n,
                    den,
                    nb,
                    db,
                    blame,
                    lit: None,
                }
            }
            None => {
                let num = format!("({} * {})", a.n, self.den(b));
                NumV {
                    n: format!("(CASE WHEN {} < 0 THEN -{num} ELSE {num} END)", b.n),
                    den: Den::Dyn(format!(
                        "(CASE WHEN {} = 0 THEN {} ELSE {} * abs({}) END)",
                        b.n,
                        self.d.error("division by zero"),
                        self.den(a),
                        b.n
                    )),
                    nb,
                    db,
                    blame,
                    lit: None,
                }
            }
        };
        self.check(v, span)
    }

    pub fn neg(&self, a: &NumV) -> NumV {
        NumV {
            n: format!("(-{})", a.n),
            lit: a.lit.and_then(i128::checked_neg),
            ..a.clone()
        }
    }

    pub fn abs(&self, a: &NumV) -> NumV {
        NumV {
            n: format!("abs({})", a.n),
            lit: a.lit.and_then(i128::checked_abs),
            ..a.clone()
        }
    }

    /// `a op b` as a SQL condition, by cross-multiplication.
    pub fn cmp(&self, op: CmpOp, a: &NumV, b: &NumV, span: Span) -> Result<String, SqlError> {
        let sym = match op {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
        };
        let blame = Self::blame2(a, b);
        match (&a.den, &b.den) {
            (Den::Scale(ka), Den::Scale(kb)) => {
                let k = (*ka).max(*kb);
                self.bound(a.nb + f64::from(k - ka), &blame, span)?;
                self.bound(b.nb + f64::from(k - kb), &blame, span)?;
                Ok(format!(
                    "({} {sym} {})",
                    self.up(&a.n, k - ka),
                    self.up(&b.n, k - kb)
                ))
            }
            (Den::Dyn(x), Den::Dyn(y)) if x == y => Ok(format!("({} {sym} {})", a.n, b.n)),
            _ => {
                self.bound(a.nb + b.db, &blame, span)?;
                self.bound(b.nb + a.db, &blame, span)?;
                Ok(format!(
                    "({} * {} {sym} {} * {})",
                    a.n,
                    self.den(b),
                    b.n,
                    self.den(a)
                ))
            }
        }
    }

    /// The sign test `a > 0` (or `< 0`, `<= 0`, …).
    pub fn sign(&self, a: &NumV, op: &str) -> String {
        format!("({} {op} 0)", a.n)
    }

    /// floor(a) (or ceil) as a whole number.
    pub fn floor(&self, a: &NumV, ceil: bool) -> NumV {
        let whole = |n: String| NumV {
            n,
            den: Den::Scale(0),
            nb: a.nb,
            db: 0.0,
            blame: a.blame.clone(),
            lit: None,
        };
        if a.den == Den::Scale(0) {
            return a.clone();
        }
        let d = self.den(a);
        if ceil {
            whole(format!("(-{})", self.d.fdiv(&format!("-{}", a.n), &d)))
        } else {
            whole(format!("({})", self.d.fdiv(&a.n, &d)))
        }
    }

    /// Round half away from zero to `p` places.
    pub fn round(&self, a: &NumV, p: u32, span: Span) -> Result<NumV, SqlError> {
        if let Den::Scale(k) = a.den {
            if k <= p {
                return Ok(a.clone());
            }
        }
        let m = self.up(&a.n, p);
        self.bound(a.nb + f64::from(p) + CARRY, &a.blame, span)?;
        self.bound(a.db + CARRY, &a.blame, span)?;
        let d = self.den(a);
        let two = self.d.lit(2);
        let pos = self
            .d
            .fdiv(&format!("{two} * {m} + {d}"), &format!("{two} * {d}"));
        let neg = self
            .d
            .fdiv(&format!("{two} * (-{m}) + {d}"), &format!("{two} * {d}"));
        Ok(NumV {
            n: format!("(CASE WHEN {} < 0 THEN -({neg}) ELSE ({pos}) END)", a.n),
            den: Den::Scale(p),
            nb: a.nb + f64::from(p),
            db: f64::from(p),
            blame: a.blame.clone(),
            lit: None,
        })
    }

    /// `CASE WHEN c1 THEN v1 … ELSE other END` over numbers, with one
    /// denominator for all branches. `other` is an SQL error when `None`.
    pub fn choose(&self, arms: &[(String, NumV)], other: Option<&NumV>, err: &str) -> NumV {
        let all: Vec<&NumV> = arms.iter().map(|(_, v)| v).chain(other).collect();
        let nb = all.iter().map(|v| v.nb).fold(0.0, f64::max);
        let db = all.iter().map(|v| v.db).fold(0.0, f64::max);
        let mut blame = BTreeSet::new();
        for v in &all {
            blame.extend(v.blame.iter().cloned());
        }
        let scales: Option<Vec<u32>> = all
            .iter()
            .map(|v| match v.den {
                Den::Scale(k) => Some(k),
                Den::Dyn(_) => None,
            })
            .collect();
        let case = |part: &dyn Fn(&NumV) -> String| {
            let mut s = String::from("(CASE");
            for (c, v) in arms {
                s.push_str(&format!(" WHEN {c} THEN {}", part(v)));
            }
            match other {
                Some(v) => s.push_str(&format!(" ELSE {} END)", part(v))),
                None => s.push_str(&format!(" ELSE {} END)", self.d.error(err))),
            }
            s
        };
        match scales {
            Some(ks) => {
                let k = ks.iter().copied().max().unwrap_or(0);
                let n = case(&|v: &NumV| match v.den {
                    Den::Scale(kv) => self.up(&v.n, k - kv),
                    Den::Dyn(_) => v.n.clone(),
                });
                let nb = all
                    .iter()
                    .map(|v| match v.den {
                        Den::Scale(kv) => v.nb + f64::from(k - kv),
                        Den::Dyn(_) => v.nb,
                    })
                    .fold(0.0, f64::max);
                NumV {
                    n,
                    den: Den::Scale(k),
                    nb,
                    db: f64::from(k),
                    blame,
                    lit: None,
                }
            }
            None => NumV {
                n: case(&|v: &NumV| v.n.clone()),
                den: Den::Dyn(case(&|v: &NumV| self.den(v))),
                nb,
                db,
                blame,
                lit: None,
            },
        }
    }
}

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
use crate::eval::num::{Num, NumError};
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
    /// Another positive constant (not a power of ten).
    Const(i128),
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
    /// The exact value when it is a constant.
    pub konst: Option<Num>,
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
            konst: u8::try_from(scale).ok().map(|s| Num::Dec { m, s }),
        }
    }

    /// A fraction constant n/d (d > 0).
    pub fn frac(&self, n: i128, d: i128) -> NumV {
        NumV {
            n: self.d.lit(n),
            den: make_den(d),
            nb: digits(n),
            db: digits(d),
            blame: BTreeSet::new(),
            konst: Some(Num::Frac { n, d }),
        }
    }

    /// An exact constant.
    pub fn num(&self, v: Num) -> NumV {
        match v {
            Num::Dec { m, s } => self.konst(m, u32::from(s)),
            Num::Frac { n, d } => self.frac(n, d),
        }
    }

    /// Folds an operation on two constants; `None` when either is not one
    /// or the exact result does not fit.
    fn fold(
        &self,
        a: &NumV,
        b: &NumV,
        f: impl Fn(Num, Num) -> Result<Num, NumError>,
    ) -> Option<Result<NumV, ()>> {
        let (Some(x), Some(y)) = (a.konst, b.konst) else {
            return None;
        };
        match f(x, y) {
            Ok(v) => Some(Ok(self.num(v))),
            Err(NumError::DivisionByZero) => Some(Err(())),
            Err(NumError::Overflow) => None,
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
            Den::Const(c) => self.d.lit(*c),
            Den::Dyn(s) => s.clone(),
        }
    }

    /// `n · f`.
    pub fn times(&self, n: &str, f: i128) -> String {
        if f == 1 {
            n.to_string()
        } else {
            format!("({n} * {})", self.d.lit(f))
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
        if let Some(Ok(v)) = self.fold(a, b, |x, y| if sub { x.minus(y) } else { x.plus(y) }) {
            return Ok(v);
        }
        let blame = Self::blame2(a, b);
        if let Some((l, fa, fb)) = common(&a.den, &b.den) {
            let v = NumV {
                n: format!("({} {op} {})", self.times(&a.n, fa), self.times(&b.n, fb)),
                den: make_den(l),
                nb: (a.nb + digits(fa)).max(b.nb + digits(fb)) + CARRY,
                db: digits(l),
                blame,
                konst: None,
            };
            return self.check(v, span);
        }
        let v = match (&a.den, &b.den) {
            (Den::Scale(ka), Den::Scale(kb)) => {
                let k = (*ka).max(*kb);
                NumV {
                    n: format!("({} {op} {})", self.up(&a.n, k - ka), self.up(&b.n, k - kb)),
                    den: Den::Scale(k),
                    nb: (a.nb + f64::from(k - ka)).max(b.nb + f64::from(k - kb)) + CARRY,
                    db: f64::from(k),
                    blame,
                    konst: None,
                }
            }
            (Den::Dyn(x), Den::Dyn(y)) if x == y => NumV {
                n: format!("({} {op} {})", a.n, b.n),
                den: a.den.clone(),
                nb: a.nb.max(b.nb) + CARRY,
                db: a.db,
                blame,
                konst: None,
            },
            _ => NumV {
                n: format!("({} * {} {op} {} * {})", a.n, self.den(b), b.n, self.den(a)),
                den: Den::Dyn(format!("({} * {})", self.den(a), self.den(b))),
                nb: (a.nb + b.db).max(b.nb + a.db) + CARRY,
                db: a.db + b.db,
                blame,
                konst: None,
            },
        };
        self.check(v, span)
    }

    pub fn mul(&self, a: &NumV, b: &NumV, span: Span) -> Result<NumV, SqlError> {
        if let Some(Ok(v)) = self.fold(a, b, Num::times) {
            return Ok(v);
        }
        let den = match (&a.den, &b.den) {
            (Den::Scale(ka), Den::Scale(kb)) => Den::Scale(ka + kb),
            (x, y) => match (const_den(x), const_den(y)) {
                (Some(p), Some(q)) => match p.checked_mul(q) {
                    Some(l) => make_den(l),
                    None => Den::Dyn(format!("({} * {})", self.den(a), self.den(b))),
                },
                _ => Den::Dyn(format!("({} * {})", self.den(a), self.den(b))),
            },
        };
        let v = NumV {
            n: format!("({} * {})", a.n, b.n),
            den,
            nb: a.nb + b.nb,
            db: a.db + b.db,
            blame: Self::blame2(a, b),
            konst: None,
        };
        self.check(v, span)
    }

    pub fn div(&self, a: &NumV, b: &NumV, span: Span) -> Result<NumV, SqlError> {
        let blame = Self::blame2(a, b);
        match self.fold(a, b, Num::over) {
            Some(Ok(v)) => return Ok(v),
            Some(Err(())) => {
                return Ok(NumV {
                    n: self.d.error("division by zero"),
                    den: Den::Scale(0),
                    nb: 0.0,
                    db: 0.0,
                    blame,
                    konst: None,
                })
            }
            None => {}
        }
        // By a constant: times its exact inverse.
        if let Some(m) = b.konst {
            if m.is_zero() {
                return Ok(NumV {
                    n: self.d.error("division by zero"),
                    den: Den::Scale(0),
                    nb: 0.0,
                    db: 0.0,
                    blame,
                    konst: None,
                });
            }
            if let Ok(inv) = Num::ONE.over(m) {
                return self.mul(a, &self.num(inv), span);
            }
        }
        let nb = a.nb + b.db;
        let db = a.db + b.nb;
        let num = format!("({} * {})", a.n, self.den(b));
        let v = NumV {
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
            konst: None,
        };
        self.check(v, span)
    }

    pub fn neg(&self, a: &NumV) -> NumV {
        NumV {
            n: format!("(-{})", a.n),
            konst: a.konst.and_then(|k| k.negate().ok()),
            ..a.clone()
        }
    }

    pub fn abs(&self, a: &NumV) -> NumV {
        NumV {
            n: format!("abs({})", a.n),
            konst: a.konst.and_then(|k| k.abs().ok()),
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
        if let Some((_, fa, fb)) = common(&a.den, &b.den) {
            self.bound(a.nb + digits(fa), &blame, span)?;
            self.bound(b.nb + digits(fb), &blame, span)?;
            return Ok(format!(
                "({} {sym} {})",
                self.times(&a.n, fa),
                self.times(&b.n, fb)
            ));
        }
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
            konst: None,
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
            konst: None,
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
        let consts: Option<Vec<i128>> = all.iter().map(|v| const_den(&v.den)).collect();
        let lcm_all = consts.and_then(|cs| {
            cs.iter()
                .try_fold(1i128, |l, &c| lcm(l, c))
                .map(|l| (l, cs))
        });
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
        match lcm_all {
            Some((l, _)) => {
                let factor = |v: &NumV| const_den(&v.den).map_or(1, |c| l / c.max(1));
                let n = case(&|v: &NumV| self.times(&v.n, factor(v)));
                let nb = all
                    .iter()
                    .map(|v| v.nb + digits(factor(v)))
                    .fold(0.0, f64::max);
                NumV {
                    n,
                    den: make_den(l),
                    nb,
                    db: digits(l),
                    blame,
                    konst: None,
                }
            }
            None => NumV {
                n: case(&|v: &NumV| v.n.clone()),
                den: Den::Dyn(case(&|v: &NumV| self.den(v))),
                nb,
                db,
                blame,
                konst: None,
            },
        }
    }
}

/// The value of a denominator known at compile time.
pub fn const_den(d: &Den) -> Option<i128> {
    match d {
        Den::Scale(k) => pow10(*k),
        Den::Const(c) => Some(*c),
        Den::Dyn(_) => None,
    }
}

/// A constant denominator: a scale when it is a power of ten.
pub fn make_den(l: i128) -> Den {
    match (0..=38u32).find(|&j| pow10(j) == Some(l)) {
        Some(j) => Den::Scale(j),
        None => Den::Const(l),
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    i128::try_from(a).unwrap_or(1)
}

fn lcm(a: i128, b: i128) -> Option<i128> {
    let g = gcd(a, b).max(1);
    (a / g).checked_mul(b)
}

/// The common constant denominator of two and each side's factor.
fn common(a: &Den, b: &Den) -> Option<(i128, i128, i128)> {
    let (x, y) = (const_den(a)?, const_den(b)?);
    let l = lcm(x, y)?;
    Some((l, l / x.max(1), l / y.max(1)))
}

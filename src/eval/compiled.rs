//! A slot's expression compiled to straight-line code over registers, for
//! the per-record passes: what the tree walker ([`super::expr::eval`])
//! computes, without its recursion, its `Result` at every node and its
//! `Value` wrapping of every intermediate number.
//!
//! Invariant (what makes this safe to use): when [`Code::run`] gives a
//! value, the walker gives the same value for the same record. Every
//! operation calls the walker's own arithmetic ([`Num`], [`step_arm`],
//! [`scale_of`], [`apply`], [`compare`]), in an order whose results do not
//! depend on it. Code may evaluate more than the walker would (all of a
//! `steps` table's operands before its arms, a cap that the walker skips),
//! so it may fail where the walker does not, but never succeed where the
//! walker fails: any failure here gives `None`, and the caller then
//! evaluates the slot with the walker, which reports the error (with its
//! span) or the value. Explanations (traces) always use the walker.
//! tests/engines.rs checks the two agree on every seed and evaluator case.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
#![deny(
    clippy::wildcard_enum_match_arm,
    clippy::match_wildcard_for_single_variants
)]

use super::expr::{apply, cmp_num, compare, scale_of, step_arm, step_arm_small, Env, SmallSubject};
// (`num`: a number, wherever it is held)
use crate::ir::*;
use crate::num::{small, Num};
use crate::packed::{pack, unpack, unpack_num as num, unpack_to, Kind, Packed, Regs};
use crate::syntax::ast::CmpOp;
use crate::syntax::ast::Span;

/// Where an operation reads a value.
#[derive(Debug, Clone, Copy)]
enum Arg {
    Reg(u32),
    /// A literal held in 16 bytes: an index into `Code::consts`.
    Const(u32),
    /// Any other literal (a fraction, a text): an index into `Code::bigs`.
    Big(u32),
    /// An input of the record, read packed ([`Record::input`]).
    Input(u32),
    /// A context value or a slot the code does not compute itself.
    Read(Source),
}

/// What a compiled band compares with its bounds.
#[derive(Clone, Copy)]
enum BandSubject {
    /// A quotient's terms, in registers (see [`Op::Quotient`]).
    Quotient {
        num: u32,
        den: u32,
    },
    Value(Arg),
}

/// Where compiled code reads a record: what the walker reads ([`Env`]),
/// and the record's inputs packed, as a batch holds them (no [`Value`]
/// is made for an input the code reads).
pub(super) trait Record: Env {
    /// Input `i`, packed; what does not fit goes to `side`.
    fn input(&self, i: usize, side: &mut Vec<Value>) -> Option<Packed>;
}

#[derive(Debug, Clone)]
enum Op {
    Neg {
        dst: u32,
        a: Arg,
    },
    Not {
        dst: u32,
        a: Arg,
    },
    Arith {
        op: ArithOp,
        dst: u32,
        a: Arg,
        b: Arg,
    },
    Cmp {
        op: CmpOp,
        dst: u32,
        a: Arg,
        b: Arg,
    },
    Move {
        dst: u32,
        a: Arg,
    },
    /// Continue at `to` when `cond` is `when`.
    Branch {
        cond: Arg,
        when: bool,
        to: u32,
    },
    /// Continue at `to` when `a op b` is `when` (a condition's comparison).
    CmpBranch {
        op: CmpOp,
        a: Arg,
        b: Arg,
        when: bool,
        to: u32,
    },
    /// The terms of `n / d` as [`Num::over`] forms them before reducing
    /// them, into registers `num` and `den` as whole numbers; fails unless
    /// `over` surely succeeds (so the walker's division cannot fail) and
    /// they fit an `i64`: a band over a quotient.
    Quotient {
        n: Arg,
        d: Arg,
        num: u32,
        den: u32,
    },
    /// Continue at `to` when `(num / den) op b` is `when`, compared
    /// without dividing (a band's test over a quotient).
    QuotientBranch {
        op: CmpOp,
        num: u32,
        den: u32,
        b: Arg,
        when: bool,
        to: u32,
    },
    Jump {
        to: u32,
    },
    /// Continue at `targets[level]` (a bool counts as 0 or 1).
    Switch {
        subject: Arg,
        targets: Box<[Option<u32>]>,
    },
    Call {
        f: Func,
        dst: u32,
        args: Box<[Arg]>,
    },
    Steps {
        dst: u32,
        subject: Arg,
        arms: Box<[StepArgs]>,
    },
    Scale {
        dst: u32,
        args: Box<[Arg; 5]>,
    },
    /// No band arm or case matched: the walker reports it.
    Fail,
}

#[derive(Debug, Clone)]
struct StepArgs {
    /// The arm as written (direction, rounding, spans).
    arm: IStepArm,
    step: Arg,
    reference: Arg,
    points: Arg,
    cap: Option<Arg>,
}

/// One slot's compiled expression.
#[derive(Debug, Clone)]
pub(super) struct Code {
    ops: Vec<Op>,
    consts: Vec<Packed>,
    bigs: Vec<Value>,
    regs: usize,
    result: Arg,
}

/// Registers (values packed in 16 bytes, as the matrix holds them) and
/// their side table, reused from one run to the next.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    regs: Regs,
    side: Vec<Value>,
    nums: Vec<Num>,
}

impl Scratch {
    /// Stores `p`, the value [`Code::run`] gave, in `cell`.
    #[inline(always)]
    pub(super) fn store(&self, p: Packed, cell: &mut Value) {
        unpack_to(p, &self.side, cell);
    }
}

/// A decimal held in place, for [`small`]'s fast paths.
#[inline(always)]
fn dec(p: Packed) -> Option<small::Dec> {
    p.as_dec()
}

#[inline(always)]
fn boolean(p: Packed) -> Option<bool> {
    match p.kind() {
        Kind::Bool(b) => Some(b),
        Kind::Dec { .. } | Kind::Level(_) | Kind::Side(_) => None,
    }
}

impl Code {
    /// Compiles `e`; `None` when the code would be too large to index
    /// (the walker then evaluates the slot).
    pub(super) fn new(e: &IExpr) -> Option<Code> {
        let mut c = Compiler::default();
        let result = c.expr(e)?;
        Some(c.code(result))
    }

    /// The expression's value for the record `env` reads, packed (read it
    /// with [`Scratch::store`]), or `None` when anything failed (see the
    /// module's invariant). (Packed, not a [`Value`]: a value returned
    /// through memory is written piecewise and read back whole, which
    /// stalls the processor; two words come back in registers.)
    pub(super) fn run<E: Record>(&self, env: &E, scratch: &mut Scratch) -> Option<Packed> {
        self.exec(env, scratch)?;
        let Scratch { regs, side, .. } = scratch;
        match self.result {
            // a read or a literal: as it is, like the walker's (packing
            // keeps a value's representation)
            Arg::Read(s) => Some(pack(env.read(s)?, side)),
            Arg::Big(b) => Some(pack(self.bigs.get(b as usize)?, side)),
            Arg::Reg(_) | Arg::Const(_) | Arg::Input(_) => self.fetch(self.result, env, regs, side),
        }
    }

    /// Runs the operations, leaving their values in `scratch`'s registers;
    /// `None` when any failed.
    fn exec<E: Record>(&self, env: &E, scratch: &mut Scratch) -> Option<()> {
        let Scratch { regs, side, nums } = scratch;
        regs.reserve(self.regs);
        side.clear();
        let mut pc = 0usize;
        while let Some(op) = self.ops.get(pc) {
            pc += 1;
            match op {
                Op::Arith { op, dst, a, b } => {
                    let (x, y) = (
                        self.fetch(*a, env, regs, side)?,
                        self.fetch(*b, env, regs, side)?,
                    );
                    let fast = match (dec(x), dec(y), op) {
                        (Some(x), Some(y), ArithOp::Add) => small::plus(x, y),
                        (Some(x), Some(y), ArithOp::Sub) => small::minus(x, y),
                        (Some(x), Some(y), ArithOp::Mul) => small::times(x, y),
                        _ => None,
                    };
                    let r = match fast {
                        Some((m, s)) => Packed::dec(m, s),
                        None => {
                            let (x, y) = (num(x, side)?, num(y, side)?);
                            let r = match op {
                                ArithOp::Add => x.plus(y),
                                ArithOp::Sub => x.minus(y),
                                ArithOp::Mul => x.times(y),
                                ArithOp::Div => x.over(y),
                            };
                            pack(&Value::Num(r.ok()?), side)
                        }
                    };
                    regs.set(*dst as usize, r)?;
                }
                Op::Cmp { op, dst, a, b } => {
                    let holds = self.holds(*op, *a, *b, env, regs, side)?;
                    regs.set(*dst as usize, Packed::boolean(holds))?;
                }
                Op::CmpBranch { op, a, b, when, to } => {
                    if self.holds(*op, *a, *b, env, regs, side)? == *when {
                        pc = *to as usize;
                    }
                }
                Op::Branch { cond, when, to } => {
                    if boolean(self.fetch(*cond, env, regs, side)?)? == *when {
                        pc = *to as usize;
                    }
                }
                Op::Quotient { n, d, num, den } => {
                    let (n, d) = (
                        self.num_of(*n, env, regs, side)?,
                        self.num_of(*d, env, regs, side)?,
                    );
                    let (tn, td) = n.quotient_terms(d)?;
                    regs.set(*num as usize, Packed::dec(i64::try_from(tn).ok()?, 0))?;
                    regs.set(*den as usize, Packed::dec(i64::try_from(td).ok()?, 0))?;
                }
                Op::QuotientBranch {
                    op,
                    num: n,
                    den: d,
                    b,
                    when,
                    to,
                } => {
                    let term = |r: u32| Some(regs.get(r as usize)?.as_dec()?.0);
                    let (tn, td) = (term(*n)?, term(*d)?);
                    let b = self.fetch(*b, env, regs, side)?;
                    let o = match dec(b) {
                        Some(c) => small::quotient_cmp(tn, td, c)?,
                        None => Num::int(tn).quotient_cmp(Num::int(td), num(b, side)?)?,
                    };
                    if op.holds(o) == *when {
                        pc = *to as usize;
                    }
                }
                Op::Jump { to } => pc = *to as usize,
                Op::Move { dst, a } => {
                    let v = self.fetch(*a, env, regs, side)?;
                    regs.set(*dst as usize, v)?;
                }
                Op::Neg { dst, a } => {
                    let x = self.fetch(*a, env, regs, side)?;
                    let r = match dec(x).and_then(small::negate) {
                        Some((m, s)) => Packed::dec(m, s),
                        None => pack(&Value::Num(num(x, side)?.negate().ok()?), side),
                    };
                    regs.set(*dst as usize, r)?;
                }
                Op::Not { dst, a } => {
                    let v = !boolean(self.fetch(*a, env, regs, side)?)?;
                    regs.set(*dst as usize, Packed::boolean(v))?;
                }
                Op::Switch { subject, targets } => {
                    let key = match self.fetch(*subject, env, regs, side)?.kind() {
                        Kind::Level(l) => usize::from(l),
                        Kind::Bool(b) => usize::from(b),
                        Kind::Dec { .. } | Kind::Side(_) => return None,
                    };
                    pc = (*targets.get(key)?)? as usize;
                }
                Op::Call { f, dst, args } => {
                    nums.clear();
                    for a in args.iter() {
                        let x = self.fetch(*a, env, regs, side)?;
                        nums.push(num(x, side)?);
                    }
                    let v = apply(*f, nums, Span::default()).ok()?;
                    regs.set(*dst as usize, pack(&Value::Num(v), side))?;
                }
                Op::Steps { dst, subject, arms } => {
                    let v = self.fetch(*subject, env, regs, side)?;
                    if let Some((m, s)) = self.steps_small(v, side, arms, env, regs) {
                        regs.set(*dst as usize, Packed::dec(m, s))?;
                        continue;
                    }
                    let n = |a: Arg, side: &mut Vec<Value>| {
                        let x = self.fetch(a, env, regs, side)?;
                        num(x, side)
                    };
                    let v = num(v, side)?;
                    let mut total = Num::ZERO;
                    for a in arms.iter() {
                        let (step, reference, points) =
                            (n(a.step, side)?, n(a.reference, side)?, n(a.points, side)?);
                        let cap = match a.cap {
                            Some(c) => Some(n(c, side)?),
                            None => None,
                        };
                        let arm = step_arm(v, step, reference, points, || Ok(cap), &a.arm).ok()?;
                        if let Some((_, got, _)) = arm {
                            total = total.plus(got).ok()?;
                        }
                    }
                    regs.set(*dst as usize, pack(&Value::Num(total), side))?;
                }
                Op::Scale { dst, args } => {
                    let mut v = [Num::ZERO; 5];
                    for (o, a) in v.iter_mut().zip(args.iter()) {
                        let x = self.fetch(*a, env, regs, side)?;
                        *o = num(x, side)?;
                    }
                    let [x, a, b, c, d] = v;
                    let out = scale_of(x, [a, b], [c, d], Span::default()).ok()?;
                    regs.set(*dst as usize, pack(&Value::Num(out), side))?;
                }
                Op::Fail => return None,
            }
        }
        Some(())
    }

    /// Whether `a op b` holds, compared as the walker compares.
    #[inline(always)]
    fn holds<E: Record>(
        &self,
        op: CmpOp,
        a: Arg,
        b: Arg,
        env: &E,
        regs: &Regs,
        side: &mut Vec<Value>,
    ) -> Option<bool> {
        let (x, y) = (
            self.fetch(a, env, regs, side)?,
            self.fetch(b, env, regs, side)?,
        );
        Some(match (dec(x), dec(y)) {
            (Some(dx), Some(dy)) => match small::cmp(dx, dy) {
                Some(o) => op.holds(o),
                None => op.holds(cmp_num(num(x, side)?, num(y, side)?, Span::default()).ok()?),
            },
            // a fraction and a decimal, say: compared as numbers, as the
            // walker's `compare` compares two numbers
            _ => match (num(x, side), num(y, side)) {
                (Some(x), Some(y)) => op.holds(cmp_num(x, y, Span::default()).ok()?),
                _ => compare(op, &unpack(x, side), &unpack(y, side), Span::default()).ok()?,
            },
        })
    }

    /// `steps` over subject `v` (its side table `side`) when every other
    /// operand is a decimal held in place, the subject one too or a
    /// fraction, and the fast path suffices ([`step_arm_small`]); else
    /// `None`.
    #[inline]
    fn steps_small<E: Record>(
        &self,
        v: Packed,
        side: &[Value],
        arms: &[StepArgs],
        env: &E,
        regs: &Regs,
    ) -> Option<small::Dec> {
        let subject = match v.kind() {
            Kind::Dec { m, s } => SmallSubject::Dec((m, s)),
            Kind::Side(i) => match side.get(i)? {
                Value::Num(Num::Frac { n, d }) => SmallSubject::Ratio(*n, *d),
                Value::Num(Num::Dec { .. }) | Value::Bool(_) | Value::Text(_) | Value::Level(_) => {
                    return None
                }
            },
            Kind::Bool(_) | Kind::Level(_) => return None,
        };
        let mut none = Vec::new();
        let mut d = |a: Arg| dec(self.fetch(a, env, regs, &mut none)?);
        let mut total: small::Dec = (0, 0);
        for a in arms {
            let cap = match a.cap {
                Some(c) => Some(d(c)?),
                None => None,
            };
            let (step, reference, points) = (d(a.step)?, d(a.reference)?, d(a.points)?);
            let got = step_arm_small(subject, step, reference, points, cap, &a.arm)?;
            if let Some(got) = got {
                total = small::plus(total, got)?;
            }
        }
        Some(total)
    }

    /// The number `a` names (`None` for anything else).
    #[inline(always)]
    fn num_of<E: Record>(
        &self,
        a: Arg,
        env: &E,
        regs: &Regs,
        side: &mut Vec<Value>,
    ) -> Option<Num> {
        let p = self.fetch(a, env, regs, side)?;
        num(p, side)
    }

    /// The value `a` names, packed; what does not fit goes to `side`.
    #[inline(always)]
    fn fetch<E: Record>(
        &self,
        a: Arg,
        env: &E,
        regs: &Regs,
        side: &mut Vec<Value>,
    ) -> Option<Packed> {
        match a {
            Arg::Reg(r) => regs.get(r as usize),
            Arg::Const(c) => self.consts.get(c as usize).copied(),
            Arg::Read(s) => match env.read(s)? {
                // the usual input, straight
                Value::Num(Num::Dec { m, s }) if i64::try_from(*m).is_ok() => {
                    Some(Packed::dec(*m as i64, *s))
                }
                v @ (Value::Num(_) | Value::Bool(_) | Value::Text(_) | Value::Level(_)) => {
                    Some(pack(v, side))
                }
            },
            Arg::Big(b) => Some(pack(self.bigs.get(b as usize)?, side)),
            Arg::Input(i) => env.input(i as usize, side),
        }
    }
}

/// Every per-record slot of a pass compiled into one program over one set
/// of registers: a slot that reads another computed before it reads its
/// register, and inputs are read packed. The same operations as each
/// slot's own [`Code`], in the slots' order, so it gives the values they
/// give (the module's invariant, slot by slot); when anything fails the
/// caller evaluates the record slot by slot instead.
#[derive(Debug, Clone)]
pub(super) struct RowCode {
    code: Code,
    /// Each slot computed, with the register that holds its value.
    slots: Vec<(usize, u32)>,
}

impl RowCode {
    /// `slots` (in evaluation order; those not computed from the record
    /// alone are read as they are) compiled; `None` when one cannot be.
    pub(super) fn new(slots: &[(usize, &Slot)]) -> Option<RowCode> {
        let mut c = Compiler::default();
        let mut out = Vec::new();
        for &(s, slot) in slots {
            let Compute::Expr(e) = &slot.compute else {
                continue;
            };
            let a = c.expr(e)?;
            // every value in a register, so that storing needs no record
            let r = match a {
                Arg::Reg(r) => r,
                Arg::Const(_) | Arg::Big(_) | Arg::Input(_) | Arg::Read(_) => {
                    let dst = c.reg()?;
                    c.emit(Op::Move { dst, a });
                    dst
                }
            };
            if c.slots.len() <= s {
                c.slots.resize(s + 1, None);
            }
            *c.slots.get_mut(s)? = Some(Arg::Reg(r));
            out.push((s, r));
        }
        // (a row's values are its slots' registers: the code's own result
        // is never read)
        Some(RowCode {
            code: c.code(Arg::Reg(0)),
            slots: out,
        })
    }

    /// Computes the record `env` reads into `scratch`; `None` when
    /// anything failed (nothing is stored).
    pub(super) fn run<E: Record>(&self, env: &E, scratch: &mut Scratch) -> Option<()> {
        self.code.exec(env, scratch)
    }

    /// The values [`RowCode::run`] computed, into `cells` (one per slot).
    pub(super) fn store(&self, scratch: &Scratch, cells: &mut [Value]) -> Option<()> {
        for &(s, r) in &self.slots {
            let p = scratch.regs.get(r as usize)?;
            unpack_to(p, &scratch.side, cells.get_mut(s)?);
        }
        Some(())
    }
}

#[derive(Default)]
struct Compiler {
    ops: Vec<Op>,
    consts: Vec<Packed>,
    bigs: Vec<Value>,
    regs: u32,
    /// Per slot: where its value is, for the slots computed before.
    slots: Vec<Option<Arg>>,
}

impl Compiler {
    /// The code emitted, giving `result`.
    fn code(self, result: Arg) -> Code {
        Code {
            ops: self.ops,
            consts: self.consts,
            bigs: self.bigs,
            regs: self.regs as usize,
            result,
        }
    }

    fn reg(&mut self) -> Option<u32> {
        let r = self.regs;
        self.regs = r.checked_add(1)?;
        Some(r)
    }

    fn here(&self) -> Option<u32> {
        u32::try_from(self.ops.len()).ok()
    }

    fn emit(&mut self, op: Op) -> usize {
        self.ops.push(op);
        self.ops.len() - 1
    }

    /// Points the jump or branch at `at` to the next operation.
    fn land(&mut self, at: usize) -> Option<()> {
        let next = self.here()?;
        match self.ops.get_mut(at)? {
            Op::Jump { to }
            | Op::Branch { to, .. }
            | Op::CmpBranch { to, .. }
            | Op::QuotientBranch { to, .. } => *to = next,
            Op::Neg { .. }
            | Op::Quotient { .. }
            | Op::Not { .. }
            | Op::Arith { .. }
            | Op::Cmp { .. }
            | Op::Move { .. }
            | Op::Switch { .. }
            | Op::Call { .. }
            | Op::Steps { .. }
            | Op::Scale { .. }
            | Op::Fail => return None,
        }
        Some(())
    }

    /// An arm of a band or `cases`: its value into `dst`, then a jump to
    /// the end (put in `ends`); the arm's `misses` land after it.
    fn arm(
        &mut self,
        dst: u32,
        value: &IExpr,
        misses: Vec<usize>,
        ends: &mut Vec<usize>,
    ) -> Option<()> {
        let v = self.expr(value)?;
        self.emit(Op::Move { dst, a: v });
        ends.push(self.emit(Op::Jump { to: 0 }));
        for m in misses {
            self.land(m)?;
        }
        Some(())
    }

    /// After the last arm: no arm matched (the walker reports it); every
    /// arm's jump lands past this.
    fn no_arm_matched(&mut self, ends: Vec<usize>) -> Option<()> {
        self.emit(Op::Fail);
        for end in ends {
            self.land(end)?;
        }
        Some(())
    }

    /// Emits the code of condition `e` that jumps when it is `when` and
    /// goes on when it is not; gives the jumps, to be landed. Evaluates
    /// what the walker's `bool_of` evaluates, in its order: `a and b`
    /// reads `b` only when `a` holds.
    fn cond(&mut self, e: &IExpr, when: bool) -> Option<Vec<usize>> {
        Some(match &e.kind {
            IKind::Not(a) => self.cond(a, !when)?,
            IKind::Cmp(op, a, b) => {
                let (a, b) = (self.expr(a)?, self.expr(b)?);
                vec![self.emit(Op::CmpBranch {
                    op: *op,
                    a,
                    b,
                    when,
                    to: 0,
                })]
            }
            // `a and b` is false as soon as `a` is (`a or b` true as soon
            // as `a` is): then jump; else it is what `b` is.
            IKind::And(a, b) | IKind::Or(a, b) if matches!(e.kind, IKind::Or(..)) == when => {
                let mut jumps = self.cond(a, when)?;
                jumps.extend(self.cond(b, when)?);
                jumps
            }
            // `a and b` is true only when both are: past `b` when `a` is not
            IKind::And(a, b) | IKind::Or(a, b) => {
                let past = self.cond(a, !when)?;
                let jumps = self.cond(b, when)?;
                for at in past {
                    self.land(at)?;
                }
                jumps
            }
            IKind::Const(_)
            | IKind::Read(_)
            | IKind::Neg(_)
            | IKind::Arith(..)
            | IKind::If(..)
            | IKind::Call(..)
            | IKind::Band { .. }
            | IKind::Match { .. }
            | IKind::Cases { .. }
            | IKind::Steps { .. }
            | IKind::Scale { .. } => {
                let cond = self.expr(e)?;
                vec![self.emit(Op::Branch { cond, when, to: 0 })]
            }
        })
    }

    /// Emits the code of `e`; gives where its value is.
    fn expr(&mut self, e: &IExpr) -> Option<Arg> {
        Some(match &e.kind {
            IKind::Const(v) => {
                let mut side = Vec::new();
                let p = pack(v, &mut side);
                match p.kind() {
                    Kind::Side(_) => {
                        self.bigs.push(v.clone());
                        Arg::Big(u32::try_from(self.bigs.len() - 1).ok()?)
                    }
                    Kind::Dec { .. } | Kind::Bool(_) | Kind::Level(_) => {
                        self.consts.push(p);
                        Arg::Const(u32::try_from(self.consts.len() - 1).ok()?)
                    }
                }
            }
            IKind::Read(Source::Input(i)) => Arg::Input(u32::try_from(*i).ok()?),
            IKind::Read(Source::Slot(s)) => match self.slots.get(*s) {
                Some(Some(a)) => *a,
                Some(None) | None => Arg::Read(Source::Slot(*s)),
            },
            IKind::Read(s @ Source::Context(_)) => Arg::Read(*s),
            IKind::Neg(a) => {
                let a = self.expr(a)?;
                // a negative literal (`-1`): folded with the same arithmetic
                // the operation would run
                if let Arg::Const(c) = a {
                    let folded = self
                        .consts
                        .get(c as usize)
                        .and_then(|p| small::negate(dec(*p)?));
                    if let Some((m, s)) = folded {
                        self.consts.push(Packed::dec(m, s));
                        return Some(Arg::Const(u32::try_from(self.consts.len() - 1).ok()?));
                    }
                }
                let dst = self.reg()?;
                self.emit(Op::Neg { dst, a });
                Arg::Reg(dst)
            }
            IKind::Not(a) => {
                let a = self.expr(a)?;
                let dst = self.reg()?;
                self.emit(Op::Not { dst, a });
                Arg::Reg(dst)
            }
            IKind::Arith(op, a, b) => {
                let (a, b) = (self.expr(a)?, self.expr(b)?);
                let dst = self.reg()?;
                self.emit(Op::Arith { op: *op, dst, a, b });
                Arg::Reg(dst)
            }
            IKind::Cmp(op, a, b) => {
                let (a, b) = (self.expr(a)?, self.expr(b)?);
                let dst = self.reg()?;
                self.emit(Op::Cmp { op: *op, dst, a, b });
                Arg::Reg(dst)
            }
            // `a and b`: b only when a holds (`a or b`: when it does not).
            IKind::And(a, b) | IKind::Or(a, b) => {
                let when = matches!(e.kind, IKind::Or(..));
                let dst = self.reg()?;
                let a = self.expr(a)?;
                self.emit(Op::Move { dst, a });
                let skip = self.emit(Op::Branch {
                    cond: Arg::Reg(dst),
                    when,
                    to: 0,
                });
                let b = self.expr(b)?;
                self.emit(Op::Move { dst, a: b });
                // goes on either way, after checking that `b` is a bool
                let check = self.emit(Op::Branch {
                    cond: Arg::Reg(dst),
                    when: false,
                    to: 0,
                });
                self.land(check)?;
                self.land(skip)?;
                Arg::Reg(dst)
            }
            IKind::If(c, t, o) => {
                let dst = self.reg()?;
                let other = self.cond(c, false)?;
                let t = self.expr(t)?;
                self.emit(Op::Move { dst, a: t });
                let end = self.emit(Op::Jump { to: 0 });
                for at in other {
                    self.land(at)?;
                }
                let o = self.expr(o)?;
                self.emit(Op::Move { dst, a: o });
                self.land(end)?;
                Arg::Reg(dst)
            }
            IKind::Call(f, args) => {
                let args = args
                    .iter()
                    .map(|a| self.expr(a))
                    .collect::<Option<Box<[Arg]>>>()?;
                let dst = self.reg()?;
                self.emit(Op::Call { f: *f, dst, args });
                Arg::Reg(dst)
            }
            IKind::Band { subject, arms, .. } => {
                let dst = self.reg()?;
                // a band over a quotient compares its terms: the quotient
                // itself (reduced to lowest terms) is never formed
                let subject = if let IKind::Arith(ArithOp::Div, n, d) = &subject.kind {
                    let (n, d) = (self.expr(n)?, self.expr(d)?);
                    let (num, den) = (self.reg()?, self.reg()?);
                    self.emit(Op::Quotient { n, d, num, den });
                    BandSubject::Quotient { num, den }
                } else {
                    BandSubject::Value(self.expr(subject)?)
                };
                let mut ends = Vec::new();
                for arm in arms {
                    let mut misses = Vec::new();
                    for (op, bound) in &arm.tests {
                        let (op, b) = (*op, self.expr(bound)?);
                        let test = match subject {
                            BandSubject::Quotient { num, den } => Op::QuotientBranch {
                                op,
                                num,
                                den,
                                b,
                                when: false,
                                to: 0,
                            },
                            BandSubject::Value(a) => Op::CmpBranch {
                                op,
                                a,
                                b,
                                when: false,
                                to: 0,
                            },
                        };
                        misses.push(self.emit(test));
                    }
                    self.arm(dst, &arm.value, misses, &mut ends)?;
                }
                self.no_arm_matched(ends)?;
                Arg::Reg(dst)
            }
            IKind::Match {
                subject,
                table,
                values,
            } => {
                let dst = self.reg()?;
                let subject = self.expr(subject)?;
                let switch = self.emit(Op::Switch {
                    subject,
                    targets: Box::new([]),
                });
                let mut starts = Vec::with_capacity(values.len());
                let mut ends = Vec::with_capacity(values.len());
                for v in values {
                    starts.push(self.here()?);
                    let v = self.expr(v)?;
                    self.emit(Op::Move { dst, a: v });
                    ends.push(self.emit(Op::Jump { to: 0 }));
                }
                for end in ends {
                    self.land(end)?;
                }
                let targets: Box<[Option<u32>]> = table
                    .iter()
                    .map(|arm| arm.and_then(|a| starts.get(a).copied()))
                    .collect();
                if let Some(Op::Switch { targets: t, .. }) = self.ops.get_mut(switch) {
                    *t = targets;
                }
                Arg::Reg(dst)
            }
            IKind::Cases { arms } => {
                let dst = self.reg()?;
                let mut ends = Vec::new();
                for (cond, value) in arms {
                    let misses = match cond {
                        Some(c) => self.cond(c, false)?,
                        None => Vec::new(),
                    };
                    self.arm(dst, value, misses, &mut ends)?;
                }
                self.no_arm_matched(ends)?;
                Arg::Reg(dst)
            }
            IKind::Steps { subject, arms } => {
                let subject = self.expr(subject)?;
                let mut args = Vec::with_capacity(arms.len());
                for arm in arms {
                    let step = self.expr(&arm.step)?;
                    let reference = self.expr(&arm.reference)?;
                    let points = self.expr(&arm.points)?;
                    let cap = match &arm.cap {
                        Some(c) => Some(self.expr(c)?),
                        None => None,
                    };
                    args.push(StepArgs {
                        arm: arm.clone(),
                        step,
                        reference,
                        points,
                        cap,
                    });
                }
                let dst = self.reg()?;
                self.emit(Op::Steps {
                    dst,
                    subject,
                    arms: args.into(),
                });
                Arg::Reg(dst)
            }
            IKind::Scale { subject, from, to } => {
                let args = [subject, &from.0, &from.1, &to.0, &to.1];
                let mut out = [Arg::Reg(0); 5];
                for (o, a) in out.iter_mut().zip(args) {
                    *o = self.expr(a)?;
                }
                let dst = self.reg()?;
                self.emit(Op::Scale {
                    dst,
                    args: Box::new(out),
                });
                Arg::Reg(dst)
            }
        })
    }
}

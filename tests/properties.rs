//! Property tests (issue 11, "Property tests"): over generated records and
//! policies,
//! 1. `explain` shows exactly what `eval` computed, for every output, and
//!    `explain_each` gives the very explanations `explain` gives row by row;
//! 2. `diff` of a policy with itself, on the same records in another
//!    order, reports nothing;
//! 3. evaluation gives the same values on 1, 2 and 3 threads;
//! 4. `fmt` is idempotent, keeps the AST and keeps every evaluated output,
//!    on the seed policies and on generated ones;
//! 5. exact arithmetic laws of `Num`.
//!
//! Records are boundary-heavy: small integers, tenths and hundredths,
//! 0.1 % steps and, most often, the policy's own constants (band edges,
//! thresholds) and their nearest neighbours. Inputs respect their type
//! (counts whole and ≥ 0, grade levels in range) and declared range.
//! No failure files are written (`failure_persistence: None`); a failure
//! prints the minimal input that proptest shrank it to.

use kpi::eval::format::write_text;
use kpi::eval::num::Num;
use kpi::eval::{evaluate, evaluate_with_threads, EvalError, Evaluated, Row};
use kpi::ir::{Compute, Field, IExpr, IKind, Program, TeamFn, Value};
use kpi::report::diff::{diff, Side};
use kpi::report::explain::{explain, explain_each};
use kpi::syntax::ast::Span;
use kpi::syntax::fmt::{format_policy, same_ast};
use kpi::types::{NumKind, Period, Ty};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rust_decimal::Decimal;
use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

// ------------------------------------------------------------------ setup

const SEEDS: [(&str, &str); 8] = [
    (
        "cs_pay_structure",
        include_str!("../policies/cs_pay_structure.kpi"),
    ),
    ("dept_gate", include_str!("../policies/dept_gate.kpi")),
    (
        "platform_after_sales_level",
        include_str!("../policies/platform_after_sales_level.kpi"),
    ),
    (
        "presales_team",
        include_str!("../policies/presales_team.kpi"),
    ),
    (
        "reward_punish_30",
        include_str!("../policies/reward_punish_30.kpi"),
    ),
    (
        "shop_staff_pay",
        include_str!("../policies/shop_staff_pay.kpi"),
    ),
    (
        "tmall_after_sales",
        include_str!("../policies/tmall_after_sales.kpi"),
    ),
    (
        "tmall_bonus_sheet",
        include_str!("../policies/tmall_bonus_sheet.kpi"),
    ),
];

/// A seed policy, compiled, with the boundary values its records favour.
struct Seed {
    name: &'static str,
    source: &'static str,
    program: Program,
    edges: Vec<Decimal>,
}

fn compile(source: &str) -> Program {
    let ast = kpi::syntax::parse(source).unwrap_or_else(|e| panic!("{e:?}\n{source}"));
    kpi::check::check(&ast)
        .unwrap_or_else(|e| panic!("{:?}\n{source}", e.errors))
        .program
}

fn seeds() -> &'static [Seed] {
    static SEEDS_COMPILED: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS_COMPILED.get_or_init(|| {
        SEEDS
            .iter()
            .map(|(name, source)| {
                let program = compile(source);
                let edges = edges(&program);
                Seed {
                    name,
                    source,
                    program,
                    edges,
                }
            })
            .collect()
    })
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Runs a property; a failure panics with the minimal failing input.
fn check<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let mut runner = TestRunner::new(config(cases));
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name}: {e}");
    }
}

/// Runs `f` on a thread with the stack the `kpi` binary parses and checks
/// on (256 MiB, see src/main.rs). Parsing needs it: in a debug build each
/// level of brackets takes about 0.4 MiB of stack, so `item x = (((((1)))))`
/// already overflows a default 2 MiB thread, and generated policies nest
/// deeper than that. (The seed policies parse on the default stack.)
fn on_big_stack(f: impl FnOnce() + Send) {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn_scoped(scope, f)
            .expect("a thread");
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

// ------------------------------------------------- boundary values of a policy

/// Every numeric constant of an expression (band edges, thresholds,
/// steps, arm values), in base units.
fn constants(e: &IExpr, out: &mut Vec<Num>) {
    let all = |es: &[&IExpr], out: &mut Vec<Num>| {
        for e in es {
            constants(e, out);
        }
    };
    match &e.kind {
        IKind::Const(Value::Num(n)) => out.push(*n),
        IKind::Const(_) | IKind::Read(_) => {}
        IKind::Neg(a) | IKind::Not(a) => all(&[a], out),
        IKind::Arith(_, a, b) | IKind::Cmp(_, a, b) | IKind::And(a, b) | IKind::Or(a, b) => {
            all(&[a, b], out)
        }
        IKind::If(a, b, c) => all(&[a, b, c], out),
        IKind::Call(_, args) => args.iter().for_each(|a| constants(a, out)),
        IKind::Band { subject, arms, .. } => {
            constants(subject, out);
            for arm in arms {
                arm.tests.iter().for_each(|(_, t)| constants(t, out));
                constants(&arm.value, out);
            }
        }
        IKind::Match {
            subject, values, ..
        } => {
            constants(subject, out);
            values.iter().for_each(|v| constants(v, out));
        }
        IKind::Cases { arms } => {
            for (c, v) in arms {
                if let Some(c) = c {
                    constants(c, out);
                }
                constants(v, out);
            }
        }
        IKind::Steps { subject, arms } => {
            constants(subject, out);
            for a in arms {
                all(&[&a.step, &a.reference, &a.points], out);
                if let Some(c) = &a.cap {
                    constants(c, out);
                }
            }
        }
        IKind::Scale { subject, from, to } => all(&[subject, &from.0, &from.1, &to.0, &to.1], out),
    }
}

/// The policy's constants and range ends as positive decimals (zero has a
/// value of its own in [`Raw`]), sorted and distinct.
fn edges(program: &Program) -> Vec<Decimal> {
    let mut nums = Vec::new();
    for slot in &program.slots {
        match &slot.compute {
            Compute::Expr(e) => constants(e, &mut nums),
            Compute::Team(TeamFn::Distribute { quotas, .. }) => nums.extend(quotas),
            Compute::Team(_) | Compute::History(_) => {}
        }
    }
    let mut out: Vec<Decimal> = nums.iter().filter_map(|n| n.to_decimal()).collect();
    for f in program.inputs.iter().chain(&program.context) {
        if let Some((lo, hi)) = f.range {
            out.extend([lo, hi]);
        }
    }
    let mut out: Vec<Decimal> = out
        .into_iter()
        .map(|d| d.abs().normalize())
        .filter(|d| !d.is_zero())
        .collect();
    out.sort();
    out.dedup();
    out
}

// ------------------------------------------------------------ generated records

/// One generated cell, independent of the policy; [`Raw::value`] turns it
/// into a valid value of the field it lands in.
#[derive(Debug, Clone)]
enum Raw {
    Zero,
    /// 1..=30 in the field's unit (30 %, 30 d, ¥30).
    Small(u8),
    /// A multiple of 0.1 in the field's unit (0.1 % for percents).
    Tenths(u16),
    /// A multiple of 0.01 in the field's unit.
    Hundredths(u32),
    /// A constant of the policy (in base units), nudged by `nudge` units
    /// of the digit after its last (±1) or of its last digit (±2).
    Edge(u16, i8),
    /// A large amount: k × 1000 in the field's unit.
    Big(u32),
}

/// Relative weights of the kinds of cell after [`Raw::Zero`] (whose
/// weight is chosen per batch: a zero divisor fails a whole batch, so big
/// batches need zeros rarer): Small, Tenths, Hundredths, Edge, Big.
const WEIGHTS: [u32; 5] = [600, 300, 300, 1000, 100];

/// Cells; only [`Raw::Zero`] is zero, with weight `zero` (see [`WEIGHTS`]).
fn raw(zero: u32) -> impl Strategy<Value = Raw> {
    let [small, tenths, hundredths, edge, big] = WEIGHTS;
    prop_oneof![
        zero => Just(Raw::Zero),
        small => (1u8..=30).prop_map(Raw::Small),
        tenths => (1u16..=1200).prop_map(Raw::Tenths),
        hundredths => (1u32..=20_000).prop_map(Raw::Hundredths),
        edge => (any::<u16>(), -2i8..=2).prop_map(|(i, n)| Raw::Edge(i, n)),
        big => (1u32..=100_000).prop_map(Raw::Big),
    ]
}

/// The cells of one record.
fn cells(zero: u32) -> BoxedStrategy<Vec<Raw>> {
    prop::collection::vec(raw(zero), CELLS).boxed()
}

/// The cells of one record from one seed, drawn like [`raw`] does: for
/// batches of hundreds of records, where generating (and keeping for
/// shrinking) a value tree per cell dominates the test's time.
fn seeded_cells(zero: u32) -> BoxedStrategy<Vec<Raw>> {
    any::<u64>()
        .prop_map(move |mut seed| {
            // splitmix64
            let mut next = move || {
                seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = seed;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                z ^ (z >> 31)
            };
            (0..CELLS)
                .map(|_| {
                    let total = zero + WEIGHTS.iter().sum::<u32>();
                    let (pick, v) = ((next() % u64::from(total)) as u32, next());
                    let mut at = pick.checked_sub(zero);
                    let mut kind = 0;
                    while let Some(rest) = at.and_then(|a| a.checked_sub(WEIGHTS[kind])) {
                        at = Some(rest);
                        kind += 1;
                    }
                    match (at, kind) {
                        (None, _) => Raw::Zero,
                        (_, 0) => Raw::Small(1 + (v % 30) as u8),
                        (_, 1) => Raw::Tenths(1 + (v % 1200) as u16),
                        (_, 2) => Raw::Hundredths(1 + (v % 20_000) as u32),
                        (_, 3) => Raw::Edge(v as u16, ((v >> 16) % 5) as i8 - 2),
                        _ => Raw::Big(1 + (v % 100_000) as u32),
                    }
                })
                .collect()
        })
        .boxed()
}

impl Raw {
    /// A small whole number derived from the cell (bools, grade levels, text).
    fn index(&self) -> usize {
        match self {
            Raw::Zero => 0,
            Raw::Small(k) => usize::from(*k),
            Raw::Tenths(k) => usize::from(*k),
            Raw::Hundredths(k) | Raw::Big(k) => *k as usize,
            Raw::Edge(i, n) => usize::from(*i) + n.unsigned_abs() as usize,
        }
    }

    /// The magnitude, in base units of `ty`.
    fn decimal(&self, ty: &Ty, edges: &[Decimal]) -> Decimal {
        // The unit the policy's literals and the data's cells are written in.
        let unit = match ty {
            Ty::Number(NumKind::Percent) => Decimal::new(1, 2),
            Ty::Duration(u) => u.seconds(),
            _ => Decimal::ONE,
        };
        let in_unit = |d: Decimal| d * unit;
        match self {
            Raw::Zero => Decimal::ZERO,
            Raw::Small(k) => in_unit(Decimal::from(*k)),
            Raw::Tenths(k) => in_unit(Decimal::new(i64::from(*k), 1)),
            Raw::Hundredths(k) => in_unit(Decimal::new(i64::from(*k), 2)),
            Raw::Big(k) => in_unit(Decimal::from(*k) * Decimal::ONE_THOUSAND),
            Raw::Edge(i, nudge) => {
                if edges.is_empty() {
                    return Decimal::from(*i % 100);
                }
                let e = edges[usize::from(*i) % edges.len()];
                let scale = match nudge.abs() {
                    1 => e.scale() + 1,
                    _ => e.scale(),
                };
                let step = Decimal::new(1, scale.min(27));
                let d = (e + step * Decimal::from(nudge.signum())).abs();
                if d.is_zero() {
                    e
                } else {
                    d
                }
            }
        }
    }

    /// A value of the field's type, valid for it: counts whole and ≥ 0,
    /// numbers within the declared range, levels of the grade.
    fn value(&self, f: &Field, edges: &[Decimal]) -> Value {
        match &f.ty {
            Ty::Bool => Value::Bool(self.index() % 2 == 1),
            Ty::Grade(levels) => Value::Level((self.index() % levels.len().max(1)) as u16),
            Ty::Text => Value::Text(["", "x", "优秀"][self.index() % 3].into()),
            ty => {
                let count = *ty == Ty::Number(NumKind::Count);
                let mut d = self.decimal(ty, edges);
                if count {
                    d = d.trunc();
                }
                if let Some((lo, hi)) = f.range {
                    if d < lo || d > hi {
                        // Wrap into the range (the ends themselves come as edges).
                        d = if hi > lo { lo + d % (hi - lo) } else { lo };
                    }
                    if count && (d.trunc() != d || d < lo) {
                        d = lo.ceil();
                    }
                }
                Value::Num(Num::from_decimal(d.normalize()))
            }
        }
    }
}

/// One record: employee, month and team indices, then one cell per input.
#[derive(Debug, Clone)]
struct RawRow {
    employee: u8,
    month: u8,
    team: u8,
    cells: Vec<Raw>,
}

/// A batch of records and the context of each month.
#[derive(Debug, Clone)]
struct Batch {
    /// 0: no team column (one team per period); else 1–3 teams.
    teams: u8,
    /// Offset of the first month from 2026-10 (so some batches cross a year).
    start: u8,
    rows: Vec<RawRow>,
    /// Context cells per month.
    context: Vec<Vec<Raw>>,
}

/// Enough cells for the widest seed policy (14 inputs).
const CELLS: usize = 16;

/// Batches of up to `rows` records over `employees` × `months`, with
/// zero cells of weight `zero` (see [`raw`]).
fn batch(
    employees: u8,
    months: u8,
    rows: std::ops::RangeInclusive<usize>,
    zero: u32,
) -> impl Strategy<Value = Batch> {
    let cells = if *rows.end() > 100 {
        seeded_cells(zero)
    } else {
        cells(zero)
    };
    let row = (0..employees, 0..months, 0u8..3, cells.clone()).prop_map(
        |(employee, month, team, cells)| RawRow {
            employee,
            month,
            team,
            cells,
        },
    );
    (
        0u8..=3,
        0u8..=3,
        prop::collection::vec(row, rows),
        prop::collection::vec(cells, usize::from(months)),
    )
        .prop_map(|(teams, start, rows, context)| Batch {
            teams,
            start,
            rows,
            context,
        })
}

fn period(start: u8, month: u8) -> Period {
    let i = 2026 * 12 + 9 + u32::from(start) + u32::from(month);
    Period {
        year: (i / 12) as u16,
        month: (i % 12 + 1) as u8,
    }
}

type Context = BTreeMap<Period, Vec<Value>>;

/// The batch's records for `program` (one per employee and month, in the
/// generated order) and a context entry for every month used.
fn rows_of(program: &Program, edges: &[Decimal], b: &Batch) -> (Vec<Row>, Context) {
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    let mut context = BTreeMap::new();
    for (line, r) in b.rows.iter().enumerate() {
        if !seen.insert((r.employee, r.month)) {
            continue;
        }
        let p = period(b.start, r.month);
        rows.push(Row {
            ids: kpi::data::Ids::new(
                &format!("E{}", r.employee),
                ((b.teams > 0).then(|| format!("T{}", r.team % b.teams))).as_deref(),
            ),
            period: p,
            line: line + 2,
            inputs: program
                .inputs
                .iter()
                .zip(r.cells.iter().cycle())
                .map(|(f, c)| c.value(f, edges))
                .collect(),
        });
        if !program.context.is_empty() {
            let cells = &b.context[usize::from(r.month)];
            context.entry(p).or_insert_with(|| {
                program
                    .context
                    .iter()
                    .zip(cells.iter().cycle())
                    .map(|(f, c)| c.value(f, edges))
                    .collect()
            });
        }
    }
    (rows, context)
}

fn text(program: &Program, ev: &Evaluated, row: usize, slot: usize) -> String {
    let mut s = String::new();
    write_text(
        &ev.value(row, slot).expect("a value per slot"),
        &program.slots[slot].ty,
        &mut s,
    );
    s
}

/// Counts how many generated cases a property could exercise, and checks
/// at the end that enough were (so a generator that only produces
/// evaluation errors or overflows does not pass vacuously). The bars leave
/// room for chance: a random batch may hold a zero divisor (a `sales_target`
/// of ¥0), which fails the whole batch, as it should.
struct Tally {
    name: String,
    run: Cell<usize>,
    skipped: Cell<usize>,
}

impl Tally {
    fn new(name: impl Into<String>) -> Tally {
        Tally {
            name: name.into(),
            run: Cell::new(0),
            skipped: Cell::new(0),
        }
    }
    fn ran(&self) {
        self.run.set(self.run.get() + 1);
    }
    fn skip(&self) {
        self.skipped.set(self.skipped.get() + 1);
    }
    /// At least `percent` % of the cases were exercised.
    fn at_least(&self, percent: usize) {
        let (run, skipped) = (self.run.get(), self.skipped.get());
        eprintln!("{}: {run} cases exercised, {skipped} skipped", self.name);
        assert!(
            run * 100 >= (run + skipped) * percent,
            "{}: only {run} of {} cases exercised",
            self.name,
            run + skipped
        );
    }
}

// ------------------------------------------- 1. explain agrees with eval

/// Evaluates the batch; for every row, `explain` shows each output as
/// `eval` prints it, and `explain_each` equals `explain` row by row.
fn explain_agrees(
    program: &Program,
    source: &str,
    rows: &[Row],
    context: &Context,
    tally: &Tally,
) -> Result<(), TestCaseError> {
    let ev = match evaluate(program, rows, context, None) {
        Ok(ev) => ev,
        Err(errors) => {
            // explain evaluates the same batch: it fails the same way.
            tally.skip();
            if !rows.is_empty() {
                let e = explain(program, source, rows, context, 0);
                prop_assert_eq!(e.err(), Some(errors));
            }
            return Ok(());
        }
    };
    tally.ran();
    let each = explain_each(program, source, rows, context, &ev);
    prop_assert_eq!(each.len(), rows.len());
    for (k, &row) in ev.order.iter().enumerate() {
        let one = explain(program, source, rows, context, row)
            .map_err(|e| TestCaseError::fail(format!("explain failed: {e:?}")))?;
        prop_assert_eq!(one.outputs.len(), program.outputs.len());
        for (entry, out) in one.outputs.iter().zip(&program.outputs) {
            prop_assert_eq!(&entry.name, &out.name);
            let shown = text(program, &ev, row, out.slot);
            prop_assert_eq!(
                &entry.shown,
                &shown,
                "row {} ({} {}), output {}",
                row,
                &rows[row].employee(),
                rows[row].period,
                &out.name
            );
        }
        prop_assert_eq!(&each[k], &one, "explain_each, row {}", row);
    }
    Ok(())
}

#[test]
fn explain_agrees_with_eval_on_every_output() {
    for seed in seeds() {
        let tally = Tally::new(format!("explain/{}", seed.name));
        check(&tally.name, 16, batch(5, 4, 1..=10, 60), |b| {
            let (rows, context) = rows_of(&seed.program, &seed.edges, &b);
            explain_agrees(&seed.program, seed.source, &rows, &context, &tally)
        });
        tally.at_least(40);
    }
}

// ---------------------------------------------------------- 2. diff(X, X)

/// A permutation of `0..n` from a seed (Fisher–Yates over a small LCG).
fn permutation(n: usize, mut seed: u64) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        p.swap(i, (seed >> 33) as usize % (i + 1));
    }
    p
}

#[test]
fn diff_of_a_policy_with_itself_is_empty() {
    for seed in seeds() {
        let tally = Tally::new(format!("diff/{}", seed.name));
        check(
            &tally.name,
            12,
            (batch(6, 4, 1..=20, 40), any::<u64>()),
            |(b, shuffle)| {
                let program = &seed.program;
                let (rows, context) = rows_of(program, &seed.edges, &b);
                // The same records in another order: matched by employee and period.
                let shuffled: Vec<Row> = permutation(rows.len(), shuffle)
                    .into_iter()
                    .map(|i| rows[i].clone())
                    .collect();
                let (Ok(old), Ok(new)) = (
                    evaluate(program, &rows, &context, None),
                    evaluate(program, &shuffled, &context, None),
                ) else {
                    tally.skip();
                    return Ok(());
                };
                tally.ran();
                let side = |rows, ev| Side {
                    source: seed.name,
                    program,
                    rows,
                    ev,
                };
                let d = diff(&side(&rows, &old), &side(&shuffled, &new));
                prop_assert_eq!(d.records, rows.len());
                prop_assert!(d.changed.is_empty(), "changed: {:?}", d.changed);
                let o = &d.outputs;
                prop_assert!(o.added.is_empty() && o.removed.is_empty() && o.retyped.is_empty());
                for f in [&d.inputs, &d.context] {
                    prop_assert!(f.added.is_empty() && f.removed.is_empty());
                    prop_assert!(f.retyped.is_empty());
                }
                let s = &d.summary;
                prop_assert_eq!(s.grade_changes, 0);
                prop_assert_eq!(s.grade_people, 0);
                prop_assert!(s.transitions.is_empty(), "{:?}", s.transitions);
                prop_assert!(s.movers.is_empty(), "{:?}", s.movers);
                let pay = &s.payroll;
                prop_assert!(pay.excluded.is_empty());
                prop_assert_eq!(&pay.before, &pay.after);
                prop_assert_eq!(&pay.delta, "0.00");
                for line in &pay.per_output {
                    prop_assert_eq!(&line.before, &line.after, "{}", &line.output);
                    prop_assert_eq!(&line.delta, "0.00");
                }
                Ok(())
            },
        );
        tally.at_least(40);
    }
}

// ------------------------------------------------- 3. one thread or several

#[test]
fn eval_is_the_same_on_one_and_two_threads() {
    for seed in seeds() {
        let tally = Tally::new(format!("threads/{}", seed.name));
        check(
            &tally.name,
            12,
            (batch(120, 5, 50..=500, 1), any::<prop::sample::Index>()),
            |(b, traced)| {
                let program = &seed.program;
                let (rows, context) = rows_of(program, &seed.edges, &b);
                let traced = Some(traced.index(rows.len()));
                let one = evaluate_with_threads(program, &rows, &context, traced, 1);
                for threads in [2, 3] {
                    let many = evaluate_with_threads(program, &rows, &context, traced, threads);
                    let (one, many) = match (&one, many) {
                        (Ok(a), Ok(b)) => (a, b),
                        (Err(a), Err(b)) => {
                            prop_assert_eq!(a, &b, "errors on {} threads", threads);
                            continue;
                        }
                        (a, b) => {
                            return Err(TestCaseError::fail(format!(
                                "1 thread: {:?}, {threads} threads: {:?}",
                                a.as_ref().err(),
                                b.err()
                            )))
                        }
                    };
                    prop_assert_eq!(&one.order, &many.order);
                    prop_assert_eq!(one.slots, many.slots);
                    for r in 0..rows.len() {
                        for s in 0..program.slots.len() {
                            prop_assert_eq!(
                                one.value(r, s),
                                many.value(r, s),
                                "row {}, slot {} ({}), {} threads",
                                r,
                                s,
                                &program.slots[s].name,
                                threads
                            );
                        }
                    }
                    prop_assert_eq!(&one.trace, &many.trace, "trace, {} threads", threads);
                }
                if one.is_ok() {
                    tally.ran();
                } else {
                    tally.skip();
                }
                Ok(())
            },
        );
        tally.at_least(40);
    }
}

// ------------------------------------------------------ 4. fmt keeps meaning

/// Span-free errors, to compare those of a policy and its formatted text.
fn without_spans(errors: Vec<EvalError>) -> Vec<EvalError> {
    let none = Span::new(0, 0);
    errors
        .into_iter()
        .map(|e| match e {
            EvalError::Fault {
                employee,
                period,
                line,
                slot,
                kind,
                ..
            } => EvalError::Fault {
                employee,
                period,
                line,
                slot,
                kind,
                span: none,
            },
            EvalError::TeamFault {
                team, period, kind, ..
            } => EvalError::TeamFault {
                team,
                period,
                kind,
                span: none,
            },
            other => other,
        })
        .collect()
}

/// Formatting is idempotent and keeps the AST; returns the formatted text.
fn formats_stably(src: &str) -> Result<String, TestCaseError> {
    let once = format_policy(src).map_err(|e| TestCaseError::fail(format!("fmt failed: {e:?}")))?;
    let twice = format_policy(&once)
        .map_err(|e| TestCaseError::fail(format!("fmt of fmt failed: {e:?}\n{once}")))?;
    prop_assert_eq!(&twice, &once, "not idempotent");
    let before = kpi::syntax::parse(src).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
    let after = kpi::syntax::parse(&once)
        .map_err(|e| TestCaseError::fail(format!("formatted text: {e:?}\n{once}")))?;
    prop_assert!(same_ast(&before, &after), "AST changed:\n{}", once);
    Ok(once)
}

/// The two programs evaluate `b` to the same outputs (or the same errors).
fn same_results(
    a: &Program,
    b: &Program,
    rows: &[Row],
    context: &Context,
    tally: &Tally,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.outputs.len(), b.outputs.len());
    match (
        evaluate(a, rows, context, None),
        evaluate(b, rows, context, None),
    ) {
        (Ok(x), Ok(y)) => {
            tally.ran();
            prop_assert_eq!(&x.order, &y.order);
            for (oa, ob) in a.outputs.iter().zip(&b.outputs) {
                prop_assert_eq!(&oa.name, &ob.name);
                prop_assert_eq!(&a.slots[oa.slot].ty, &b.slots[ob.slot].ty);
                for r in 0..rows.len() {
                    prop_assert_eq!(x.value(r, oa.slot), y.value(r, ob.slot), "{}", &oa.name);
                    prop_assert_eq!(text(a, &x, r, oa.slot), text(b, &y, r, ob.slot));
                }
            }
        }
        (Err(x), Err(y)) => {
            tally.skip();
            prop_assert_eq!(without_spans(x), without_spans(y));
        }
        (x, y) => {
            return Err(TestCaseError::fail(format!(
                "original: {:?}\nformatted: {:?}",
                x.err(),
                y.err()
            )))
        }
    }
    Ok(())
}

#[test]
fn fmt_is_idempotent_and_keeps_the_meaning_of_the_seed_policies() {
    for seed in seeds() {
        let formatted =
            formats_stably(seed.source).unwrap_or_else(|e| panic!("{}: {e}", seed.name));
        let again = compile(&formatted);
        let tally = Tally::new(format!("fmt/{}", seed.name));
        check(&tally.name, 12, batch(5, 3, 1..=12, 60), |b| {
            let (rows, context) = rows_of(&seed.program, &seed.edges, &b);
            same_results(&seed.program, &again, &rows, &context, &tally)
        });
        tally.at_least(40);
    }
}

// Generated policies: a few ranged number inputs, `let`s, items built from
// bands, `if`, arithmetic with and without parentheses, `min`/`max`/
// `clamp`/`abs`/`floor`/`ceil`/`round`, a total, a grade and outputs; with
// comments and irregular white space for the formatter to normalise.

/// A number literal: whole, tenths, hundredths or a percent.
fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0u32..=100).prop_map(|n| n.to_string()),
        1 => (0u32..=1000).prop_map(|n| format!("{}.{}", n / 10, n % 10)),
        1 => (0u32..=10_000).prop_map(|n| format!("{}.{:02}", n / 100, n % 100)),
        1 => (0u32..=1000).prop_map(|n| format!("{}.{}%", n / 10, n % 10)),
    ]
}

/// Two literals `a < b` (band edges, clamp bounds, grade thresholds).
fn ordered() -> impl Strategy<Value = (String, String)> {
    (0u32..=2000, 1u32..=1000).prop_map(|(a, w)| {
        let t = |n: u32| format!("{}.{}", n / 10, n % 10);
        (t(a), t(a + w))
    })
}

fn paren(yes: bool, s: String) -> String {
    if yes {
        format!("({s})")
    } else {
        s
    }
}

/// A condition over arithmetic expressions.
fn condition(e: BoxedStrategy<String>) -> BoxedStrategy<String> {
    let cmp = (e.clone(), select(vec!["<", "<=", ">", ">=", "==", "!="]), e)
        .prop_map(|(a, op, b)| format!("{a} {op} {b}"));
    prop_oneof![
        3 => cmp.clone(),
        1 => (cmp.clone(), select(vec!["and", "or"]), cmp.clone())
            .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
        1 => cmp.prop_map(|c| format!("not ({c})")),
    ]
    .boxed()
}

/// An arithmetic expression over `names`; `if`s and bands inside it are
/// parenthesized, binary operations only sometimes.
fn expression(names: Vec<String>) -> BoxedStrategy<String> {
    let leaf = prop_oneof![3 => select(names), 2 => literal()];
    leaf.prop_recursive(3, 24, 3, |e| {
        let divisor = select(vec!["2", "3", "7", "9", "0.5", "12.5%", "100"]);
        prop_oneof![
            4 => (e.clone(), select(vec!["+", "-", "*"]), e.clone(), any::<bool>())
                .prop_map(|(a, op, b, p)| paren(p, format!("{a} {op} {b}"))),
            1 => (e.clone(), divisor, any::<bool>())
                .prop_map(|(a, d, p)| paren(p, format!("{a} / {d}"))),
            1 => e.clone().prop_map(|a| format!("-{a}")),
            1 => (e.clone(), e.clone()).prop_map(|(a, b)| format!("min({a}, {b})")),
            1 => (e.clone(), e.clone(), e.clone())
                .prop_map(|(a, b, c)| format!("max({a}, {b}, {c})")),
            1 => (e.clone(), ordered()).prop_map(|(a, (lo, hi))| format!("clamp({a}, {lo}, {hi})")),
            1 => (select(vec!["abs", "floor", "ceil", "round"]), e.clone())
                .prop_map(|(f, a)| format!("{f}({a})")),
            1 => e.clone().prop_map(|a| format!("round({a}, 2)")),
            2 => (condition(e.clone()), e.clone(), e.clone())
                .prop_map(|(c, a, b)| format!("(if {c} then {a} else {b})")),
            2 => (e.clone(), ordered(), e.clone(), e.clone(), e.clone(), any::<bool>()).prop_map(
                |(s, (lo, hi), p, q, r, closed_below)| {
                    if closed_below {
                        format!("(band {s} {{ <= {lo} -> {p}, ({lo}, {hi}] -> {q}, else -> {r} }})")
                    } else {
                        format!("(band {s} {{\n  >= {hi} -> {p}\n  [{lo}, {hi}) -> {q}\n  < {lo} -> {r}\n}})")
                    }
                }
            ),
        ]
    })
    .boxed()
}

/// A declaration `head = body` with irregular layout and maybe a comment.
fn decl(head: String, body: String, layout: u8) -> String {
    match layout % 5 {
        0 => format!("{head} = {body}\n"),
        1 => format!("{head}   =\n      {body}\n"),
        2 => format!("# about {head}\n{head} = {body}   # trailing\n"),
        3 => format!("\n\n{head}={body}\n"),
        _ => format!("  {head} =  {body}\n// note\n"),
    }
}

/// A small valid policy (see above).
fn policy() -> impl Strategy<Value = String> {
    (1usize..=4, 0usize..=2, 1usize..=4).prop_flat_map(|(n_in, n_let, n_item)| {
        let inputs: Vec<String> = (0..n_in).map(|i| format!("a{i}")).collect();
        let input_decls = prop::collection::vec((0u8..3, 0u32..=50, 1u32..=200), n_in);
        let mut names = inputs.clone();
        let mut lets = Vec::new();
        for k in 0..n_let {
            lets.push(expression(names.clone()));
            names.push(format!("l{k}"));
        }
        let mut items = Vec::new();
        for k in 0..n_item {
            items.push(expression(names.clone()));
            names.push(format!("i{k}"));
        }
        names.push("total".into());
        (
            input_decls,
            lets,
            items,
            expression(names),
            ordered(),
            prop::collection::vec(any::<u8>(), n_in + n_let + n_item + 4),
        )
            .prop_map(|(ins, lets, items, out, (t2, t1), layouts)| {
                let mut layout = layouts.into_iter();
                let mut lay = || layout.next().unwrap_or(0);
                let mut s = String::from("# generated\npolicy \"生成\"\n");
                for (i, (ty, lo, w)) in ins.into_iter().enumerate() {
                    s += &match ty {
                        0 => format!("input a{i} \"输入{i}\" : number in {lo}..{}\n", lo + w),
                        1 => format!("input   a{i} : points  in {lo}..{}\n", lo + w),
                        _ => format!("input a{i} : percent in {lo}%..{}%\n", lo + w),
                    };
                }
                for (k, e) in lets.into_iter().enumerate() {
                    s += &decl(format!("let l{k}"), e, lay());
                }
                for (k, e) in items.into_iter().enumerate() {
                    s += &decl(format!("item i{k} \"项{k}\""), e, lay());
                }
                s += &decl("total".into(), "sum of items".into(), lay());
                s += &format!("grade by total {{ >= {t1} -> A, >= {t2} -> B, else -> C }}\n");
                s += &decl("output o0 : number".into(), out, lay());
                s += &decl(
                    "output o1 : number".into(),
                    "match grade { A -> 1, B -> 2, C -> 3 }".into(),
                    lay(),
                );
                s
            })
    })
}

#[test]
fn fmt_is_idempotent_and_keeps_the_meaning_of_generated_policies() {
    on_big_stack(fmt_of_generated_policies);
}

fn fmt_of_generated_policies() {
    let tally = Tally::new("fmt/generated");
    check(
        &tally.name,
        64,
        (policy(), batch(4, 2, 1..=6, 100)),
        |(src, b)| {
            let program = compile(&src);
            let formatted = formats_stably(&src)?;
            let again = compile(&formatted);
            let (rows, context) = rows_of(&program, &edges(&program), &b);
            same_results(&program, &again, &rows, &context, &tally)
        },
    );
    tally.at_least(80);
}

#[test]
fn explain_agrees_with_eval_on_generated_policies() {
    on_big_stack(explain_on_generated_policies);
}

fn explain_on_generated_policies() {
    let tally = Tally::new("explain/generated");
    check(
        &tally.name,
        64,
        (policy(), batch(3, 2, 1..=5, 100)),
        |(src, b)| {
            let program = compile(&src);
            let (rows, context) = rows_of(&program, &edges(&program), &b);
            explain_agrees(&program, &src, &rows, &context, &tally)
        },
    );
    tally.at_least(80);
}

// ------------------------------------------------- 5. exact arithmetic laws

/// A decimal of any scale (0–28) and magnitude up to the 96-bit mantissa.
fn decimal() -> impl Strategy<Value = Decimal> {
    let max = (1i128 << 96) - 1;
    let mantissa = prop_oneof![
        4 => -1000i128..=1000,
        3 => -10_000_000i128..=10_000_000,
        2 => any::<i64>().prop_map(i128::from),
        1 => -max..=max,
    ];
    let scale = prop_oneof![3 => 0u32..=4, 1 => 0u32..=28];
    (mantissa, scale).prop_map(|(m, s)| Decimal::from_i128_with_scale(m, s))
}

/// A decimal, or a decimal divided by a small whole number (100/9, 1/3).
fn num() -> impl Strategy<Value = Num> {
    prop_oneof![
        3 => decimal().prop_map(Num::from_decimal),
        1 => (decimal(), select(vec![3i64, 7, 9, 11, 12, 30, -3, -6])).prop_filter_map(
            "overflow",
            |(d, k)| Num::from_decimal(d).over(Num::int(k)).ok()
        ),
    ]
}

fn same(a: Num, b: Num) -> bool {
    a.exact_cmp(b) == Ok(Ordering::Equal)
}

/// `near - half <= x <= near + half` (comparisons never overflow); `None`
/// when a bound overflows (a value near 10^28 at scale 11).
fn within(x: Num, near: Num, half: Num) -> Option<bool> {
    let (lo, hi) = (near.minus(half).ok()?, near.plus(half).ok()?);
    Some(x.exact_cmp(lo) != Ok(Ordering::Less) && x.exact_cmp(hi) != Ok(Ordering::Greater))
}

/// Whole: shown without a decimal point.
fn whole(n: Num) -> bool {
    !n.to_plain_string().contains('.')
}

#[test]
fn num_arithmetic_laws() {
    let div = Tally::new("(a / b) * b = a");
    let add = Tally::new("a + b - b = a");
    let cmp = Tally::new("cmp agrees with a - b");
    let shown = Tally::new("display round trip");
    let bounds = Tally::new("floor <= x <= ceil");
    check(
        "num laws",
        2048,
        (num(), num(), 0u8..=10),
        |(a, b, places)| {
            // (a / b) * b = a
            if b.is_zero() {
                prop_assert!(a.over(b).is_err());
            } else {
                match a.over(b).and_then(|q| q.times(b)) {
                    Ok(back) => {
                        div.ran();
                        prop_assert!(same(back, a), "{:?} / {:?} * b = {:?}", a, b, back);
                        prop_assert_eq!(back.to_plain_string(), a.to_plain_string());
                    }
                    Err(_) => div.skip(),
                }
                // The step counter is the floor / ceiling of the quotient.
                if let (Ok(q), Ok(f), Ok(c)) =
                    (a.over(b), a.quotient(b, false), a.quotient(b, true))
                {
                    prop_assert!(q.floor().is_ok_and(|x| same(x, f)), "{:?} {:?}", a, b);
                    prop_assert!(q.ceil().is_ok_and(|x| same(x, c)), "{:?} {:?}", a, b);
                }
            }
            // a + b - b = a
            match a.plus(b).and_then(|s| s.minus(b)) {
                Ok(back) => {
                    add.ran();
                    prop_assert!(same(back, a), "{:?} + {:?} - b = {:?}", a, b, back);
                    prop_assert_eq!(back.to_plain_string(), a.to_plain_string());
                }
                Err(_) => add.skip(),
            }
            // Comparison agrees with the sign of the difference, both ways.
            let order = a
                .exact_cmp(b)
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(b.exact_cmp(a), Ok(order.reverse()));
            match a.minus(b) {
                Ok(d) => {
                    cmp.ran();
                    prop_assert_eq!(order, d.signum().cmp(&0), "{:?} vs {:?}: {:?}", a, b, d);
                }
                Err(_) => cmp.skip(),
            }
            // Values and results shown: terminating values read back exactly,
            // others are within half a unit of the 10th place.
            let results = [Ok(a), Ok(b), a.plus(b), a.times(b), a.over(b)];
            let half = Num::from_decimal(Decimal::new(5, 11));
            for x in results.into_iter().flatten() {
                let s = x.to_plain_string();
                let Ok(d) = Decimal::from_str_exact(&s) else {
                    shown.skip();
                    continue;
                };
                shown.ran();
                let back = Num::from_decimal(d);
                if x.is_terminating() {
                    prop_assert!(same(back, x), "{:?} shown as {} reads {:?}", x, s, back);
                } else {
                    prop_assert_ne!(within(x, back, half), Some(false), "{:?} shown as {}", x, s);
                }
            }
            // floor(x) <= x <= ceil(x), both whole, at most 1 apart;
            // round(x, p) within half a unit of the p-th place.
            for x in [Ok(a), Ok(b), a.over(b)].into_iter().flatten() {
                let (Ok(f), Ok(c)) = (x.floor(), x.ceil()) else {
                    bounds.skip();
                    continue;
                };
                bounds.ran();
                prop_assert!(f.exact_cmp(x) != Ok(Ordering::Greater), "floor {:?}", x);
                prop_assert!(c.exact_cmp(x) != Ok(Ordering::Less), "ceil {:?}", x);
                prop_assert!(whole(f) && whole(c), "{:?}: {:?} {:?}", x, f, c);
                let gap = c
                    .minus(f)
                    .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                let exact = same(f, x);
                prop_assert!(
                    if exact {
                        gap.is_zero()
                    } else {
                        same(gap, Num::ONE)
                    },
                    "{:?}: floor {:?} ceil {:?}",
                    x,
                    f,
                    c
                );
                if let Ok(r) = x.round(places) {
                    let half = Num::from_decimal(Decimal::new(5, u32::from(places) + 1));
                    prop_assert_ne!(
                        within(x, r, half),
                        Some(false),
                        "round({:?}, {}) = {:?}",
                        x,
                        places,
                        r
                    );
                    let decimals = r.to_plain_string().split('.').nth(1).map_or(0, str::len);
                    prop_assert!(decimals <= usize::from(places), "round {:?}", r);
                }
            }
            Ok(())
        },
    );
    div.at_least(60);
    add.at_least(80);
    cmp.at_least(80);
    shown.at_least(80);
    bounds.at_least(95);
}

#!/usr/bin/env python3
"""Independent oracle for the seed policy suite S1–S8.

This script implements the rules of REQUIREMENTS.md §6 *directly*, in plain
Python with exact rational arithmetic (``fractions.Fraction``; never float).
It does not read the ``.kpi`` files: it is a second, independent reading of
the requirements, used to produce the expected output of ``kpi eval``.

For every policy it reads ``examples/<stem>/records.csv`` (and
``examples/<stem>/context.csv`` where the policy has context inputs) and
writes

    tests/data/seed_oracle/<stem>/expected.json   -- the §4.1 JSON shape
    tests/data/seed_oracle/<stem>/cmd             -- the CLI arguments, repo-relative

Run from anywhere:  python3 tests/oracle/oracle.py
Output is deterministic (byte-identical on every run).

Output formatting (shared with the Rust tool):
  * number / points / count: exact decimal, no trailing zeros, no exponent
    ("13", "87.5", "-2"); a value whose decimal expansion does not terminate
    is rounded half away from zero to exactly 10 decimal places
    ("33.3333333333").
  * money: rounded half away from zero to 0.01, always two decimals
    ("800.00", "-3.50"); a value that rounds to zero prints "0.00".
  * percent: value x 100, then the number rule, then "%" ("45.3%", "0%").
  * duration: in the output's declared unit, number rule, no suffix.
  * bool: JSON true/false; grade / text: JSON strings.

Decisions where §6 is ambiguous are marked "DECISION" below; the same
decisions are written as comments in the policy files.
"""

import csv
import json
import os
import re
import sys
from fractions import Fraction as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# ---------------------------------------------------------------- numbers

ZERO = F(0)
ONE = F(1)
PCT = F(1, 100)          # 1%
PERMILLE = F(1, 1000)    # 1‰

SECONDS = {"s": 1, "秒": 1, "min": 60, "分钟": 60, "h": 3600, "小时": 3600,
           "d": 86400, "天": 86400}
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def floor(q):
    return q.numerator // q.denominator


def ceil(q):
    return -((-q.numerator) // q.denominator)


def round_half_away(q, places):
    """Round q to `places` decimals, half away from zero (四舍五入)."""
    scale = 10 ** places
    scaled = abs(q) * scale
    n = floor(scaled + F(1, 2))
    return F(n if q >= 0 else -n, scale)


def terminating_places(q):
    """Number of decimals of q's exact expansion, or None if it never ends."""
    d = q.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    return max(twos, fives) if d == 1 else None


def fixed(q, places):
    """q (already a multiple of 10^-places) as a string with exactly `places` decimals."""
    scale = 10 ** places
    n = q * scale
    assert n.denominator == 1, (q, places)
    n = n.numerator
    sign = "-" if n < 0 else ""
    n = abs(n)
    if n == 0:
        sign = ""
    whole, frac = divmod(n, scale)
    return f"{sign}{whole}" + (f".{frac:0{places}d}" if places else "")


def fmt_number(q):
    places = terminating_places(q)
    if places is None:
        return fixed(round_half_away(q, 10), 10)
    s = fixed(q, places)
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def fmt_money(q):
    return fixed(round_half_away(q, 2), 2)


def fmt_percent(q):
    return fmt_number(q * 100) + "%"


def fmt(kind, v):
    if kind in ("points", "number", "count"):
        return fmt_number(v)
    if kind == "money":
        return fmt_money(v)
    if kind == "percent":
        return fmt_percent(v)
    if kind in UNIT_SECONDS:                      # durations, stored in seconds
        return fmt_number(v / UNIT_SECONDS[kind])
    if kind == "bool":
        assert isinstance(v, bool)
        return v
    if kind in ("text", "grade"):
        assert isinstance(v, str)
        return v
    raise ValueError(kind)


# ------------------------------------------------------------ data cells

DEC = re.compile(r"^[+-]?\d+(\.\d+)?$")


class DataError(Exception):
    pass


def dec(s):
    if not DEC.match(s):
        raise DataError(f"not a number: {s!r}")
    return F(s)


def parse_cell(kind, raw, levels=None):
    s = raw.strip()
    if kind == "count":
        v = dec(s)
        if v.denominator != 1 or v < 0:
            raise DataError(f"count must be a whole number >= 0: {s!r}")
        return v
    if kind in ("points", "number"):
        return dec(s)
    if kind == "percent":
        if s.endswith("%") or s.endswith("％"):
            return dec(s[:-1].strip()) * PCT
        if s.endswith("‰"):
            return dec(s[:-1].strip()) * PERMILLE
        raise DataError(f"percent cell without %: {s!r}")
    if kind == "money":
        neg = s.startswith("-")
        if neg:
            s = s[1:].strip()
        s = s.replace("¥", "").replace("￥", "").replace("元", "").replace(",", "").strip()
        v = dec(s)
        return -v if neg else v
    if kind in UNIT_SECONDS:
        m = re.match(r"^([+-]?\d+(?:\.\d+)?)\s*(s|min|h|d|秒|分钟|小时|天)?$", s)
        if not m:
            raise DataError(f"bad duration: {s!r}")
        unit = SECONDS[m.group(2)] if m.group(2) else UNIT_SECONDS[kind]
        return F(m.group(1)) * unit          # stored in seconds
    if kind == "bool":
        t = s.lower()
        if t in ("true", "是", "1"):
            return True
        if t in ("false", "否", "0"):
            return False
        raise DataError(f"bad bool: {s!r}")
    if kind == "grade":
        if s not in levels:
            raise DataError(f"unknown level {s!r}, expected one of {levels}")
        return s
    if kind == "text":
        return s
    raise ValueError(kind)


class Spec:
    """An input: id, label, kind (type), optional inclusive range, grade levels."""

    def __init__(self, id, label, kind, rng=None, levels=None):
        self.id, self.label, self.kind, self.rng, self.levels = id, label, kind, rng, levels


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = [h.strip() for h in rows[0]]
    return header, rows[1:]


def column_map(header, specs, path):
    """Header -> input id, matching an input's id or its label exactly (§5.1)."""
    cols = {}
    for i, h in enumerate(header):
        for sp in specs:
            if h == sp.id or (sp.label and h == sp.label):
                cols[sp.id] = i
    missing = [sp.id for sp in specs if sp.id not in cols]
    if missing:
        raise DataError(f"{path}: missing columns {missing}")
    return cols


def load_records(path, specs):
    header, rows = read_csv(path)
    cols = column_map(header, specs, path)
    ie, ip = header.index("employee"), header.index("period")
    it = header.index("team") if "team" in header else None
    out, seen = [], set()
    for line, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        emp, per = row[ie].strip(), row[ip].strip()
        if not re.match(r"^\d{4}-\d{2}$", per):
            raise DataError(f"{path}:{line}: bad period {per!r}")
        if (emp, per) in seen:
            raise DataError(f"{path}:{line}: duplicate row {emp} {per}")
        seen.add((emp, per))
        vals = {}
        for sp in specs:
            raw = row[cols[sp.id]]
            if not raw.strip():
                raise DataError(f"{path}:{line}: {header[cols[sp.id]]}: missing value")
            v = parse_cell(sp.kind, raw, sp.levels)
            if sp.rng is not None and not (sp.rng[0] <= v <= sp.rng[1]):
                raise DataError(f"{path}:{line}: {header[cols[sp.id]]}: {raw} outside {sp.rng}")
            vals[sp.id] = v
        out.append({"employee": emp, "period": per,
                    "team": row[it].strip() if it is not None else None,
                    "in": vals, "line": line})
    return out


def load_context(path, specs):
    header, rows = read_csv(path)
    cols = column_map(header, specs, path)
    ip = header.index("period")
    ctx = {}
    for row in rows:
        if not any(c.strip() for c in row):
            continue
        ctx[row[ip].strip()] = {sp.id: parse_cell(sp.kind, row[cols[sp.id]], sp.levels)
                                for sp in specs}
    return ctx


# ------------------------------------------------------------- helpers

def teams(records):
    """Group records by (team, period): the unit of team aggregates."""
    g = {}
    for r in records:
        g.setdefault((r["team"], r["period"]), []).append(r)
    return g


def competition_rank(value, values, desc=True):
    """1 + the number of values strictly better (1, 2, 2, 4)."""
    if desc:
        return 1 + sum(1 for v in values if v > value)
    return 1 + sum(1 for v in values if v < value)


def steps_above(value, ref, step, use_ceil=False):
    """Whole steps of `step` by which value exceeds ref (0 if not above)."""
    if value <= ref:
        return 0
    q = (value - ref) / step
    return ceil(q) if use_ceil else floor(q)


def steps_below(value, ref, step, use_ceil=False):
    if value >= ref:
        return 0
    q = (ref - value) / step
    return ceil(q) if use_ceil else floor(q)


def linear(x, a, b, c, d):
    """Map x from [a, b] onto [c, d] linearly, clamped at both ends."""
    if x <= a:
        return c
    if x >= b:
        return d
    return c + (x - a) * (d - c) / (b - a)


def prev_month(period):
    y, m = map(int, period.split("-"))
    y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return f"{y:04d}-{m:02d}"


DAY = F(86400)
SEC = F(1)
HOUR = F(3600)

# =============================================================== policies
#
# Each policy: name, stem, input specs, context specs, output kinds (in §6
# order) and a function computing the outputs for all records at once (team
# and history rules need the other records).


# ---------------------------------------------------------------- S1
S1_IN = [
    Spec("communication_rating", "沟通技巧", "points", (0, 10)),
    Spec("attitude_rating", "服务态度", "points", (0, 10)),
    Spec("teamwork_rating", "团队协作", "points", (0, 10)),
    Spec("violations", "违纪次数", "count"),
    Spec("late_count", "迟到早退次数", "count"),
    Spec("late_over_30min", "迟到30分钟以上次数", "count"),
    Spec("absences", "旷工次数", "count"),
    Spec("whole_order_errors", "整单出错数", "count"),
    Spec("part_order_errors", "补件单出错数", "count"),
    Spec("gift_order_errors", "赠品单出错数", "count"),
    Spec("refund_dispute_rate", "退款纠纷率", "percent"),
    Spec("refund_close_days", "退款完结时长", "days"),
    Spec("self_close_rate", "退款自主完结率", "percent"),
    Spec("complaints", "投诉维权数", "count"),
]
S1_CTX = [
    Spec("industry_refund_dispute_rate", "行业退款纠纷率", "percent"),
    Spec("industry_refund_close_days", "行业退款完结时长", "days"),
]
S1_OUT = [("communication", "points"), ("attitude", "points"), ("teamwork", "points"),
          ("discipline", "points"), ("order_accuracy", "points"),
          ("refund_dispute", "points"), ("refund_close", "points"),
          ("self_close", "points"), ("complaint_adjust", "points"), ("total", "points")]


def s1(records, ctx):
    res = []
    for r in records:
        x, c = r["in"], ctx[r["period"]]
        o = {}
        o["communication"] = x["communication_rating"]
        o["attitude"] = x["attitude_rating"]
        o["teamwork"] = x["teamwork_rating"]
        late = x["late_count"]
        L = late if late <= 3 else 3 + 2 * (late - 3)
        o["discipline"] = (10 - 5 * x["violations"] - L
                           - 10 * (x["absences"] + x["late_over_30min"]))
        w, p, g = x["whole_order_errors"], x["part_order_errors"], x["gift_order_errors"]
        if w == 0 and p == 0 and g == 0:
            o["order_accuracy"] = F(8)
        elif w <= 1 and p <= 1 and g <= 1:
            o["order_accuracy"] = F(3)
        else:
            o["order_accuracy"] = -(2 * w + p + g)
        v, ref = x["refund_dispute_rate"], c["industry_refund_dispute_rate"]
        o["refund_dispute"] = 15 - 2 * steps_above(v, ref, F(1, 10) * PCT) \
            + 2 * steps_below(v, ref, F(1, 10) * PCT)
        v, ref = x["refund_close_days"], c["industry_refund_close_days"]
        o["refund_close"] = 15 - 2 * steps_above(v, ref, DAY / 2) + 2 * steps_below(v, ref, DAY / 2)
        v, ref = x["self_close_rate"], F(995, 10) * PCT
        o["self_close"] = 15 + 2 * steps_above(v, ref, F(1, 2) * PCT) \
            - 2 * steps_below(v, ref, F(1, 2) * PCT)
        k = x["complaints"]
        o["complaint_adjust"] = 2 * (2 - k) if k < 2 else -3 * (k - 2)
        o["total"] = sum((o[n] for n, _ in S1_OUT[:-1]), ZERO)
        res.append(o)
    return res


# ---------------------------------------------------------------- S2
S2_IN = [
    Spec("inquiries", "询单人数", "count"),
    Spec("paid_buyers", "最终付款人数", "count"),
    Spec("avg_response", "平均响应时间", "seconds"),
    Spec("daily_rating", "平时表现", "grade", levels=["优秀", "良好", "合格", "差"]),
    Spec("sales", "销售额", "money"),
    Spec("sales_target", "销售目标", "money"),
    Spec("perf_pay_base", "绩效工资基数", "money"),
]
S2_OUT = [("conversion", "percent"), ("conversion_score", "points"),
          ("response_score", "points"), ("daily_score", "points"),
          ("sales_completion", "percent"), ("sales_score", "points"),
          ("total", "points"), ("grade", "grade"), ("pay_ratio", "percent"),
          ("perf_pay", "money"), ("dist_level", "grade"), ("dist_coefficient", "number")]


def s2(records, ctx):
    res = []
    for r in records:
        x = r["in"]
        o = {}
        conv = ZERO if x["inquiries"] == 0 else x["paid_buyers"] / x["inquiries"]
        o["conversion"] = conv
        if conv >= 55 * PCT:
            o["conversion_score"] = F(100)
        elif conv >= 50 * PCT:
            o["conversion_score"] = F(80)
        elif conv >= 45 * PCT:
            o["conversion_score"] = F(60)
        else:
            o["conversion_score"] = F(0)
        t = x["avg_response"]
        if t <= 25 * SEC:
            o["response_score"] = F(100)
        elif t <= 30 * SEC:
            o["response_score"] = F(80)
        elif t <= 35 * SEC:
            o["response_score"] = F(60)
        else:
            o["response_score"] = F(50)
        o["daily_score"] = F({"优秀": 100, "良好": 80, "合格": 70, "差": 50}[x["daily_rating"]])
        # DECISION: no declared range (a range cannot say "> 0"); a zero
        # target is an error (division by zero in the tool).
        if x["sales_target"] <= 0:
            raise DataError(f"line {r['line']}: sales_target must be > 0")
        comp = x["sales"] / x["sales_target"]
        o["sales_completion"] = comp
        if comp >= 100 * PCT:
            o["sales_score"] = F(100)
        elif comp >= 90 * PCT:
            o["sales_score"] = F(80)
        elif comp >= 80 * PCT:
            o["sales_score"] = F(60)
        else:
            o["sales_score"] = F(40)
        o["total"] = (35 * PCT * o["conversion_score"] + 15 * PCT * o["response_score"]
                      + 10 * PCT * o["daily_score"] + 40 * PCT * o["sales_score"])
        tot = o["total"]
        o["grade"] = ("A" if tot >= 91 else "B" if tot >= 86 else "C" if tot >= 76
                      else "D" if tot >= 65 else "E")
        o["pay_ratio"] = {"A": 100, "B": 80, "C": 60, "D": 50, "E": 0}[o["grade"]] * PCT
        o["perf_pay"] = x["perf_pay_base"] * o["pay_ratio"]
        res.append(o)
    # 表1.3 forced distribution within team and period.
    by_rec = {id(r): o for r, o in zip(records, res)}
    for group in teams(records).values():
        totals = [by_rec[id(r)]["total"] for r in group]
        n = len(group)

        def quota(p):           # round half up (not to even): n = 5 -> 90% -> 5
            return floor(p * n + F(1, 2))
        cA, cB, cC = quota(15 * PCT), quota(60 * PCT), quota(90 * PCT)
        for r in group:
            o = by_rec[id(r)]
            rk = competition_rank(o["total"], totals, desc=True)
            o["dist_level"] = "A" if rk <= cA else "B" if rk <= cB else "C" if rk <= cC else "D"
            o["dist_coefficient"] = {"A": F(12, 10), "B": F(1), "C": F(8, 10),
                                     "D": F(5, 10)}[o["dist_level"]]
    return res


# ---------------------------------------------------------------- S3
S3_IN = [
    Spec("refund_close_days", "退款完结时长", "days"),
    Spec("reply_rate", "旺旺回复率", "percent"),
    Spec("order_conversion", "下单转化率", "percent"),
    Spec("avg_response", "平均响应时间", "seconds"),
    Spec("joint_misses", "联营售后漏记次数", "count"),
    Spec("daily_tickets", "日均问题单处理数", "number"),
    Spec("attitude_complaints", "服务态度投诉次数", "count"),
    Spec("dsr", "DSR服务评分", "number"),
    Spec("named_praise", "点名好评数", "count"),
    Spec("solicited_praise", "索要好评次数", "count"),
    Spec("order_amount", "下单金额", "money"),
    Spec("exam", "考试成绩", "points", (0, 10)),
    Spec("leader_rating", "领导评分", "points", (0, 30)),
    Spec("dispute_refund_rate", "纠纷退款率", "percent"),
]
S3_CTX = [
    Spec("industry_refund_close_days", "行业退款完结时长", "days"),
    Spec("industry_dsr", "行业DSR评分", "number"),
    Spec("industry_dispute_refund_rate", "行业纠纷退款率", "percent"),
]
S3_ITEMS = ["refund_close", "reply", "conversion", "response", "joint", "attitude",
            "tickets", "dsr_score", "praise", "order_rank_adjust", "exam_score",
            "leader", "dispute"]
S3_OUT = [(n, "points") for n in S3_ITEMS] + [("total", "points")]


def s3(records, ctx):
    groups = teams(records)
    res = []
    for r in records:
        x, c = r["in"], ctx[r["period"]]
        group = groups[(r["team"], r["period"])]
        o = {}
        # partial days count as whole days, in both directions
        v, ref = x["refund_close_days"], c["industry_refund_close_days"]
        o["refund_close"] = 10 - steps_above(v, ref, DAY, True) + steps_below(v, ref, DAY, True)
        o["reply"] = 10 - steps_below(x["reply_rate"], 99 * PCT, PCT)
        o["conversion"] = 10 - 2 * steps_below(x["order_conversion"], 30 * PCT, PCT)
        o["response"] = 10 - steps_above(x["avg_response"], 30 * SEC, 10 * SEC)
        o["joint"] = 10 - x["joint_misses"]
        o["attitude"] = 10 - 10 * x["attitude_complaints"]
        # DECISION: ratio to the team average of the same team and period,
        # the employee included; a team average of 0 scores 0.
        avg = sum((g["in"]["daily_tickets"] for g in group), ZERO) / len(group)
        if avg == 0:
            o["tickets"] = F(0)
        else:
            ratio = x["daily_tickets"] / avg
            o["tickets"] = F(10) if ratio >= 110 * PCT else F(-10) if ratio <= 90 * PCT else F(0)
        shortfall = (c["industry_dsr"] - x["dsr"]) / c["industry_dsr"]
        o["dsr_score"] = 10 - floor(shortfall / (F(1, 10) * PCT)) if shortfall > 0 else F(10)
        o["praise"] = 5 * x["named_praise"] - 10 * x["solicited_praise"]
        amounts = [g["in"]["order_amount"] for g in group]
        a = x["order_amount"]
        if len(group) == 1 or max(amounts) == min(amounts):
            o["order_rank_adjust"] = F(0)
        elif competition_rank(a, amounts, desc=True) == 1:
            o["order_rank_adjust"] = F(5)
        elif competition_rank(a, amounts, desc=False) == 1:
            o["order_rank_adjust"] = F(-5)
        else:
            o["order_rank_adjust"] = F(0)
        o["exam_score"] = x["exam"]
        o["leader"] = x["leader_rating"]
        o["dispute"] = F(0) if x["dispute_refund_rate"] > c["industry_dispute_refund_rate"] else F(10)
        o["total"] = sum((F(o[n]) for n in S3_ITEMS), ZERO)
        res.append(o)
    return res


# ---------------------------------------------------------------- S4
S4_IN = [
    Spec("kpi_score", "考核分数", "points", (0, 100)),
    Spec("salary", "工资", "money"),
    Spec("gross_margin", "销售毛利", "money"),
]
S4_OUT = [("perf_pay", "money"), ("pay", "money"), ("level", "text"),
          ("action", "text"), ("year_end_award", "bool")]


def s4_level(score):
    return "优秀" if score > 90 else "差" if score < 80 else "合格"


def s4(records, ctx):
    # History: the same employee's records in earlier calendar months.
    # DECISION: history follows the employee across teams; a month without a
    # record breaks a streak.
    level_of = {(r["employee"], r["period"]): s4_level(r["in"]["kpi_score"]) for r in records}

    def streak(emp, period, level):
        n, p = 0, period
        while level_of.get((emp, p)) == level:
            n += 1
            p = prev_month(p)
        return n

    res = []
    for r in records:
        x = r["in"]
        s, salary = x["kpi_score"], x["salary"]
        o = {}
        # DECISION: money is rounded only where it is output; `pay` uses the
        # exact perf_pay.
        perf = salary * 10 * PCT
        o["perf_pay"] = perf
        if s < 80:
            o["pay"] = salary - perf * (100 - s) * PCT
        elif s <= 90:
            o["pay"] = salary
        else:
            reward = max(ZERO, min(perf * (5 - (100 - s)) * PCT, x["gross_margin"]))
            o["pay"] = salary + reward
        o["level"] = s4_level(s)
        bad = streak(r["employee"], r["period"], "差")
        o["action"] = "劝退" if bad >= 3 else "警告" if bad == 2 else ""
        o["year_end_award"] = streak(r["employee"], r["period"], "优秀") >= 3
        res.append(o)
    return res


# ---------------------------------------------------------------- S5
S5_IN = [
    Spec("order_amount", "接单成交总金额", "money"),
    Spec("conversion_rate", "转化率", "percent"),
    Spec("churn_rate", "客户流失率", "percent"),
    Spec("praised", "好评表扬", "bool"),
    Spec("major_reports", "重大问题汇报次数", "count"),
    Spec("suggestions", "建议采纳次数", "count"),
    Spec("attitude_complaints", "服务态度投诉次数", "count"),
    Spec("missing_remarks", "未备注清楚次数", "count"),
    Spec("private_discounts", "私自降价次数", "count"),
    Spec("shirking", "推卸责任次数", "count"),
    Spec("major_errors", "重大失误次数", "count"),
    Spec("bonus_base", "当月奖金", "money"),
]
S5_OUT = [("rank_points", "points"), ("deductions", "points"), ("score", "points"),
          ("bonus", "money"), ("gold", "bool")]


def s5(records, ctx):
    groups = teams(records)

    # DECISION: competition ranking; a shared first place gives every holder
    # 5 points and the next person rank 3 -> 1 point (nobody gets 3).
    def rank_pts(rk):
        return {1: 5, 2: 3, 3: 1}.get(rk, 0)

    def pos(v):
        return max(v, ZERO)

    res = []
    for r in records:
        x = r["in"]
        group = groups[(r["team"], r["period"])]
        o = {}
        o["rank_points"] = F(
            rank_pts(competition_rank(x["order_amount"], [g["in"]["order_amount"] for g in group], True))
            + rank_pts(competition_rank(x["conversion_rate"], [g["in"]["conversion_rate"] for g in group], True))
            + rank_pts(competition_rank(x["churn_rate"], [g["in"]["churn_rate"] for g in group], False)))
        a, m = pos(x["attitude_complaints"] - 1), pos(x["missing_remarks"] - 1)
        p, s = pos(x["private_discounts"] - 1), pos(x["shirking"] - 1)
        o["deductions"] = a + m + 2 * p + s + 10 * x["major_errors"]
        count = a + m + p + s + x["major_errors"]
        o["score"] = (30 + o["rank_points"] + (3 if count <= 2 else 0)
                      + (3 if x["praised"] else 0) + 5 * x["major_reports"]
                      + 3 * x["suggestions"] - o["deductions"])
        sc, base = o["score"], x["bonus_base"]
        if sc >= 25:
            o["bonus"] = base * (100 * PCT + 2 * PCT * (sc - 25))
        elif sc >= 20:
            o["bonus"] = base * 90 * PCT
        elif sc >= 15:
            o["bonus"] = base * 70 * PCT
        else:
            o["bonus"] = ZERO
        res.append(o)
    # DECISION: 金牌客服 = rank 1 by score in team and period; ties all get it.
    by_rec = {id(r): o for r, o in zip(records, res)}
    for group in groups.values():
        scores = [by_rec[id(r)]["score"] for r in group]
        for r in group:
            o = by_rec[id(r)]
            o["gold"] = competition_rank(o["score"], scores, True) == 1
    return res


# ---------------------------------------------------------------- S6
S6_IN = [
    Spec("inquiry_success_rate", "询单->最终付款成功率", "percent"),
    Spec("sales", "销售额", "money"),
    Spec("avg_order_value", "客单价", "money"),
    Spec("avg_response", "平均响应时间", "seconds"),
    Spec("reply_rate", "旺旺回复率", "percent"),
    Spec("manual_points", "人工考核分值", "points", (0, 14)),
    Spec("shipped_orders", "打单数", "count"),
    Spec("salary_total", "月薪总额", "money"),
]
S6_OUT = [("inquiry_score", "points"), ("sales_score", "points"), ("aov_score", "points"),
          ("response_score", "points"), ("reply_score", "points"),
          ("software_score", "points"), ("perf_pay", "money"), ("manual_pay", "money"),
          ("commission", "money")]


def s6(records, ctx):
    res = []
    for r in records:
        x = r["in"]
        o = {}
        o["inquiry_score"] = linear(x["inquiry_success_rate"], 40 * PCT, 100 * PCT, F(40), F(100))
        o["sales_score"] = linear(x["sales"], F(55000), F(95000), F(40), F(100))
        o["aov_score"] = linear(x["avg_order_value"], F(125), F(165), F(55), F(100))
        o["response_score"] = linear(x["avg_response"], 25 * SEC, 65 * SEC, F(100), F(20))
        o["reply_score"] = linear(x["reply_rate"], 85 * PCT, 100 * PCT, F(20), F(100))
        o["software_score"] = (30 * PCT * o["inquiry_score"] + 30 * PCT * o["sales_score"]
                               + 15 * PCT * o["aov_score"] + 10 * PCT * o["response_score"]
                               + 15 * PCT * o["reply_score"])
        o["perf_pay"] = x["salary_total"] * 20 * PCT * o["software_score"] / 100
        o["manual_pay"] = min(max(x["manual_points"], F(6)), F(14)) * 60
        o["commission"] = x["shipped_orders"] * F(1, 10)
        res.append(o)
    return res


# ---------------------------------------------------------------- S7
S7_IN = [
    Spec("response_time", "售后响应时间", "minutes"),
    Spec("resolve_time", "售后处理时效", "hours"),
    Spec("satisfaction", "售后满意度", "percent"),
]
S7_OUT = [("level", "text")]


def s7(records, ctx):
    res = []
    for r in records:
        x = r["in"]
        rt, st, sat = x["response_time"], x["resolve_time"], x["satisfaction"]
        # DECISION: "…小时内" is inclusive (≤) and "达到90%以上" includes 90% (≥).
        if rt <= 1 * HOUR and st <= 24 * HOUR and sat >= 90 * PCT:
            lv = "一级"
        elif rt <= 3 * HOUR and st <= 48 * HOUR and sat >= 80 * PCT:
            lv = "二级"
        else:
            lv = "未达标"
        res.append({"level": lv})
    return res


# ---------------------------------------------------------------- S8
S8_IN = [
    Spec("order_total", "成交订单总额", "money"),
    Spec("base_salary", "基础工资", "money"),
    Spec("target_bonus", "指标完成奖金", "money"),
]
S8_CTX = [
    Spec("store_refund_rate", "店铺退款率", "percent"),
    Spec("store_refund_days", "店铺退款时长", "days"),
    Spec("store_dispute_rate", "店铺纠纷率", "percent"),
    Spec("store_dsr", "店铺DSR评分", "number"),
    Spec("store_internal_complaints", "店铺内部投诉数", "count"),
]
S8_OUT = [("commission", "money"), ("gate_met", "bool"), ("pay", "money")]


def s8(records, ctx):
    res = []
    for r in records:
        x, c = r["in"], ctx[r["period"]]
        o = {}
        o["commission"] = x["order_total"] * 3 * PERMILLE
        o["gate_met"] = (c["store_refund_rate"] <= 5 * PCT
                         and c["store_refund_days"] <= 2 * DAY
                         and c["store_dispute_rate"] <= F(5, 100) * PCT
                         and c["store_dsr"] >= F(48, 10)
                         and c["store_internal_complaints"] <= 1)
        # DECISION: pay adds the exact commission; only the output is rounded.
        o["pay"] = x["base_salary"] + o["commission"] + (x["target_bonus"] if o["gate_met"] else ZERO)
        res.append(o)
    return res


POLICIES = [
    # stem, policy name (the sheet's title), inputs, context, outputs, rules
    ("tmall_after_sales", "售后KPI考核报表", S1_IN, S1_CTX, S1_OUT, s1),
    ("presales_team", "售前客服团队绩效考核", S2_IN, None, S2_OUT, s2),
    ("tmall_bonus_sheet", "天猫淘宝客服绩效考核奖金表", S3_IN, S3_CTX, S3_OUT, s3),
    ("shop_staff_pay", "淘宝天猫店铺员工绩效考核方案", S4_IN, None, S4_OUT, s4),
    ("reward_punish_30", "客服奖惩制度方案二", S5_IN, None, S5_OUT, s5),
    ("cs_pay_structure", "网店客服工作标准与考核办法", S6_IN, None, S6_OUT, s6),
    ("platform_after_sales_level", "淘宝售后考核指标", S7_IN, None, S7_OUT, s7),
    ("dept_gate", "提成 + 部门指标一票否决", S8_IN, S8_CTX, S8_OUT, s8),
]


def run(stem, name, ins, ctx_specs, outs, rules):
    rec_path = f"examples/{stem}/records.csv"
    ctx_path = f"examples/{stem}/context.csv" if ctx_specs else None
    records = load_records(os.path.join(ROOT, rec_path), ins)
    ctx = load_context(os.path.join(ROOT, ctx_path), ctx_specs) if ctx_specs else {}
    for r in records:
        if ctx_specs and r["period"] not in ctx:
            raise DataError(f"{ctx_path}: no row for period {r['period']}")
    values = rules(records, ctx)
    results = []
    for r, o in zip(records, values):
        assert set(o) == {n for n, _ in outs}, (stem, sorted(o))
        results.append({
            "employee": r["employee"],
            "period": r["period"],
            "team": r["team"],
            "outputs": {n: fmt(kind, o[n]) for n, kind in outs},
        })
    results.sort(key=lambda e: (e["team"] or "", e["period"], e["employee"]))
    out_dir = os.path.join(ROOT, "tests", "data", "seed_oracle", stem)
    os.makedirs(out_dir, exist_ok=True)
    # The §4.1 layout: one result per line (key order = declaration order).
    # Compare with `kpi eval` output as parsed JSON, or as text after trimming
    # the final newline.
    dump = lambda v: json.dumps(v, ensure_ascii=False)
    lines = ",\n".join("  " + dump(e) for e in results)
    text = '{"policy": ' + dump(name) + ', "results": [\n' + lines + "\n]}\n"
    assert json.loads(text) == {"policy": name, "results": results}
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    cmd = f"eval policies/{stem}.kpi --data {rec_path}"
    if ctx_path:
        cmd += f" --context {ctx_path}"
    cmd += " --format json"
    with open(os.path.join(out_dir, "cmd"), "w", encoding="utf-8", newline="\n") as f:
        f.write(cmd + "\n")
    return len(results)


def self_test():
    """Checks of the formatting rules and helpers themselves."""
    assert fmt_number(F(13)) == "13"
    assert fmt_number(F(175, 2)) == "87.5"
    assert fmt_number(F(-2)) == "-2"
    assert fmt_number(F(0)) == "0"
    assert fmt_number(F(100, 3)) == "33.3333333333"
    assert fmt_number(F(2, 3)) == "0.6666666667"
    assert fmt_number(F(-2, 3)) == "-0.6666666667"
    assert fmt_number(F(1, 1024)) == "0.0009765625"
    assert fmt_money(F(800)) == "800.00"
    assert fmt_money(F(-35, 10)) == "-3.50"
    assert fmt_money(F(617285, 1000)) == "617.29"
    assert fmt_money(F(-617285, 1000)) == "-617.29"
    assert fmt_money(F(-1, 1000)) == "0.00"
    assert fmt_percent(F(453, 1000)) == "45.3%"
    assert fmt_percent(F(0)) == "0%"
    assert fmt_percent(F(3, 7)) == "42.8571428571%"
    assert competition_rank(5, [5, 7, 5, 1]) == 2
    assert competition_rank(7, [5, 7, 5, 1]) == 1
    assert competition_rank(1, [5, 7, 5, 1]) == 4
    assert competition_rank(1, [5, 7, 5, 1], desc=False) == 1
    # Boundaries are exact even after a division.
    assert F(10) / (F(100) / 9) == 90 * PCT
    assert (30 * PCT - 25 * PCT) / PCT == 5
    assert prev_month("2026-01") == "2025-12"


def main():
    self_test()
    for stem, name, ins, ctx_specs, outs, rules in POLICIES:
        n = run(stem, name, ins, ctx_specs, outs, rules)
        print(f"{stem}: {n} results -> tests/data/seed_oracle/{stem}/expected.json")


if __name__ == "__main__":
    try:
        main()
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)

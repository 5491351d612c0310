//! The layouts of real exports (§5.3): which headers name the key columns,
//! units written in headers (`平均响应(秒)`), totals rows, separators.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::borrow::Cow;

use crate::types::{DurUnit, NumKind, Ty};

/// Headers for the key columns beyond the built-in ones: from the policy
/// (`key employee "客服"`) and the command line (`--employee-column`).
/// These are tried first, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyNames {
    pub employee: Vec<String>,
    pub period: Vec<String>,
    pub team: Vec<String>,
}

/// A key column: its canonical name and the headers that name it, best
/// first. The canonical name comes first; exports' own words follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Employee,
    Period,
    Team,
}

impl Key {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Key::Employee => "employee",
            Key::Period => "period",
            Key::Team => "team",
        }
    }

    /// Headers that name this column, after the canonical name: first the
    /// kpi's own words (two of these in one file are an error), then the
    /// words of exports, tried only when none of the first is there (an
    /// export with `employee` and `旺旺昵称` uses `employee`).
    pub(crate) fn builtin(self) -> [&'static [&'static str]; 2] {
        match self {
            Key::Employee => [
                &["employee", "员工", "工号"],
                &[
                    "客服",
                    "客服昵称",
                    "客服账号",
                    "子账号",
                    "旺旺",
                    "旺旺昵称",
                    "姓名",
                ],
            ],
            Key::Period => [
                &["period", "月份", "期间"],
                &["统计月份", "考核月份", "月度"],
            ],
            Key::Team => [&["team", "团队", "组别"], &["小组", "班组", "分组"]],
        }
    }

    /// The alternatives to name in a "no such column" help.
    pub(crate) fn aliases_text(self) -> &'static str {
        match self {
            Key::Employee => "`员工`, `工号`, `客服`, `客服昵称`, `子账号` or `旺旺`",
            Key::Period => "`月份` or `期间`",
            Key::Team => "`团队` or `组别`",
        }
    }

    /// The headers naming this column, in tiers tried in turn: the extra
    /// names with kpi's own words, then the words of exports.
    pub(crate) fn tiers(self, extra: &KeyNames) -> [Vec<&str>; 2] {
        let extra = match self {
            Key::Employee => &extra.employee,
            Key::Period => &extra.period,
            Key::Team => &extra.team,
        };
        let [own, export] = self.builtin();
        [
            extra
                .iter()
                .map(String::as_str)
                .chain(own.iter().copied())
                .collect(),
            export.to_vec(),
        ]
    }
}

/// First cells of totals rows in exports; matched after trimming, with an
/// optional trailing colon.
pub const TOTALS_WORDS: &[&str] = &[
    "合计",
    "汇总",
    "总计",
    "小计",
    "平均",
    "均值",
    "平均值",
    "total",
    "totals",
    "sum",
    "average",
];

/// Whether a row whose first filled cell is `first` is a totals row.
pub(crate) fn is_totals(first: &str) -> bool {
    let t = first.trim().trim_end_matches([':', '：']).trim();
    // The words are lowercase ASCII or have no case, so ASCII case folding
    // is all there is to it (no character lowercases into their letters),
    // and no string is made for every row.
    TOTALS_WORDS.iter().any(|w| t.eq_ignore_ascii_case(w))
}

/// A unit written in a header, `(秒)` in `平均响应(秒)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderUnit {
    Duration(DurUnit),
    Percent,
    Yuan,
    /// `(次)`, `(人)`, `(单)`, `(个)`: counts of something; no conversion.
    Count,
}

impl HeaderUnit {
    fn parse(s: &str) -> Option<HeaderUnit> {
        Some(match s.trim() {
            "秒" | "s" | "S" | "sec" => HeaderUnit::Duration(DurUnit::Seconds),
            "分钟" | "分" | "min" => HeaderUnit::Duration(DurUnit::Minutes),
            "小时" | "时" | "h" | "H" => HeaderUnit::Duration(DurUnit::Hours),
            "天" | "日" | "d" | "D" => HeaderUnit::Duration(DurUnit::Days),
            "%" | "％" => HeaderUnit::Percent,
            "元" | "¥" | "￥" | "RMB" | "CNY" => HeaderUnit::Yuan,
            "次" | "人" | "单" | "个" | "件" => HeaderUnit::Count,
            _ => return None,
        })
    }

    /// The unit as the header wrote it, for messages.
    pub(crate) fn text(self) -> &'static str {
        match self {
            HeaderUnit::Duration(u) => match u {
                DurUnit::Seconds => "秒",
                DurUnit::Minutes => "分钟",
                DurUnit::Hours => "小时",
                DurUnit::Days => "天",
            },
            HeaderUnit::Percent => "%",
            HeaderUnit::Yuan => "元",
            HeaderUnit::Count => "次",
        }
    }

    /// Whether a column in this unit can feed an input of type `ty`.
    pub(crate) fn fits(self, ty: &Ty) -> bool {
        match self {
            HeaderUnit::Duration(_) => matches!(ty, Ty::Duration(_)),
            HeaderUnit::Percent => matches!(ty, Ty::Number(NumKind::Percent)),
            HeaderUnit::Yuan => matches!(ty, Ty::Money),
            HeaderUnit::Count => matches!(ty, Ty::Number(_)),
        }
    }

    /// A bare number in a column of this unit, written so that the cell
    /// parser reads it in this unit: `33.6` in a `(秒)` column of a minutes
    /// input is `33.6s`; `99.5` in a `(%)` column is `99.5%`. Anything but
    /// a bare number is left as it is.
    pub(crate) fn apply(self, cell: &str) -> Cow<'_, str> {
        let bare = cell.bytes().any(|b| b.is_ascii_digit())
            && cell
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b','));
        if !bare {
            return Cow::Borrowed(cell);
        }
        match self {
            HeaderUnit::Duration(u) => Cow::Owned(format!("{cell}{}", u.suffix())),
            HeaderUnit::Percent => Cow::Owned(format!("{cell}%")),
            HeaderUnit::Yuan | HeaderUnit::Count => Cow::Borrowed(cell),
        }
    }
}

/// Splits a header into its name and the unit in trailing brackets:
/// `平均响应(秒)` → (`平均响应`, seconds), `销售额（元）` → (`销售额`, yuan).
/// A bracket that holds no known unit is part of the name.
pub(crate) fn split_unit(header: &str) -> (&str, Option<HeaderUnit>) {
    let h = header.trim();
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let Some(body) = h.strip_suffix(close) {
            if let Some(at) = body.rfind(open) {
                if let Some(unit) = HeaderUnit::parse(&body[at + open.len_utf8()..]) {
                    return (body[..at].trim_end(), Some(unit));
                }
            }
        }
    }
    (h, None)
}

/// A header's name without the unit in brackets (`平均响应(秒)` → `平均响应`).
pub fn header_name(header: &str) -> &str {
    split_unit(header).0
}

/// A cell as `kpi eval` reads it under `header`: a bare number takes the
/// header's unit (`33.6` under `平均响应(秒)` is `33.6s`).
pub fn apply_header_unit<'a>(header: &str, cell: &'a str) -> Cow<'a, str> {
    match split_unit(header).1 {
        Some(u) => u.apply(cell),
        None => Cow::Borrowed(cell),
    }
}

/// The separator of delimited text: comma, tab or semicolon, whichever
/// splits the first lines into the most fields (outside quotes); comma
/// when none does.
pub(crate) fn sniff_delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 3] = [b',', b'\t', b';'];
    let mut best = [0usize; 3];
    for line in text.lines().filter(|l| !l.trim().is_empty()).take(30) {
        let mut counts = [0usize; 3];
        let mut quoted = false;
        for b in line.bytes() {
            if b == b'"' {
                quoted = !quoted;
            } else if !quoted {
                for (c, n) in CANDIDATES.iter().zip(counts.iter_mut()) {
                    if *c == b {
                        *n += 1;
                    }
                }
            }
        }
        for (b, c) in best.iter_mut().zip(counts) {
            *b = (*b).max(c);
        }
    }
    // the most frequent; the earliest candidate on a tie
    let mut pick = (b',', 0);
    for (c, n) in CANDIDATES.into_iter().zip(best) {
        if n > pick.1 {
            pick = (c, n);
        }
    }
    pick.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_in_headers() {
        assert_eq!(
            split_unit("平均响应(秒)"),
            ("平均响应", Some(HeaderUnit::Duration(DurUnit::Seconds)))
        );
        assert_eq!(
            split_unit("销售额（元）"),
            ("销售额", Some(HeaderUnit::Yuan))
        );
        assert_eq!(
            split_unit("回复率(%)"),
            ("回复率", Some(HeaderUnit::Percent))
        );
        assert_eq!(
            split_unit("询单->最终付款(人)"),
            ("询单->最终付款", Some(HeaderUnit::Count))
        );
        // not a unit: part of the name
        assert_eq!(split_unit("满意度(售后)"), ("满意度(售后)", None));
        assert_eq!(split_unit("平均响应"), ("平均响应", None));
    }

    #[test]
    fn bare_numbers_take_the_header_unit() {
        let secs = HeaderUnit::Duration(DurUnit::Seconds);
        assert_eq!(secs.apply("33.6"), "33.6s");
        assert_eq!(secs.apply("2min"), "2min");
        assert_eq!(secs.apply("-"), "-");
        assert_eq!(HeaderUnit::Percent.apply("99.5"), "99.5%");
        assert_eq!(HeaderUnit::Percent.apply("99.5%"), "99.5%");
        assert_eq!(HeaderUnit::Yuan.apply("1,234.5"), "1,234.5");
        assert!(secs.fits(&Ty::Duration(DurUnit::Minutes)));
        assert!(!secs.fits(&Ty::Money));
        assert!(!HeaderUnit::Percent.fits(&Ty::Number(NumKind::Count)));
    }

    #[test]
    fn totals_rows() {
        for t in [
            "合计",
            " 汇总 ",
            "总计：",
            "Total",
            "均值",
            "TOTAL:",
            "SuM",
            "Average：",
        ] {
            assert!(is_totals(t), "{t}");
        }
        for t in ["合计金额", "E01", "", "平均响应", "totalled", "ＴＯＴＡＬ"] {
            assert!(!is_totals(t), "{t}");
        }
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("标题\n\na\tb\tc\n1\t2\t3\n"), b'\t');
        assert_eq!(sniff_delimiter("a;b;c\n\"1;0\";2;3\n"), b';');
        assert_eq!(sniff_delimiter("\"a,b\";c;d\n"), b';');
        assert_eq!(sniff_delimiter("a\n"), b',');
    }
}

//! Guessing an input's type from an export's column (`kpi init`): the
//! header's unit first (`平均响应(秒)`), then what every filled cell is.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::cells::parse_general;
use super::layout::{apply_header_unit, split_unit, HeaderUnit, Key, KeyNames};
use super::table::key_column;
use super::ReadOptions;
use crate::types::{DurUnit, NumKind, Ty};

/// What a column of an export looks like.
#[derive(Debug, Clone, PartialEq)]
pub struct Guess {
    /// The header as written.
    pub header: String,
    /// The key column it is, if any (`employee`, `period`, `team`).
    pub key: Option<&'static str>,
    /// The guessed type (`None`: every cell empty).
    pub ty: Option<Ty>,
    /// Filled cells, and how many of them the guessed type reads.
    pub filled: usize,
    pub readable: usize,
    /// Why the type was picked, for a comment: `header unit (秒)`, `cells`,
    /// `header word 率`.
    pub reason: &'static str,
}

/// Guesses each column of `rows` under `headers`.
pub fn guess_columns(headers: &[String], rows: &[Vec<String>], keys: &KeyNames) -> Vec<Guess> {
    let key_cols: Vec<(Key, Option<usize>)> = [Key::Employee, Key::Period, Key::Team]
        .into_iter()
        .map(|k| (k, key_column(headers, k, keys)))
        .collect();
    headers
        .iter()
        .enumerate()
        .map(|(c, h)| {
            let key = key_cols
                .iter()
                .find(|(_, col)| *col == Some(c))
                .map(|(k, _)| k.name());
            let cells: Vec<&str> = rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect();
            let (ty, reason) = match key {
                Some(_) => (Some(Ty::Text), "key column"),
                None => guess_type(h, &cells),
            };
            let readable = ty
                .as_ref()
                .map_or(0, |t| cells.iter().filter(|c| reads(c, h, t)).count());
            Guess {
                header: h.clone(),
                key,
                ty,
                filled: cells.len(),
                readable,
                reason,
            }
        })
        .collect()
}

/// Whether `cell` in column `header` reads as `ty` (the header's unit
/// applied, as `kpi eval` would).
fn reads(cell: &str, header: &str, ty: &Ty) -> bool {
    parse_general(
        &apply_header_unit(header, cell),
        ty,
        &ReadOptions::default(),
    )
    .is_ok()
}

fn guess_type(header: &str, cells: &[&str]) -> (Option<Ty>, &'static str) {
    if let (_, Some(unit)) = split_unit(header) {
        let ty = match unit {
            HeaderUnit::Duration(u) => Ty::Duration(u),
            HeaderUnit::Percent => Ty::Number(NumKind::Percent),
            HeaderUnit::Yuan => Ty::Money,
            HeaderUnit::Count => Ty::Number(NumKind::Count),
        };
        return (Some(ty), "the unit in the header");
    }
    if cells.is_empty() {
        return (None, "no filled cells");
    }
    // the type that reads the most cells, in order of preference
    let name = split_unit(header).0;
    let money_word = [
        "金额",
        "销售额",
        "客单价",
        "工资",
        "奖金",
        "薪",
        "提成",
        "元",
    ]
    .iter()
    .any(|w| name.contains(w));
    let time_word = ["响应时间", "响应时长", "接待时长", "时长", "用时"]
        .iter()
        .any(|w| name.contains(w));
    let candidates: Vec<(Ty, &'static str)> = vec![
        (Ty::Number(NumKind::Percent), "cells written with %"),
        (Ty::Money, "cells with ¥ or 元"),
        (Ty::Number(NumKind::Count), "whole numbers ≥ 0"),
        (
            if time_word {
                Ty::Duration(DurUnit::Seconds)
            } else if money_word {
                Ty::Money
            } else {
                Ty::Number(NumKind::Plain)
            },
            if time_word {
                "numbers under a time header (seconds assumed: check)"
            } else if money_word {
                "numbers under a money header"
            } else {
                "numbers"
            },
        ),
        (Ty::Bool, "yes/no cells"),
    ];
    let count = |ty: &Ty| cells.iter().filter(|c| reads(c, header, ty)).count();
    for (ty, reason) in candidates {
        let n = count(&ty);
        // three cells in four at least (a stray `-` or note is for a
        // `default`), and for % and money the marks must be there: a plain
        // number reads as money too
        let marked = match ty {
            Ty::Number(NumKind::Percent) => {
                cells.iter().any(|c| c.ends_with('%') || c.ends_with('％'))
            }
            Ty::Money if reason == "cells with ¥ or 元" => {
                cells.iter().any(|c| c.contains(['¥', '￥', '元']))
            }
            // every number whole: `6.5` among counts makes a number
            Ty::Number(NumKind::Count) => {
                !time_word && !money_word && n == count(&Ty::Number(NumKind::Plain))
            }
            _ => true,
        };
        if marked && n > 0 && n * 4 >= cells.len() * 3 {
            return (Some(ty), reason);
        }
    }
    (Some(Ty::Text), "text cells")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(header: &str, cells: &[&str]) -> Option<Ty> {
        let rows: Vec<Vec<String>> = cells.iter().map(|c| vec![c.to_string()]).collect();
        guess_columns(&[header.to_string()], &rows, &KeyNames::default())
            .remove(0)
            .ty
    }

    #[test]
    fn types_from_headers_and_cells() {
        assert_eq!(
            guess("平均响应(秒)", &["33.6", "16.9"]),
            Some(Ty::Duration(DurUnit::Seconds))
        );
        assert_eq!(
            guess("回复率", &["97.49%", "98.90%"]),
            Some(Ty::Number(NumKind::Percent))
        );
        assert_eq!(
            guess("接待人数", &["931", "2076"]),
            Some(Ty::Number(NumKind::Count))
        );
        assert_eq!(
            guess("客件数", &["1.42", "1.52"]),
            Some(Ty::Number(NumKind::Plain))
        );
        assert_eq!(guess("销售额", &["119234.58", "45749.1"]), Some(Ty::Money));
        assert_eq!(
            guess(
                "平均响应时间",
                &[
                    "40.9",
                    "延迟统计",
                    "20.4",
                    "14.5",
                    "28.7",
                    "1",
                    "2",
                    "3",
                    "4",
                    "5"
                ]
            ),
            Some(Ty::Duration(DurUnit::Seconds))
        );
        assert_eq!(guess("好评", &["是", "否"]), Some(Ty::Bool));
        assert_eq!(guess("备注", &["很好", "一般"]), Some(Ty::Text));
        assert_eq!(guess("空列", &[]), None);
        let keys = guess_columns(&["客服".to_string()], &[], &KeyNames::default());
        assert_eq!(keys[0].key, Some("employee"));
    }
}

//! Sorted runs of rendered results on disk, merged at the end: how the
//! one-pass `kpi eval` puts results of any number of records in output
//! order (team, period, employee) in memory that does not grow with them.
//!
//! A run is a file of results already sorted by key, each written as
//! `team? · period · employee · text` with little-endian lengths; the merge
//! reads every run at once through a heap. Keys are unique (one result per
//! employee and month), so the merged order is the sort order, whatever
//! the runs' contents and count.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

/// One result on its way into a run.
pub(crate) struct Item<'a> {
    pub team: Option<&'a str>,
    pub period: u32,
    pub employee: &'a str,
    pub text: &'a str,
}

/// The runs written so far, in a temporary directory removed on drop.
pub(crate) struct Runs {
    dir: tempfile::TempDir,
    files: Vec<PathBuf>,
}

/// A run being written (see [`Runs::start`]).
pub(crate) struct Run {
    path: PathBuf,
    w: BufWriter<std::fs::File>,
}

impl Run {
    /// Writes the next result; results come in key order.
    pub fn push(&mut self, item: &Item<'_>) -> io::Result<()> {
        let w = &mut self.w;
        match item.team {
            Some(t) => {
                w.write_all(&[1])?;
                put(w, t)?;
            }
            None => w.write_all(&[0])?,
        }
        w.write_all(&item.period.to_le_bytes())?;
        put(w, item.employee)?;
        put(w, item.text)
    }
}

fn put(w: &mut impl Write, s: &str) -> io::Result<()> {
    let len =
        u32::try_from(s.len()).map_err(|_| io::Error::other("a result of more than 4 GiB"))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(s.as_bytes())
}

impl Runs {
    pub fn new() -> io::Result<Runs> {
        Ok(Runs {
            dir: tempfile::Builder::new().prefix("kpi-eval-").tempdir()?,
            files: Vec::new(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Writes one run of `items`, which come sorted by (team, period,
    /// employee).
    #[cfg(test)]
    pub fn spill<'a>(&mut self, items: impl Iterator<Item = Item<'a>>) -> io::Result<()> {
        let mut run = self.start()?;
        for item in items {
            run.push(&item)?;
        }
        self.finish(run)
    }

    /// A new run, to be given its results in key order and then to
    /// [`Runs::finish`]: nothing of it is held in memory but its buffer.
    pub fn start(&self) -> io::Result<Run> {
        let path = self.dir.path().join(format!("run-{}", self.files.len()));
        let w = BufWriter::with_capacity(1 << 16, std::fs::File::create(&path)?);
        Ok(Run { path, w })
    }

    /// Adds a run whose results are all written.
    pub fn finish(&mut self, mut run: Run) -> io::Result<()> {
        run.w.flush()?;
        self.files.push(run.path);
        Ok(())
    }

    /// Every result of every run in key order: `each(n, text)` for the
    /// n-th result.
    pub fn merge(&self, mut each: impl FnMut(usize, &str) -> io::Result<()>) -> io::Result<()> {
        let mut readers = Vec::with_capacity(self.files.len());
        for path in &self.files {
            readers.push(BufReader::with_capacity(
                1 << 16,
                std::fs::File::open(path)?,
            ));
        }
        let mut heap = BinaryHeap::new();
        for (i, r) in readers.iter_mut().enumerate() {
            if let Some(rec) = next(r)? {
                heap.push(Reverse((rec, i)));
            }
        }
        let mut n = 0;
        while let Some(Reverse((rec, i))) = heap.pop() {
            each(n, &rec.text)?;
            n += 1;
            if let Some(r) = readers.get_mut(i) {
                if let Some(rec) = next(r)? {
                    heap.push(Reverse((rec, i)));
                }
            }
        }
        Ok(())
    }
}

/// A result read back; ordered by its key (then text, never needed).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Record {
    team: Option<String>,
    period: u32,
    employee: String,
    text: String,
}

fn u32_of(r: &mut impl Read) -> io::Result<u32> {
    let mut b = [0; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn string_of(r: &mut impl Read) -> io::Result<String> {
    let len = u32_of(r)?;
    let mut bytes = Vec::new();
    r.take(u64::from(len)).read_to_end(&mut bytes)?;
    if bytes.len() != len as usize {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    String::from_utf8(bytes).map_err(io::Error::other)
}

/// The next result of a run, `None` at its end.
fn next(r: &mut BufReader<std::fs::File>) -> io::Result<Option<Record>> {
    if r.fill_buf()?.is_empty() {
        return Ok(None);
    }
    let mut flag = [0];
    r.read_exact(&mut flag)?;
    let team = match flag {
        [0] => None,
        _ => Some(string_of(r)?),
    };
    let period = u32_of(r)?;
    let employee = string_of(r)?;
    let text = string_of(r)?;
    Ok(Some(Record {
        team,
        period,
        employee,
        text,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs of any contents merge into the one sorted order.
    #[test]
    fn runs_merge_in_key_order() {
        let all = [
            (None, 5, "z", "none-5-z"),
            (Some("A"), 3, "b", "A-3-b"),
            (Some("A"), 3, "a", "A-3-a"),
            (Some("B"), 1, "客服", "B-1-客服"),
            (Some(""), 9, "x", "empty-team"),
            (Some("A"), 2, "zz", "A-2-zz"),
        ];
        let mut want: Vec<_> = all.to_vec();
        want.sort();
        let want: Vec<&str> = want.iter().map(|t| t.3).collect();
        for split in 0..=all.len() {
            let mut runs = Runs::new().unwrap();
            for part in [&all[..split], &all[split..]] {
                let mut part = part.to_vec();
                part.sort();
                runs.spill(part.iter().map(|&(team, period, employee, text)| Item {
                    team,
                    period,
                    employee,
                    text,
                }))
                .unwrap();
            }
            let mut got = Vec::new();
            runs.merge(|n, text| {
                assert_eq!(n, got.len());
                got.push(text.to_string());
                Ok(())
            })
            .unwrap();
            assert_eq!(got, want, "split at {split}");
        }
    }
}

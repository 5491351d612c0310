//! Converts a CSV file to an `.xlsx` the way an export tool writes one:
//! numbers as number cells, `12.5%` as percent-formatted numbers, the rest
//! as text. For measuring `kpi eval` on a large spreadsheet:
//!
//! ```sh
//! cargo run --release --example csv_to_xlsx -- records.csv records.xlsx
//! ```

use rust_xlsxwriter::{Format, Workbook, XlsxError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: csv_to_xlsx IN.csv OUT.xlsx");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(input)?;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let pct = Format::new().set_num_format("0.00%");
    for (r, line) in text.lines().enumerate() {
        let r = u32::try_from(r)?;
        for (c, cell) in line.split(',').enumerate() {
            let c = u16::try_from(c)?;
            write_cell(sheet, r, c, cell, &pct)?;
        }
    }
    book.save(output)?;
    Ok(())
}

fn write_cell(
    sheet: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    c: u16,
    cell: &str,
    pct: &Format,
) -> Result<(), XlsxError> {
    if let Some(p) = cell.strip_suffix('%') {
        if let Ok(v) = format!("{p}e-2").parse::<f64>() {
            sheet.write_number_with_format(r, c, v, pct)?;
            return Ok(());
        }
    }
    match cell.parse::<f64>() {
        Ok(v) if r > 0 && c > 2 => sheet.write_number(r, c, v)?,
        _ => sheet.write_string(r, c, cell)?,
    };
    Ok(())
}

#!/usr/bin/env python3
"""The DuckDB side of bench/run.py: loads the records with the loader of
`kpi compile --to loader`, runs the query of `kpi compile --to sql`, and
writes its rows as CSV (the way `kpi eval --format csv` writes them).

    python3 bench/duckdb_eval.py LOAD.sql QUERY.sql OUT.csv
"""
import sys

import duckdb


def statements(text):
    """The loader's statements: each ends with ";" at the end of a line."""
    for part in text.split(";\n"):
        lines = [l for l in part.splitlines() if not l.strip().startswith("--")]
        stmt = "\n".join(lines).strip()
        if stmt:
            yield stmt


def main():
    load, query, out = sys.argv[1:4]
    con = duckdb.connect()
    with open(load, encoding="utf-8") as f:
        for stmt in statements(f.read()):
            con.execute(stmt)
    with open(query, encoding="utf-8") as f:
        sql = f.read().strip().rstrip(";")
    out_sql = out.replace("'", "''")
    con.execute(f"COPY ({sql}) TO '{out_sql}' (HEADER, DELIMITER ',')")


if __name__ == "__main__":
    main()

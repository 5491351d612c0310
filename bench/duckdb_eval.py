#!/usr/bin/env python3
"""The DuckDB side of bench/run.py: loads the records with the loader of
`kpi compile --to loader`, runs the query of `kpi compile --to sql`, and
writes its rows as CSV (the way `kpi eval --format csv` writes them).

    python3 bench/duckdb_eval.py LOAD.sql QUERY.sql OUT.csv
"""
import os
import sys

# the loader's statements are split as the SQL tests split them
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "sql"))
from run import statements  # noqa: E402

import duckdb


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

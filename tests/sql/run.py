#!/usr/bin/env python3
"""Runs the SQL that `kpi compile --to sql` wrote, for tests/sql.rs.

    python3 tests/sql/run.py duckdb|spark JOB.json

JOB.json is a list of cases: {"name", "sql", "out", "setup"}: "setup" is
the loader (`kpi compile --to loader`: statements ending with ";" and a
newline) that creates `records` and `context` from the case's CSV files;
then "sql" runs, and its rows are written to "out" as CSV
(no BOM, "\\n" line ends, quoted only where needed: the way `kpi eval
--format csv` writes). One engine session serves every case (one Spark
session for the whole run). A case that fails writes "ERROR: ..." to its
"out" file; the exit status is 0 unless the engine cannot start.
"""
import csv
import io
import json
import os
import sys
import time

# Spark binds to the loopback interface only.
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


def write_rows(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    with open(path, "w", encoding="utf-8") as f:
        f.write(buf.getvalue())


def statements(text):
    """The loader's statements: each ends with ";" at the end of a line."""
    out = []
    for part in text.split(";\n"):
        lines = [l for l in part.splitlines() if not l.strip().startswith("--")]
        stmt = "\n".join(lines).strip()
        if stmt:
            out.append(stmt)
    return out


def fail(path, err):
    with open(path, "w", encoding="utf-8") as f:
        f.write("ERROR: " + str(err)[:4000])


def run_duckdb(cases):
    import duckdb

    con = duckdb.connect()
    for case in cases:
        try:
            for stmt in statements(case["setup"]):
                con.execute(stmt)
            cur = con.execute(case["sql"])
            header = [d[0] for d in cur.description]
            write_rows(case["out"], header, cur.fetchall())
        except Exception as e:  # reported per case by the Rust test
            fail(case["out"], e)


def run_spark(cases):
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("kpi-sql-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("OFF")
    for case in cases:
        start = time.time()
        try:
            for stmt in statements(case["setup"]):
                spark.sql(stmt)
            df = spark.sql(case["sql"])
            rows = [list(r) for r in df.collect()]
            write_rows(case["out"], df.columns, rows)
        except Exception as e:
            fail(case["out"], e)
        print(f"  {case['name']}: {time.time() - start:.1f} s", file=sys.stderr)
    spark.stop()


def main():
    engine, job = sys.argv[1], sys.argv[2]
    with open(job, encoding="utf-8") as f:
        cases = json.load(f)
    start = time.time()
    {"duckdb": run_duckdb, "spark": run_spark}[engine](cases)
    print(f"{engine}: {len(cases)} cases in {time.time() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()

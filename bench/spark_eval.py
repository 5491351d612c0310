#!/usr/bin/env python3
"""The Spark side of bench/run.py (`--spark`): local mode on every core,
loads the records with the loader of `kpi compile --to loader --dialect
spark`, runs the query of `kpi compile --to sql --dialect spark`, and
writes its rows as one CSV file (the way `kpi eval --format csv` writes
them), so that the result can be compared with kpi's byte for byte.

    python3 bench/spark_eval.py LOAD.sql QUERY.sql OUT.csv
"""
import csv
import os
import sys

# the loader's statements are split as the SQL tests split them
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "sql"))
from run import statements  # noqa: E402

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


def main():
    from pyspark.sql import SparkSession

    load, query, out = sys.argv[1:4]
    spark = (
        SparkSession.builder.master("local[*]")
        .appName("kpi-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("OFF")
    with open(load, encoding="utf-8") as f:
        for stmt in statements(f.read()):
            spark.sql(stmt)
    with open(query, encoding="utf-8") as f:
        df = spark.sql(f.read().strip().rstrip(";"))
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(df.columns)
        for row in df.toLocalIterator():
            w.writerow(["" if v is None else v for v in row])
    spark.stop()


if __name__ == "__main__":
    main()

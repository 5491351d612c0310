#!/usr/bin/env python3
"""The repository's benchmark: `kpi eval` on generated S1 and S3 records.

    python3 bench/run.py                       # 100 and 1 M rows, S1 and S3
    python3 bench/run.py --rows 10000000 --policies s1

Builds the release binary and the data generator (examples/bench_data.rs),
generates the records once per size (kept in --dir), then runs
`kpi eval POLICY --data … --context … --format csv --output …` --runs times
and prints, per policy and size: the best wall time, rows per second, the
peak resident memory of that run (from wait4's rusage, the kernel's own
count) and a digest of the output (the same digest before and after a
change means byte-identical results).

When DuckDB's Python package is installed (`pip install duckdb`) and the
binary can compile the policy to SQL (`kpi compile --to sql`), the same
records are also scored by the compiled query in DuckDB, in a separate
process measured the same way, its output checked against kpi's byte for
byte, and the ratio printed; `--spark` does the same once in Spark's local
mode (PyPI `pyspark`, Java 17), the JVM's start included. `--features duckdb`
builds the binary with `kpi eval --engine duckdb` (the same query in DuckDB
embedded in kpi, on the CSV files kpi reads; DUCKDB_LIB_DIR and
LD_LIBRARY_PATH as the README says) and measures that engine too. Wall-clock figures on a shared machine vary:
run it on an idle one.
"""

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLICIES = {
    "s1": "policies/tmall_after_sales.kpi",
    "s3": "policies/tmall_bonus_sheet.kpi",
}


# GNU time reports the measured program's own peak RSS. Without it, the
# kernel's count for a child of this Python process starts at Python's own
# resident size (exec keeps the high-water mark): ~10 MB too much, which
# only matters for the 100-row runs.
GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


def run_measured(argv):
    """Runs argv; returns (wall seconds, peak RSS in bytes)."""
    rss_file = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"kpi-bench-rss-{os.getpid()}")
    full = [GNU_TIME, "-f", "%M", "-o", rss_file] + argv if GNU_TIME else argv
    start = time.perf_counter()
    proc = subprocess.Popen(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"failed ({code}): {' '.join(argv)}\n{err}")
    rss_kb = usage.ru_maxrss
    if GNU_TIME:
        with open(rss_file) as f:
            rss_kb = int(f.read().split()[-1])
        os.remove(rss_file)
    return wall, rss_kb * 1024


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:12]


def human_bytes(n):
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def build(features):
    extra = ["--features", features] if features else []
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--bin", "kpi", "--example", "bench_data", *extra],
        cwd=ROOT,
        check=True,
    )
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return (
        os.path.join(target, "release", "kpi"),
        os.path.join(target, "release", "examples", "bench_data"),
    )


def generate(gen, which, rows, d):
    data = os.path.join(d, f"{which}_{rows}.csv")
    ctx = os.path.join(d, f"{which}_context.csv")
    ids = os.path.join(d, f"{which}_{rows}.ids.csv")
    if not all(os.path.exists(p) for p in (data, ctx, ids)):
        subprocess.run([gen, which, str(rows), d], check=True, stdout=subprocess.DEVNULL)
    return data, ctx


def duckdb_available():
    # (not imported here: this process stays small, see GNU_TIME)
    r = subprocess.run([sys.executable, "-c", "import duckdb"], capture_output=True)
    return r.returncode == 0


def duckdb_engine(kpi, policy):
    """Whether this kpi has `--engine duckdb` (the cargo feature `duckdb`)."""
    r = subprocess.run(
        [kpi, "eval", policy, "--data", os.devnull, "--engine", "duckdb"],
        capture_output=True,
        text=True,
    )
    if "error while loading shared libraries" in r.stderr:
        sys.exit(f"{kpi} cannot start: {r.stderr.strip()} (set LD_LIBRARY_PATH, see the README)")
    return "kpi::duckdb::not_built" not in r.stderr


def compile_to(kpi, policy, what, out, extra=(), dialect="duckdb"):
    """`kpi compile --to WHAT` into `out`; False when this kpi cannot."""
    r = subprocess.run(
        [kpi, "compile", policy, "--to", what, "--dialect", dialect, "-o", out, *extra],
        capture_output=True,
        text=True,
    )
    return r.returncode == 0


def same_results(kpi_csv, duck_csv):
    """kpi's CSV (with the BOM of --output) against DuckDB's."""
    with open(kpi_csv, "rb") as a, open(duck_csv, "rb") as b:
        return a.read().removeprefix(b"\xef\xbb\xbf") == b.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", default="100,1000000", help="comma-separated sizes")
    ap.add_argument("--policies", default="s1,s3", help="s1, s3 or both")
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (best is kept)")
    ap.add_argument("--dir", default="/tmp/kpi-bench", help="where the generated data is kept")
    ap.add_argument("--engine", default="auto", help="kpi eval --engine (auto, batch, stream)")
    ap.add_argument(
        "--features", default="", help="cargo features of the binary: `duckdb` measures kpi eval --engine duckdb too"
    )
    ap.add_argument(
        "--spark", action="store_true", help="also run the compiled SQL in Spark (local mode; PyPI pyspark)"
    )
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    kpi, gen = build(args.features)
    duck = duckdb_available()
    engine = duckdb_engine(kpi, os.path.join(ROOT, POLICIES["s1"]))
    cpu = platform.processor() or platform.machine()
    print(
        f"kpi eval, CSV in and out, best of {args.runs}; {os.cpu_count()} cores ({cpu}); "
        f"DuckDB: {'yes' if duck else 'not installed (pip install duckdb)'}; "
        f"kpi eval --engine duckdb: {'yes' if engine else 'no (--features duckdb)'}"
    )
    print(f"{'policy':<7}{'rows':>10}  {'engine':<8}{'wall':>9}{'rows/s':>12}{'peak RSS':>10}  output")
    for which in args.policies.split(","):
        policy = os.path.join(ROOT, POLICIES[which])
        query = os.path.join(args.dir, f"{which}.sql")
        sql = duck and compile_to(kpi, policy, "sql", query)
        for rows in [int(r) for r in args.rows.split(",")]:
            data, ctx = generate(gen, which, rows, args.dir)
            out = os.path.join(args.dir, f"out_{which}_{rows}.csv")
            argv = [
                kpi, "eval", policy, "--data", data, "--context", ctx,
                "--format", "csv", "--output", out, "--engine", args.engine,
            ]
            best = min(run_measured(argv) for _ in range(args.runs))
            wall, rss = best
            print(
                f"{which:<7}{rows:>10}  {'kpi':<8}{wall:>8.3f}s{rows / wall:>12,.0f}"
                f"{human_bytes(rss):>10}  {digest(out)}"
            )
            if engine:
                # the compiled query in the DuckDB embedded in kpi, on the same files
                eout = os.path.join(args.dir, f"engine_{which}_{rows}.csv")
                eargv = argv[: argv.index("--output")] + ["--output", eout, "--engine", "duckdb"]
                ewall, erss = min(run_measured(eargv) for _ in range(args.runs))
                same = "same results" if digest(eout) == digest(out) else "DIFFERENT results"
                print(
                    f"{'':<7}{'':>10}  {'kpi+duck':<8}{ewall:>8.3f}s{rows / ewall:>12,.0f}"
                    f"{human_bytes(erss):>10}  {digest(eout)} ({same}; --engine duckdb/kpi wall {ewall / wall:.2f})"
                )
            if sql:
                # the same records with input ids and base units (the loader's columns)
                load = os.path.join(args.dir, f"{which}_{rows}.load.sql")
                ids = data.removesuffix(".csv") + ".ids.csv"
                ids_ctx = ctx.removesuffix(".csv") + ".ids.csv"
                compile_to(kpi, policy, "loader", load, ["--records-file", ids, "--context-file", ids_ctx])
                duck_out = os.path.join(args.dir, f"duck_{which}_{rows}.csv")
                runner = os.path.join(ROOT, "bench", "duckdb_eval.py")
                dargv = [sys.executable, runner, load, query, duck_out]
                dwall, drss = min(run_measured(dargv) for _ in range(args.runs))
                same = "same results" if same_results(out, duck_out) else "DIFFERENT results"
                print(
                    f"{'':<7}{'':>10}  {'duckdb':<8}{dwall:>8.3f}s{rows / dwall:>12,.0f}"
                    f"{human_bytes(drss):>10}  {digest(duck_out)} ({same}; DuckDB/kpi wall {dwall / wall:.2f})"
                )
            if args.spark:
                # once: a local Spark takes its JVM's memory whatever the size
                squery = os.path.join(args.dir, f"{which}.spark.sql")
                sload = os.path.join(args.dir, f"{which}_{rows}.spark-load.sql")
                ids = data.removesuffix(".csv") + ".ids.csv"
                ids_ctx = ctx.removesuffix(".csv") + ".ids.csv"
                ok = compile_to(kpi, policy, "sql", squery, dialect="spark") and compile_to(
                    kpi, policy, "loader", sload, ["--records-file", ids, "--context-file", ids_ctx], "spark"
                )
                if ok:
                    spark_out = os.path.join(args.dir, f"spark_{which}_{rows}.csv")
                    runner = os.path.join(ROOT, "bench", "spark_eval.py")
                    # (the JVM is not this process's child: its memory is not counted)
                    swall, _ = run_measured([sys.executable, runner, sload, squery, spark_out])
                    same = "same results" if same_results(out, spark_out) else "DIFFERENT results"
                    print(
                        f"{'':<7}{'':>10}  {'spark':<8}{swall:>8.3f}s{rows / swall:>12,.0f}"
                        f"{'(JVM)':>10}  {digest(spark_out)} ({same}; Spark/kpi wall {swall / wall:.2f})"
                    )


if __name__ == "__main__":
    main()

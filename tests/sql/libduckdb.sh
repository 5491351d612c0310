#!/usr/bin/env bash
# Makes DIR/libduckdb.so, to build `kpi` with `--features duckdb` against
# the DuckDB 1.5.6 that PyPI's duckdb wheel carries (tests/sql/requirements.txt)
# instead of compiling DuckDB (`--features duckdb-bundled`, ~40 min here):
#
#   bash tests/sql/libduckdb.sh DIR
#   DUCKDB_LIB_DIR=DIR LD_LIBRARY_PATH=DIR cargo test --features duckdb --test eval_duckdb
#
# The wheel's extension module `_duckdb` exports DuckDB's whole C API (the
# `duckdb_*` functions the duckdb crate calls). Copied, it gets the SONAME
# `libduckdb.so`, and, since its Python bindings (which kpi never calls)
# refer to libpython's symbols, libpython as a needed library found through
# its RUNPATH. Needs python3 with the pinned duckdb installed, a Python
# built with a shared libpython, and patchelf (Debian's package).
set -euo pipefail
dir="${1:?usage: libduckdb.sh DIR}"
want="1.5.6" # the C API of the duckdb crate in Cargo.toml (1.10506.x)
have="$(python3 -c 'import duckdb; print(duckdb.__version__)')"
if [ "$have" != "$want" ]; then
  echo "libduckdb.sh: python3 has duckdb $have, the duckdb crate needs $want (pip install -r tests/sql/requirements.txt)" >&2
  exit 1
fi
module="$(python3 -c 'import _duckdb; print(_duckdb.__file__)')"
libdir="$(python3 -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')"
libpython="$(python3 -c 'import sysconfig; print(sysconfig.get_config_var("INSTSONAME") if sysconfig.get_config_var("Py_ENABLE_SHARED") else "")')"
if [ -z "$libpython" ] || [ ! -e "$libdir/$libpython" ]; then
  echo "libduckdb.sh: this python3 has no shared libpython; build with --features duckdb-bundled instead" >&2
  exit 1
fi
command -v patchelf >/dev/null || {
  echo "libduckdb.sh: needs patchelf (apt-get install patchelf)" >&2
  exit 1
}
mkdir -p "$dir"
lib="$dir/libduckdb.so"
if [ -e "$lib" ] && [ "$lib" -nt "$module" ]; then
  exit 0
fi
cp "$module" "$lib.tmp"
# one change per call: patchelf 0.14 mixes them up when given several
patchelf --set-soname libduckdb.so "$lib.tmp"
patchelf --add-needed "$libpython" "$lib.tmp"
patchelf --set-rpath "$libdir" "$lib.tmp"
mv "$lib.tmp" "$lib"
echo "libduckdb.sh: $lib (DuckDB $have from $module)"

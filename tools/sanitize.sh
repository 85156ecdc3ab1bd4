#!/usr/bin/env bash
# Build chaingrad's C++ core with AddressSanitizer + UndefinedBehaviorSanitizer into its own
# build dir (build-asan/, never the editable build) and run the test suite against it.
#
#   tools/sanitize.sh                      # the whole suite (slow: run it with nice -n 19)
#   tools/sanitize.sh tests/test_threads.py -x   # pytest arguments pass through
#
# The instrumented module is staged with a copy of python/chaingrad in build-asan/pkg and
# imported through PYTHONPATH by a Python that has no editable chaingrad install (the system
# Python by default; PYTHON=... to choose). CPython itself is not instrumented, so libasan (and
# libstdc++) are preloaded and leak detection is off (the interpreter "leaks" at exit by design). Any ASan or
# UBSan report goes to build-asan/logs/ and fails the run.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/build-asan"
PY="${PYTHON:-python3}"
if "$PY" -c "import chaingrad" 2>/dev/null && [ -z "${PYTHONPATH:-}" ]; then
  echo "sanitize.sh: $PY already imports a chaingrad install; use a Python without one (PYTHON=...)" >&2
  exit 2
fi
LIBASAN="$(gcc -print-file-name=libasan.so)"
[ -f "$LIBASAN" ] || { echo "sanitize.sh: libasan not found (gcc with ASan needed)" >&2; exit 2; }
# libstdc++ must be loaded with libasan, or ASan's __cxa_throw interceptor finds no real
# function when the (C) interpreter later loads the module and the first C++ exception aborts.
LIBSTDCXX="$(gcc -print-file-name=libstdc++.so)"
FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -g -O1"

cmake -S "$ROOT" -B "$OUT/cmake" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$FLAGS" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DPython_EXECUTABLE="$(command -v "$PY")" -Dpybind11_DIR="$("$PY" -m pybind11 --cmakedir)" >/dev/null
cmake --build "$OUT/cmake" --target _core

rm -rf "$OUT/pkg" "$OUT/logs"
mkdir -p "$OUT/pkg" "$OUT/logs"
cp -r "$ROOT/python/chaingrad" "$OUT/pkg/chaingrad"
find "$OUT/pkg/chaingrad" -name '_core*.so' -delete
cp "$OUT"/cmake/_core*.so "$OUT/pkg/chaingrad/"

cd "$ROOT"
export PYTHONPATH="$OUT/pkg"
export LD_PRELOAD="$LIBASAN $LIBSTDCXX"
export ASAN_OPTIONS="detect_leaks=0:log_path=$OUT/logs/asan:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$OUT/logs/ubsan:halt_on_error=1"
export PYTHONDONTWRITEBYTECODE=1
"$PY" -c "import chaingrad, chaingrad._core as c; assert c.__file__.startswith('$OUT'), c.__file__; print('sanitized core:', c.__file__)"
status=0
# The staged package has no installed distribution metadata, so the console-script check cannot
# pass here (it is not about the core).
"$PY" -m pytest -q -p no:cacheprovider \
  --deselect "tests/test_cli.py::test_console_script_declared[cpp]" \
  --deselect "tests/test_cli.py::test_console_script_declared[python]" "${@:-tests}" || status=$?
if compgen -G "$OUT/logs/*" >/dev/null; then
  echo "sanitize.sh: sanitizer reports:" >&2
  cat "$OUT"/logs/* >&2
  status=1
else
  echo "sanitize.sh: no ASan/UBSan reports"
fi
exit $status

# Shared set-up of the shell tests that count their checks (sourced; not a test itself).
# Expects build (the build dir); sets bin (the program), t (a temporary folder, removed on
# exit), the counters pass and fail, ok (one check passed) and bad MESSAGE (one failed).
bin="$build/alloyscout"
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail=0; pass=0
ok()  { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }

#!/bin/sh
# The library's layers (vault/README.md, scripts/layers): what each module
# of vault/ includes and what its object calls go to its own layer or one
# below, never above, and form no cycle.  Then the checker itself, on
# copies with one wrong edge planted each: it must find each.
. "$(dirname "$0")/lib.sh"

top=$(cd "$TESTS_DIR/../.." && pwd)
layers=$top/scripts/layers
# the objects of the qvault under test: BUILD/qvault or BUILD/tools/qvault-wrapped
objdir=$(dirname "$QVAULT")/vault
[ -d "$objdir" ] || objdir=$(dirname "$(dirname "$QVAULT")")/vault
if [ ! -f "$objdir/store.o" ] || ! command -v nm > /dev/null || ! command -v cc > /dev/null; then
	_skip "no objects of the library beside $QVAULT (or no nm, cc): nothing to check"
	done_testing
	exit 0
fi

# layers_fail PATTERN OBJDIR SRCDIR: the checker exits 1 naming PATTERN
layers_fail() {
	"$layers" "$2" "$3" > out 2>&1
	rc=$?
	[ $rc = 1 ] && grep -Eq -- "$1" out || { echo "exit $rc"; head -5 out; return 1; }
}

# layers_ok OBJDIR SRCDIR: the checker exits 0 and says ok, last
layers_ok() {
	"$layers" "$1" "$2" > out 2>&1 && [ "$(tail -n 1 out)" = ok ] || { head -5 out; return 1; }
}

check "includes and calls of vault/ form the layers, without a cycle" layers_ok "$objdir" "$top/vault"

# The CLI is a front end like any other: it sees the library through
# vault.h alone, and calls none of its internal functions (vault_X__name,
# vault__name), so that what vault.h promises is all any front end needs.
cli_private_includes() {
	grep -n '#include "\.\./vault/' "$top"/cli/*.c "$top"/cli/*.h | grep -v '"\.\./vault/vault\.h"' > inc
	[ ! -s inc ] || { cat inc >&2; return 1; }
}
check "cli/ includes nothing of the library but vault.h" cli_private_includes
cli_private_calls() {
	clidir=$(dirname "$objdir")/cli
	[ -f "$clidir/main.o" ] || { echo "no $clidir/main.o" >&2; return 1; }
	for o in "$clidir"/*.o; do nm -u "$o" | sed -n "s|.* \(vault_\{0,1\}[a-z0-9_]*__[a-z0-9_]*\)\$|$o: \1|p"; done > calls
	[ ! -s calls ] || { head -5 calls >&2; return 1; }
}
check "cli/ calls no internal function of the library" cli_private_calls

# planted in copies of the sources
cp -r "$top/vault" src
printf '#include "verify.h"\n' >> src/store.c
check "an include of a layer above is found" \
	layers_fail 'includes: store \(storage\) uses verify \(history\), a layer above' "$objdir" src
rm -r src && cp -r "$top/vault" src
printf '#include "txn.h"\n' >> src/index.h
check "an include cycle is found" layers_fail 'includes: a cycle: .*index.*txn' "$objdir" src
rm -r src && cp -r "$top/vault" src
printf '/* a new module */\n' > src/newthing.c
check "a module in no layer is found" layers_fail "module 'newthing' is in no layer" "$objdir" src

# planted in copies of the objects
cp -r "$objdir" objs
printf 'int vault_verify__commit(void);\nint vault_store__planted(void);\nint vault_store__planted(void) { return vault_verify__commit(); }\n' > up.c
cc -c -o objs/store.o up.c
check "a call to a layer above is found" \
	layers_fail 'symbols: store \(storage\) uses verify \(history\), a layer above: vault_verify__commit' \
	objs "$top/vault"
rm -r objs && cp -r "$objdir" objs
printf 'int vault__planted_u(void);\nint vault__planted_e(void);\nint vault__planted_u(void) { return vault__planted_e(); }\n' > u.c
printf 'int vault__planted_u(void);\nint vault__planted_e(void);\nint vault__planted_e(void) { return vault__planted_u(); }\n' > e.c
cc -c -o objs/util.o u.c && cc -c -o objs/error.o e.c
check "a call cycle within a layer is found" layers_fail 'symbols: a cycle: error -> util' objs "$top/vault"

done_testing

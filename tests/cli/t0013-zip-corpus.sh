#!/bin/sh
# Every archive of the shared zip corpus (libzip's regression fixtures and
# the zip-slip samples) through `fai add`: accepted or refused with one
# line, never a crash or a leak (ASan aborts), the vault unchanged when
# refused, and nothing written outside the vault.
. "$(dirname "$0")/lib.sh"
# The corpus is not part of this repository (DESIGN.md: ../shared/corpus):
# without it, the test says it skipped, which tests/run does not count
# as passed.
if [ ! -d "${QVAULT_CORPUS:-}/zip" ]; then
	_skip "no zip corpus at ${QVAULT_CORPUS:-\$QVAULT_CORPUS}/zip (set QVAULT_CORPUS to ../shared/corpus)"
	done_testing
	exit 0
fi

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
find "$QVAULT_CORPUS/zip" -name '*.zip' | LC_ALL=C sort > list.txt
[ -s list.txt ] || { _fail "the corpus is at $QVAULT_CORPUS/zip" "no archives found"; done_testing; exit 0; }
evil_before=$(ls /tmp/evil.txt 2>/dev/null)
ls -A | grep -v '^files\.' > files.before
accepted=0 refused=0
while read -r z; do
	name=${z#"$QVAULT_CORPUS"/zip/}
	before=$(snapshot)
	q --key sam.pem fai add "$z" > out.txt 2> err.txt
	rc=$?
	lines=$(grep -c . err.txt)
	if [ $rc -eq 0 ]; then
		accepted=$((accepted + 1))
		_pass "$name: accepted"
	elif [ $rc -ne 1 ]; then
		_fail "$name" "exit $rc (a crash?)" "$(head -5 err.txt)"
	elif [ "$lines" -ne 1 ]; then
		_fail "$name" "expected one line on stderr, got $lines" "$(head -5 err.txt)"
	elif [ "$before" != "$(snapshot)" ]; then
		_fail "$name" "refused, but the vault changed"
	else
		refused=$((refused + 1))
		_pass "$name: refused: $(sed "s|$QVAULT_CORPUS/zip/||" err.txt)"
	fi
done < list.txt
ls -A | grep -v '^files\.\|^out.txt$\|^err.txt$' > files.after
grep -v '^out.txt$\|^err.txt$' files.before | diff - files.after > /dev/null
check "nothing was written beside the vault" [ $? -eq 0 ]
check "nor where the zip-slip samples aim (/tmp/evil.txt)" [ "$(ls /tmp/evil.txt 2>/dev/null)" = "$evil_before" ]
check "verify passes after the corpus ($accepted accepted, $refused refused)" sh -c 'q verify > /dev/null'
done_testing

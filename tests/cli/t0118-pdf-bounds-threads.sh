#!/bin/sh
# The PDF check's bounds hold in a process of several threads (issue 20).
# `verify` (and so `pull`) checks signatures and rebuilds the index on
# threads of its own, and `import` reads files ahead on one; a child
# forked from such a process may wait forever on a lock another thread
# held, so there the check ran in the process itself, unbounded: a PDF
# of one array of 10 million integers took verify 2.8 GB.  Now the
# check runs there in qvault started afresh (posix_spawn, the hidden
# argument --internal-pdf-check), with the same limits as add's forked
# child: 512 MiB of memory of its own, 60 s of CPU, 10 minutes of clock.
# - import (its reader thread) refuses a compression bomb, a PDF of
#   10,000 pages and one too large to open, each in one line, the vault
#   unchanged;
# - the same PDFs forged into history (a supplier's signed commit made
#   with stock git, as a qvault that did not open PDFs wrote it) are
#   findings of verify naming the file and the limit, verify's memory
#   under 1 GiB; a pull from the forger is refused whole.
. "$(dirname "$0")/lib.sh"

MKPDF="python3 $TESTS_DIR/../mkpdf.py"
$MKPDF honest honest.pdf
$MKPDF bomb bomb.pdf 1073741824
$MKPDF pages pages.pdf 10000
$MKPDF lying-pages lying.pdf 10000
$MKPDF big-array big-array.pdf 10000000

vault_v

# ---- import: the check from a process of two threads ----------------------------
mkdir -p files
cp honest.pdf bomb.pdf pages.pdf lying.pdf big-array.pdf files/
# imports CASE FILE: a manifest of an honest drawing, then FILE
imports() {
	printf '[{"file": "files/honest.pdf", "doc": "DWG-OK-%s", "type": "drawing"},\n {"file": "files/%s", "doc": "DWG-%s", "type": "drawing"}]\n' \
		"$1" "$2" "$1" > "$1.json"
}
imports bomb bomb.pdf
fails 1 "^qvault: entry 2: 'files/bomb\.pdf' has a stream \(object [0-9]+\) that inflates past 268435456 bytes, a compression bomb \(vault\.json pdf max_inflate\)$" \
	"import refuses a compression bomb in one line, nothing imported" q import bomb.json
imports pages pages.pdf
fails 1 "^qvault: entry 2: 'files/pages\.pdf' has 10000 pages, more than the limit of 5000 \(vault\.json pdf max_pages\)$" \
	"  a PDF that declares 10,000 pages" q import pages.json
imports lying lying.pdf
fails 1 "^qvault: entry 2: 'files/lying\.pdf' has more than 5000 pages, the limit \(vault\.json pdf max_pages\)$" \
	"  a PDF of 10,000 pages that declares one" q import lying.json
imports big big-array.pdf
fails 1 "^qvault: entry 2: 'files/big-array\.pdf' takes more than 512 MiB of memory to open \(an object too large\), the limit$" \
	"  a PDF too large to open, killed past 512 MiB" q import big.json
if [ -x /usr/bin/time ]; then
	check "  import's peak memory (its and its children's) stays under 1 GiB" sh -c "
		! /usr/bin/time -f %M -o import.rss q import big.json 2> /dev/null &&
		test \"\$(tail -n 1 import.rss)\" -lt 1048576"
else
	_skip "peak memory: /usr/bin/time (Debian's time) not installed"
fi
printf '[{"file": "files/honest.pdf", "doc": "DWG-OK", "type": "drawing"}]\n' > ok.json
ok "an honest manifest imports" q import ok.json
ok "verify passes" q verify

# ---- verify and pull: the same PDFs forged into history --------------------------
ssh-keygen -q -t ed25519 -N '' -C bb -f bb
q --key "$TMP/admin.pem" user add bb --org owner --role buyer --pubkey "$TMP/bb.pub" > /dev/null
GIT_AUTHOR_NAME=bb GIT_AUTHOR_EMAIL=bb@owner GIT_COMMITTER_NAME=bb GIT_COMMITTER_EMAIL=bb@owner
export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
# smuggle NAME FILE: a copy of v whose last commit adds FILE as drawing
# DWG-NAME@A, signed by bb, its record as qvault writes one (no findings)
smuggle() {
	rm -rf "$1" && cp -a v "$1"
	when=$(date +%s)
	python3 - "$2" "$when" "DWG-$1" > "$1-record.json" <<'PY'
import hashlib, json, os, sys, time
data = open(sys.argv[1], 'rb').read()
at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(sys.argv[2])))
json.dump({"added_at": at, "added_by": "bb", "doc": sys.argv[3],
           "files": [{"mime": "application/pdf", "name": os.path.basename(sys.argv[1]),
                      "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}],
           "format": 1, "org": "owner", "parts": [], "record": "revision", "rev": "A",
           "seq": 1, "type": "drawing"}, sys.stdout, indent=2, sort_keys=True)
PY
	d=docs/$(dir_of "DWG-$1")/DWG-$1/A
	GIT_AUTHOR_DATE="$when +0000" GIT_COMMITTER_DATE="$when +0000" forge "$1" bb \
		"$(printf 'add DWG-%s@A\n\nQvault-Op: add\nQvault-Doc: DWG-%s\nQvault-Rev: A' "$1" "$1")" \
		"$d/record.json=$1-record.json" "$d/files/$2=$2"
	q -C "$1" reindex > /dev/null
}
smuggle ok honest.pdf
ok "an honest PDF forged in the same way verifies (the forgery is faithful)" q -C ok verify
smuggle f1 bomb.pdf
check "a compression bomb forged in is verify's finding, naming the limit" \
	culprit f1 "DWG-f1/A/files/bomb\.pdf: 'bomb\.pdf' has a stream \(object [0-9]+\) that inflates past 268435456 bytes, a compression bomb"
smuggle f2 pages.pdf
check "  a PDF of 10,000 pages" \
	culprit f2 "DWG-f2/A/files/pages\.pdf: 'pages\.pdf' has 10000 pages, more than the limit of 5000"
smuggle f3 lying.pdf
check "  a PDF of 10,000 pages that declares one" \
	culprit f3 "DWG-f3/A/files/lying\.pdf: 'lying\.pdf' has more than 5000 pages, the limit"
smuggle f4 big-array.pdf
check "  a PDF too large to open: the checker is killed past 512 MiB" \
	culprit f4 "DWG-f4/A/files/big-array\.pdf: 'big-array\.pdf' takes more than 512 MiB of memory to open \(an object too large\), the limit"
check "  each finding one line" sh -c "test \"\$(grep -c 'big-array' '$TMP/v.out')\" = 1"
if [ -x /usr/bin/time ]; then
	check "  verify's peak memory (its and its children's) stays under 1 GiB" sh -c "
		! /usr/bin/time -f %M -o verify.rss q -C f4 verify > /dev/null 2>&1 &&
		test \"\$(tail -n 1 verify.rss)\" -lt 1048576"
else
	_skip "peak memory: /usr/bin/time (Debian's time) not installed"
fi
pulls_refused v "the history of '.*' does not verify: .*'bomb\.pdf' has a stream \(object [0-9]+\) that inflates past" f1
pulls_refused v "the history of '.*' does not verify: .*'big-array\.pdf' takes more than 512 MiB of memory to open" f4

# ---- the hidden argument ---------------------------------------------------------
ok "qvault --internal-pdf-check with other arguments does nothing (exit 2, no output)" sh -c '
	q --internal-pdf-check drawing > out.bin 2> err.txt < honest.pdf; test $? = 2 && ! test -s out.bin'
done_testing

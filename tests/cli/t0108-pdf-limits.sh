#!/bin/sh
# The PDF check's limits beyond its bomb budget, old vaults, and
# vault.json across sites (issue 20).
# - qpdf parses an object whole when it is first reached (and an object
#   stream whole first), so the check runs in a child process that is
#   killed past 512 MiB of memory of its own or 30 seconds; the file is
#   refused.  Measured without it: 10 million integers in one array took
#   2.8 GB, in an object stream (a file of 20 KB) 2.6 GB; a dictionary of
#   2 million keys 1.4 GB; an object stream of 500 MB of spaces 1 GB; an
#   array of 2 million empty arrays (4 MB) 900 MB.
# - A vault whose vault.json has no pdf policy (made before PDFs were
#   opened) works: new PDFs are held to the built-in policy, a PDF
#   uploaded then (its record without findings) still verifies, also
#   after a policy is added.
# - vault.json changed at one site is taken by a pull as that site made
#   it; changed at both to other bytes, the pull is refused whole.
. "$(dirname "$0")/lib.sh"

MKPDF="python3 $TESTS_DIR/../mkpdf.py"
$MKPDF honest honest.pdf
$MKPDF launch launch.pdf
$MKPDF js js.pdf
$MKPDF big-array big-array.pdf 10000000
$MKPDF big-dict big-dict.pdf 2000000
$MKPDF os-array os-array.pdf 10000000
$MKPDF os-pad os-pad.pdf 500000000
$MKPDF arrays arrays.pdf 2000000

vault_v

for k in big-array big-dict os-array os-pad arrays; do
	fails 1 "^qvault: '$k\.pdf' takes more than 512 MiB of memory to open \(an object too large\), the limit$" \
		"$k.pdf is refused past 512 MiB" q add "$k.pdf" --doc "DWG-$k" --type drawing
done
if [ -x /usr/bin/time ]; then
	for k in big-array os-array; do
		# the peak resident set of the command and its children, in KiB
		check "  $k.pdf: the command's peak memory stays under 1 GiB" sh -c "
			! /usr/bin/time -f %M -o $k.rss q add $k.pdf --doc DWG-X --type drawing 2> /dev/null &&
			test \"\$(tail -n 1 $k.rss)\" -lt 1048576"
	done
else
	_skip "peak memory: /usr/bin/time (Debian's time) not installed"
fi

# what the child finds comes back whole: a refusal, a finding, a pass
fails 1 "^qvault: 'launch\.pdf' has a /Launch action \(object [0-9]+\), which a drawing may not hold$" \
	"a refusal made in the child is the command's" q add launch.pdf --doc DWG-L --type drawing
ok "an honest PDF is a drawing" q add honest.pdf --doc DWG-OK --type drawing
ok "a PDF with JavaScript is accepted" q add js.pdf --doc DWG-JS --type drawing
check "  its finding recorded" sh -c 'q show DWG-JS@A | grep -Eq "^ +finding: holds JavaScript \(object [0-9]+\)$"'
ok "verify passes" q verify

# ---- an old vault: vault.json without a pdf policy -------------------------
# its admin and a buyer hold ssh-keygen keys, so stock git signs as they do
for k in adm bb; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q init old --key "$TMP/adm" > /dev/null
# the init commit made again as one made before PDFs were opened: its
# vault.json without "pdf", signed by the admin, the vault's root moved
git -C old show main:vault.json | python3 -c '
import json, sys
d = json.load(sys.stdin)
del d["pdf"]
json.dump(d, sys.stdout, indent=2)' > nopdf.json
as_user() { GIT_AUTHOR_NAME=$1 GIT_AUTHOR_EMAIL=$1@owner GIT_COMMITTER_NAME=$1 GIT_COMMITTER_EMAIL=$1@owner; export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL; }
as_user admin
GIT_DIR=old GIT_INDEX_FILE=$TMP/old.index git read-tree main
GIT_DIR=old GIT_INDEX_FILE=$TMP/old.index git update-index --cacheinfo \
	"100644,$(GIT_DIR=old git hash-object -w nopdf.json),vault.json"
when=$(git -C old log -1 --format=%cd --date=raw main)
root=$(GIT_COMMITTER_DATE=$when GIT_AUTHOR_DATE=$when git -C old -c gpg.format=ssh -c user.signingkey="$TMP/adm" commit-tree -S \
	"$(GIT_DIR=old GIT_INDEX_FILE=$TMP/old.index git write-tree)" -m "$(git -C old log -1 --format=%B main)")
git -C old update-ref refs/heads/main "$root"
git -C old config qvault.root "$root"
q -C old reindex > /dev/null
V=old
export QVAULT_DIR=old
q --key "$TMP/adm" user add tester --org owner --role buyer,quality --pubkey "$TMP/tester.pub" > /dev/null
q --key "$TMP/adm" user add bb --org owner --role buyer --pubkey "$TMP/bb.pub" > /dev/null
ok "a vault whose vault.json has no pdf policy verifies" q verify
check "  it has none" sh -c '! git -C old show main:vault.json | grep -q "\"pdf\""'
# an upload made then: a /Launch PDF whose record holds no findings, as
# a qvault that did not open PDFs wrote it (made with stock git)
when=$(date +%s)
python3 - launch.pdf "$when" > old-record.json <<'PY'
import hashlib, json, sys, time
data = open(sys.argv[1], 'rb').read()
at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(sys.argv[2])))
json.dump({"added_at": at, "added_by": "bb", "doc": "DWG-OLD",
           "files": [{"mime": "application/pdf", "name": "launch.pdf",
                      "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}],
           "format": 1, "org": "owner", "parts": [], "record": "revision", "rev": "A",
           "seq": 1, "type": "drawing"}, sys.stdout, indent=2, sort_keys=True)
PY
as_user bb
d=docs/$(dir_of DWG-OLD)/DWG-OLD/A
GIT_AUTHOR_DATE="$when +0000" GIT_COMMITTER_DATE="$when +0000" forge old bb "$(printf 'add DWG-OLD@A\n\nQvault-Op: add\nQvault-Doc: DWG-OLD\nQvault-Rev: A')" \
	"$d/record.json=old-record.json" "$d/files/launch.pdf=launch.pdf"
q reindex > /dev/null
ok "a PDF uploaded before PDFs were opened (a /Launch, no findings) still verifies" q verify
check "  and shows" sh -c 'q show DWG-OLD@A | grep -q launch.pdf'
ok "a new PDF is held to the built-in policy: an honest one is accepted" \
	q add honest.pdf --doc DWG-NEW --type drawing
fails 1 "^qvault: 'launch\.pdf' has a /Launch action \(object [0-9]+\), which a drawing may not hold$" \
	"  a /Launch action refused" q add launch.pdf --doc DWG-L --type drawing
ok "  JavaScript recorded" sh -c 'q add js.pdf --doc DWG-JS --type drawing > /dev/null &&
	q show DWG-JS@A | grep -q "finding: holds JavaScript"'
ok "types allow works in it" q --key "$TMP/adm" types allow drawing image/x-old
check "  and adds no pdf policy" sh -c '! git -C old show main:vault.json | grep -q "\"pdf\""'
# a policy added later (by the admin, with stock git) condemns no upload made before
git -C old show main:vault.json | python3 -c '
import json, subprocess, sys
d = json.load(sys.stdin)
p = json.loads(subprocess.run(["git", "-C", "v", "show", "main:vault.json"],
                              capture_output=True, check=True).stdout)["pdf"]
p["max_pages"] = 100
d["pdf"] = p
json.dump(d, sys.stdout, indent=2)' > withpdf.json
as_user admin
forge old adm "$(printf 'types: a pdf policy\n\nQvault-Op: types')" vault.json=withpdf.json
q reindex > /dev/null
ok "a pdf policy added later: verify passes, the uploads before it unjudged by it" q verify
$MKPDF pages pages.pdf 200
fails 1 "^qvault: 'pages\.pdf' has 200 pages, more than the limit of 100 \(vault.json pdf max_pages\)$" \
	"  a new PDF is held to it" q add pages.pdf --doc DWG-P --type drawing

# ---- vault.json at two sites --------------------------------------------------
git init -q --bare hub.git
q remote add hub "file://$TMP/hub.git" > /dev/null
q push hub > /dev/null
q clone "file://$TMP/hub.git" b > /dev/null
make_pdf b1.pdf "site B 1"
q --key "$TMP/adm" types allow drawing image/x-a > /dev/null
q -C b add b1.pdf --doc B-1 --type other > /dev/null
q -C b push > /dev/null
ok "vault.json changed at one site: the pull merges" q pull hub
check "  keeping that site's vault.json as it made it" sh -c '
	git -C old show main:vault.json | grep -q image/x-a &&
	test "$(git -C old rev-parse main:vault.json)" = "$(git -C old rev-parse main^1:vault.json)"'
ok "  verify passes" q verify
q push hub > /dev/null
ok "  the other site takes it (fast-forward)" sh -c 'q -C b pull > /dev/null &&
	q -C b types list | grep "^drawing" | grep -q image/x-a'

q --key "$TMP/adm" types allow drawing image/x-a2 > /dev/null
git -C b show main:vault.json | python3 -c '
import json, sys
d = json.load(sys.stdin)
d["pdf"]["max_pages"] = 50
json.dump(d, sys.stdout, indent=2)' > b-policy.json
forge b adm "$(printf 'types: pdf max_pages 50\n\nQvault-Op: types')" vault.json=b-policy.json
q -C b reindex > /dev/null
q -C b push > /dev/null
fails 1 "^qvault: both sites changed vault\.json \(the types allowed, the pdf policy\) since they parted; nothing was merged: undo the change at one site, pull, and make it again$" \
	"an allowlist changed at one site, the pdf policy at the other: the pull is refused" q pull hub
q --key "$TMP/adm" types deny drawing image/x-a2 > /dev/null
ok "  undone at one site, the pull merges" q pull hub
check "  the other site's policy taken" sh -c '
	git -C old show main:vault.json | python3 -c "import json, sys; assert json.load(sys.stdin)[\"pdf\"][\"max_pages\"] == 50"'
ok "  verify passes" q verify
q push hub > /dev/null
q -C b pull > /dev/null
q --key "$TMP/adm" types allow spec image/x-same > /dev/null
q -C b --key "$TMP/adm" types allow spec image/x-same > /dev/null
q -C b push > /dev/null
ok "the same change made at both sites (the same bytes) merges" q pull hub
ok "  verify passes" q verify

done_testing

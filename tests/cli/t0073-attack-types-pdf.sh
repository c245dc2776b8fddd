#!/bin/sh
# Attacks on issue 20's new inputs: `qvault types` (vault.json's
# allowlists), vault.json's pdf policy, PDF uploads held to it, and
# `qvault pending`, by a hostile supplier with an account, an outsider
# with a replica (a clone of the bare repository), and a peer site
# forging history with stock git and ssh-keygen.  Every refusal: its exit
# code, one line matching its reason, the vault byte for byte unchanged;
# every forgery: verify (and a pull from the forger) names its reason,
# and a forgery made faithfully passes, so each finding is for its own.
. "$(dirname "$0")/lib.sh"

MKPDF="python3 $TESTS_DIR/../mkpdf.py"
for k in honest js launch exe damaged png-launch; do $MKPDF "$k" "$k.pdf"; done
qpdf --encrypt user owner 256 -- honest.pdf enc.pdf
printf 'solid s\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n   vertex 1 0 0\n   vertex 0 1 0\n  endloop\n endfacet\nendsolid s\n' > mesh.stl

vault_v sam:acme bob:beta
# keys ssh-keygen made, which qvault reads too (PEM): an admin and a
# supplier of acme, to forge with stock git as they sign
for k in ada sid; do ssh-keygen -q -t ecdsa -b 256 -m PEM -N '' -C $k -f $k; done
q --key admin.pem user add ada --org owner --role admin --pubkey ada.pub > /dev/null
q --key admin.pem user add sid --org acme --role supplier --pubkey sid.pub > /dev/null
q --key sam.pem add honest.pdf --doc COC-0 --type coc > /dev/null
ok "verify passes on the honest vault" q verify
# org_of NAME: the organization of user NAME
org_of() { case $1 in sid) echo acme ;; out) echo outside ;; *) echo owner ;; esac; }
# commit_as VAULT KEY TREE PARENT MSGFILE: a commit of TREE on PARENT signed
# with ssh-keygen key KEY (an ECDSA key: signed again until its s is the
# low one of its two, as qvault wants it), the author and dates from the
# environment; its id on stdout
commit_as() {
	for try in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		ca=$(git -C "$1" -c gpg.format=ssh -c user.signingkey="$TMP/$2" commit-tree -S "$3" -p "$4" -F "$5") || return
		git -C "$1" cat-file commit "$ca" | sed -n '/^gpgsig /,/END SSH SIGNATURE/p' |
			sed 's/^gpgsig //; s/^ //' > "$TMP/ca.sig"
		[ "$(ecdsa_s "$TMP/ca.sig")" = low ] && break
	done
	echo "$ca"
}
# forged VAULT KEY MESSAGE PATH=FILE...: a commit signed with ssh-keygen key
# KEY, authored by that user as qvault writes a commit, now, on VAULT's main
forged() {
	fv=$1 fk=$2 fm=$3; shift 3
	GIT_DIR=$fv GIT_INDEX_FILE=$TMP/f.index git read-tree main
	for spec in "$@"; do
		b=$(GIT_DIR=$fv git hash-object -w "${spec#*=}")
		GIT_DIR=$fv GIT_INDEX_FILE=$TMP/f.index git update-index --add --cacheinfo "100644,$b,${spec%%=*}"
	done
	tree=$(GIT_DIR=$fv GIT_INDEX_FILE=$TMP/f.index git write-tree)
	rm -f "$TMP/f.index"
	printf '%s\n' "$fm" > "$TMP/f.msg"
	now=$(date -u +%s)
	c=$(GIT_AUTHOR_NAME=$fk GIT_AUTHOR_EMAIL=$fk@$(org_of $fk) GIT_COMMITTER_NAME=$fk \
		GIT_COMMITTER_EMAIL=$fk@$(org_of $fk) GIT_AUTHOR_DATE="@$now +0000" GIT_COMMITTER_DATE="@$now +0000" \
		commit_as "$fv" "$fk" "$tree" main "$TMP/f.msg")
	git -C "$fv" update-ref refs/heads/main "$c"
}
# policy VAULT KEY JQ: vault.json changed by the jq program JQ, forged by KEY
policy() {
	git -C "$1" show main:vault.json | jq -S --indent 2 "$3" > vj.json
	forged "$1" "$2" "types allow coc application/pdf

Qvault-Op: types" vault.json=vj.json
}
# replay VAULT KEY BASE [PATH=FILE...]: VAULT's last commit made again on
# commit BASE with stock git, signed by ssh-keygen key KEY (its author's):
# the same message, author and dates, its tree but for BASE's vault.json
# (and each PATH=FILE); VAULT's main is then that commit, its index rebuilt
replay() {
	rv=$1 rk=$2 rb=$3; shift 3
	rc=$(git -C "$rv" rev-parse main)
	git -C "$rv" show "$rb:vault.json" > r.json
	GIT_DIR=$rv GIT_INDEX_FILE=$TMP/r.index git read-tree "$rc"
	for spec in vault.json=r.json "$@"; do
		b=$(GIT_DIR=$rv git hash-object -w "${spec#*=}")
		GIT_DIR=$rv GIT_INDEX_FILE=$TMP/r.index git update-index --add --cacheinfo "100644,$b,${spec%%=*}"
	done
	tree=$(GIT_DIR=$rv GIT_INDEX_FILE=$TMP/r.index git write-tree)
	rm -f "$TMP/r.index"
	git -C "$rv" log -1 --format=%B "$rc" > "$TMP/r.msg"
	c=$(GIT_AUTHOR_NAME=$(git -C "$rv" log -1 --format=%an "$rc") \
		GIT_AUTHOR_EMAIL=$(git -C "$rv" log -1 --format=%ae "$rc") \
		GIT_AUTHOR_DATE=$(git -C "$rv" log -1 --format=%ad --date=raw "$rc") \
		GIT_COMMITTER_NAME=$(git -C "$rv" log -1 --format=%cn "$rc") \
		GIT_COMMITTER_EMAIL=$(git -C "$rv" log -1 --format=%ce "$rc") \
		GIT_COMMITTER_DATE=$(git -C "$rv" log -1 --format=%cd --date=raw "$rc") \
		commit_as "$rv" "$rk" "$tree" "$rb" "$TMP/r.msg")
	git -C "$rv" update-ref refs/heads/main "$c"
	rm -f "$rv/qvault/index.db"
	q -C "$rv" reindex > /dev/null
}
# smuggled NAME FILE TYPE [JQ]: vault NAME, a copy of v where FILE was added
# as a TYPE by sid through qvault while a pdf policy the admin forged
# (JQ: the change to vault.json) accepted it, and then the policy taken
# out of its history: the upload replayed on v's main
smuggled() {
	sv=$1 sf=$2 st=$3 sj=${4:-".pdf.types[\"$3\"] |= with_entries(.value = \"accept\")"}
	rm -rf "$sv" && cp -a v "$sv"
	base=$(git -C "$sv" rev-parse main)
	policy "$sv" ada "$sj"
	q -C "$sv" --key sid add "$sf" --doc "DOC-$sv" --type "$st" > /dev/null || return 1
	replay "$sv" sid "$base"
}
recpath() { git -C "$1" ls-tree -r --name-only main | grep "/$2/A/record.json$"; }
# named VAULT PATTERN: verify's finding matching PATTERN names VAULT's last commit
named() {
	culprit "$1" "$2" && grep -E -- "$2" "$TMP/v.out" | grep -q "$(git -C "$1" rev-parse --short=12 main)"
}

# ---- types: hostile arguments ------------------------------------------------------
NL='
'
fails 1 "^qvault: 'application/pdf\?x' is not a MIME type" \
	"a MIME type with a newline is refused in one line" \
	q --key admin.pem types allow coc "application/pdf${NL}x"
fails 1 "^qvault: 'text/plain\?' is not a MIME type" \
	"  and one ending in a newline" q --key admin.pem types deny coc "text/plain$NL"
fails 2 "^qvault: types allow: TYPE 'coc\?x' is not one of drawing" \
	"a type with a newline is a usage error in one line" \
	q --key admin.pem types allow "coc${NL}x" image/png
fails 2 "^qvault: unknown command 'types allow\?coc'" \
	"a types subcommand with a newline is an unknown command, in one line" \
	q --key admin.pem types "allow${NL}coc" image/png
fails 2 "^qvault: unknown option '--json\?x'" "an unknown option with a newline, in one line" \
	q "--json${NL}x" types list
fails 1 "^qvault: '\*/\*' is not a MIME type" "'*/*' is no MIME type an allowlist holds" \
	q --key admin.pem types allow coc '*/*'
fails 1 "^qvault: 'image/\*' is not a MIME type" "  nor is 'image/*'" \
	q --key admin.pem types allow drawing 'image/*'
LONG=$(printf 'a%.0s' $(seq 1 5000))
fails 1 "^qvault: 'image/a+' is not a MIME type" "a MIME type of 5000 characters, its name cut" \
	q --key admin.pem types allow coc "image/$LONG"
fails 2 "^qvault: types allow: TYPE 'a+\.\.\. \(see 'qvault types allow --help'\)$" "a type of 5000 characters, the line cut" \
	q --key admin.pem types allow "$LONG" image/png
fails 1 "user 'sam' may not change what document types accept \(needs role admin\)" \
	"a supplier may not allow an executable as a CoC" \
	q --key sam.pem types allow coc application/x-executable
fails 1 "user 'sam' may not change what document types accept" \
	"  nor deny what another organization uploads" q --key sam.pem types deny coc application/pdf
fails 2 "qvault shell: 'types( deny)?' is not a command qvault shell runs" \
	"  nor through qvault shell" \
	sh -c 'SSH_ORIGINAL_COMMAND="qvault types deny coc application/pdf" q shell --user sam'

# denying what records already use: they stay good, new ones are refused
ok "an admin denies application/pdf for a coc, which COC-0 is" \
	q --key admin.pem types deny coc application/pdf
ok "  verify: COC-0, added while allowed, stays good" q verify
fails 1 "file 'honest\.pdf' is application/pdf, which a coc does not accept" \
	"  a new PDF CoC is refused" q --key sam.pem add honest.pdf --doc COC-1 --type coc
ok "  allowed again" q --key admin.pem types allow coc application/pdf

# ---- vault.json forged: the allowlists and the pdf policy ---------------------------
# each by the admin ada (so that only the shape is wrong) unless said
cfg() {
	rm -rf "$1" && cp -a v "$1" && policy "$1" "$2" "$3"
}
cfg c0 ada '.allow.coc += ["model/stl"] | .pdf.types.coc.javascript = "refuse"'
ok "an admin's well-formed change of vault.json, forged faithfully, passes" q -C c0 verify
cfg c1 ada '.allow.coc += ["*/*"]'
check "an allowlist holding '*/*' is found, naming the commit" \
	named c1 "vault.json: the allowlist of 'coc' is not a list of MIME types"
cfg c2 ada '.allow.coc += ["text/plain\nx"]'
check "  one holding a newline" culprit c2 "the allowlist of 'coc' is not a list of MIME types"
cfg c3 ada '.allow.coc += ["application/pdf"]'
check "  one listing a type twice" culprit c3 "the allowlist of 'coc' is not a list of MIME types"
cfg c4 ada '.allow.blueprint = ["image/png"]'
check "  an allowlist of an unknown type" \
	culprit c4 "vault.json: the vault's settings hold an allowlist of 'blueprint', which is not a document type"
cfg c5 ada '.allow.coc = [range(300) | "image/x\(.)"]'
check "  an allowlist of 300 types" culprit c5 "the allowlist of 'coc' is not a list of MIME types"
cfg c6 ada '.pdf.types.coc.launch = "allow"'
check "a pdf policy acting 'allow' (no such act) is found, naming the commit" \
	named c6 "vault.json: vault.json's pdf policy is malformed: 'coc' launch is not accept, record or refuse"
fails 1 "^qvault: refused: vault.json: vault.json's pdf policy is malformed" \
	"  and the admin's next types change is refused until it is mended" \
	q -C c6 --key admin.pem types allow coc model/stl
cfg c7 ada '.pdf = "off"'
check "  a pdf policy that is a string" culprit c7 "vault.json's pdf policy is malformed: not an object"
cfg c8 ada '.pdf.max_inflate = 0'
check "  a limit of 0" culprit c8 "pdf policy is malformed: max_inflate is not a whole number of 1 or more"
cfg c9 ada '.pdf.max_pages = "many"'
check "  a limit that is a string" culprit c9 "pdf policy is malformed: max_pages is not a whole number"
cfg c10 ada '.pdf.max_page = 5'
check "  a misspelt limit" culprit c10 "pdf policy is malformed: an unknown key 'max_page'"
cfg c11 ada '.pdf.types.coc.lanch = "accept"'
check "  a misspelt finding" culprit c11 "pdf policy is malformed: 'coc' names 'lanch', which is not one of"
cfg c12 ada '.pdf.types.coc = "accept"'
check "  a type's policy that is a string" culprit c12 "pdf policy is malformed: 'coc' is not an object"
cfg c13 ada '.pdf.types.blueprint = {}'
check "  a policy for an unknown type" \
	culprit c13 "vault.json's pdf policy names 'blueprint', which is not a document type"
cfg c14 ada 'del(.pdf)'
check "  a pdf policy taken out (verify would open no PDF after it)" \
	culprit c14 "vault.json: the vault's settings take out the pdf policy"
rm -rf c15 && cp -a v c15 && policy c15 sid '.pdf.types.coc.launch = "accept"'
check "a pdf policy changed by a supplier is found" \
	culprit c15 "user 'sid' may not configure the vault \(needs role admin\)"
pulls_refused v "the history of '.*' does not verify: vault.json: vault.json's pdf policy is malformed" c6
pulls_refused v "the history of '.*' does not verify: .*user 'sid' may not configure the vault" c15

# ---- uploads forged against the allowlist in force ------------------------------------
rm -rf u1 && cp -a v u1
base=$(git -C u1 rev-parse main)
policy u1 ada '.allow.coc += ["model/stl"]'
q -C u1 --key sid add mesh.stl --doc COC-U1 --type coc > /dev/null
rm -rf u0 && cp -a u1 u0
ok "an upload made while the admin's list allowed it passes" q -C u0 verify
replay u1 sid "$base"
check "the same upload with the allow taken out of history is found, naming the commit" \
	named u1 "COC-U1/A/files/mesh.stl: the file is model/stl, which a coc did not accept when it was added"
q -C u1 --key admin.pem types allow coc model/stl > /dev/null
check "  allowing it after does not bless it" \
	culprit u1 "COC-U1/A/files/mesh.stl: the file is model/stl, which a coc did not accept"
# the allow and the upload in one commit: judged by the list before it
rm -rf u2 && cp -a u0 u2
git -C u2 update-ref refs/heads/main "$base"
GIT_DIR=u2 GIT_INDEX_FILE=$TMP/u2.index git read-tree "$(git -C u0 rev-parse main)"
tree=$(GIT_DIR=u2 GIT_INDEX_FILE=$TMP/u2.index git write-tree); rm -f "$TMP/u2.index"
printf 'types allow coc model/stl\n\nQvault-Op: types\n' > u2.msg
now=$(date -u +%s)
c=$(GIT_AUTHOR_NAME=ada GIT_AUTHOR_EMAIL=ada@owner GIT_COMMITTER_NAME=ada GIT_COMMITTER_EMAIL=ada@owner \
	GIT_AUTHOR_DATE="@$now +0000" GIT_COMMITTER_DATE="@$now +0000" commit_as u2 ada "$tree" "$base" "$TMP/u2.msg")
git -C u2 update-ref refs/heads/main "$c"
rm -f u2/qvault/index.db; q -C u2 reindex > /dev/null 2>&1
check "an allow and an upload in one commit: the upload is judged by the list before" \
	culprit u2 "COC-U1/A/files/mesh.stl: the file is model/stl, which a coc did not accept when it was added"

# ---- PDFs forged past the pdf policy ---------------------------------------------------
smuggled p1 launch.pdf coc
check "a CoC PDF with a /Launch action, forged, is found with its reason and commit" \
	named p1 "DOC-p1/A/files/launch\.pdf: 'launch\.pdf' has a /Launch action \(object [0-9]+\), which a coc may not hold"
smuggled p2 exe.pdf coc
check "  one embedding an executable" \
	named p2 "files/exe\.pdf: 'exe\.pdf' embeds an executable 'setup\.exe' \(object [0-9]+\), which a coc may not hold"
smuggled p3 enc.pdf coc
check "  one that needs a password" named p3 "files/enc\.pdf: 'enc\.pdf' needs a password to open"
smuggled p4 damaged.pdf coc
check "  one damaged past repair" named p4 "files/damaged\.pdf: 'damaged\.pdf' is damaged past repair"
pulls_refused v "the history of '.*' does not verify: .*'launch\.pdf' has a /Launch action" p1
# a PNG that is a PDF too (the header in its first 1024 bytes, where
# readers look): libmagic names a PNG, which a CoC may be; a reader opens
# the file, named .pdf, as the PDF it also is
fails 1 "^qvault: 'png-launch\.pdf' has a /Launch action \(object [0-9]+\), which a coc may not hold$" \
	"a supplier's PNG/PDF polyglot with a /Launch action is held to the pdf policy" \
	q --key sam.pem add png-launch.pdf --doc COC-PNG --type coc
smuggled p8 png-launch.pdf coc
check "  and found by verify when forged in" \
	named p8 "files/png-launch\.pdf: 'png-launch\.pdf' has a /Launch action \(object [0-9]+\), which a coc may not hold"
# under the policy in force: an admin's accept stands for what it let in
rm -rf p5 && cp -a v p5
policy p5 ada '.pdf.types.coc.launch = "accept"'
q -C p5 --key sid add launch.pdf --doc COC-P5 --type coc > /dev/null
ok "a /Launch CoC added while the admin's policy accepted it passes" q -C p5 verify
# the policy relaxed and the PDF added in one commit: judged by the policy before
rm -rf p9 && cp -a p5 p9
git -C p9 log -1 --format=%B main > p9.msg
GIT_DIR=p9 GIT_INDEX_FILE=$TMP/p9.index git read-tree main
tree=$(GIT_DIR=p9 GIT_INDEX_FILE=$TMP/p9.index git write-tree); rm -f "$TMP/p9.index"
now=$(date -u +%s)
c=$(GIT_AUTHOR_NAME=ada GIT_AUTHOR_EMAIL=ada@owner GIT_COMMITTER_NAME=ada GIT_COMMITTER_EMAIL=ada@owner \
	GIT_AUTHOR_DATE="@$now +0000" GIT_COMMITTER_DATE="@$now +0000" \
	commit_as p9 ada "$tree" "$(git -C p9 rev-parse main~2)" "$TMP/p9.msg")
git -C p9 update-ref refs/heads/main "$c"
rm -f p9/qvault/index.db; q -C p9 reindex > /dev/null 2>&1
check "a policy accepting /Launch and a /Launch CoC in one commit: judged by the policy before" \
	named p9 "COC-P5/A/files/launch\.pdf: 'launch\.pdf' has a /Launch action \(object [0-9]+\), which a coc may not hold"
# findings hidden: JavaScript the record does not list
rm -rf p6 && cp -a v p6
q -C p6 --key sid add js.pdf --doc COC-P6 --type coc > /dev/null
ok "a CoC holding JavaScript, recorded as such, passes" q -C p6 verify
git -C p6 show "main:$(recpath p6 COC-P6)" > p6rec.json
jq -S --indent 2 'del(.files[0].findings)' p6rec.json > nofind.json
replay p6 sid "$(git -C p6 rev-parse main~1)" "$(recpath p6 COC-P6)=nofind.json"
check "  its record forged without the finding is found" \
	named p6 "files/js\.pdf: the record of the file does not say that it holds JavaScript \(object [0-9]+\)"
jq -S --indent 2 '.files[0].findings = ["is encrypted (it opens without a password)"]' p6rec.json > otherfind.json
replay p6 sid "$(git -C p6 rev-parse main~1)" "$(recpath p6 COC-P6)=otherfind.json"
check "  and so is one listing another kind of finding in its place" \
	named p6 "files/js\.pdf: the record of the file does not say that it holds JavaScript"
jq -S --indent 2 '.files[0].findings = ["holds JavaScript (said as an older qvault said it)"]' p6rec.json > samefind.json
replay p6 sid "$(git -C p6 rev-parse main~1)" "$(recpath p6 COC-P6)=samefind.json"
ok "  one saying it in other words passes (findings are compared by kind)" q -C p6 verify
# an FAI package's PDF member, as fai add holds it to fai-member's policy
add_buyer buy
q --key buy.pem release DWG-1 --rev C honest.pdf --to acme > /dev/null
q --key buy.pem po add PO-1 --supplier acme --line PN-1:50:DWG-1@C > /dev/null
q --key sid ack DWG-1@C > /dev/null
fai_pkg FAIR-1 6.05
cp launch.pdf pkg/ballooned.pdf && q fai pack pkg -o fai.zip --force > /dev/null
rm -rf p7 && cp -a v p7
base=$(git -C p7 rev-parse main)
policy p7 ada '.pdf.types["fai-member"].launch = "accept"'
q -C p7 --key sid fai add fai.zip > /dev/null
replay p7 sid "$base"
check "an FAI package's PDF member with a /Launch action, forged, is found" \
	named p7 "files/ballooned\.pdf: 'ballooned\.pdf' has a /Launch action \(object [0-9]+\), which an FAI package may not hold"
cp png-launch.pdf pkg/ballooned.pdf && q fai pack pkg -o fai.zip --force > /dev/null
fails 1 "^qvault: 'fai\.zip': 'ballooned\.pdf' has a /Launch action \(object [0-9]+\), which an FAI package may not hold$" \
	"an FAI package whose PNG member is a PDF with a /Launch action is refused" \
	q --key sid fai add fai.zip

# ---- pending: a supplier's own organization only -----------------------------------------
q --key buy.pem release DWG-B --rev A honest.pdf --to beta > /dev/null
q --key buy.pem release DWG-A --rev A honest.pdf --to acme > /dev/null
check "a supplier's pending lists its own organization's revisions only" sh -c '
	q --key sam.pem pending --json > p.json && jq -e "length > 0 and all(.[]; .org == \"acme\")" p.json > /dev/null &&
	! grep -q DWG-B p.json'
fails 1 "^qvault: a supplier sees only what is pending for its own organization$" \
	"  --org of another organization is refused" q --key sam.pem pending --org beta
fails 1 "^qvault: a supplier sees only what is pending for its own organization$" \
	"  and through qvault shell" sh -c 'SSH_ORIGINAL_COMMAND="qvault pending --org beta" q shell --user sam'
fails 2 "^qvault: pending: --org 'beta.x0ax' contains a control character" "  an --org with a newline, in one line" \
	q --key sam.pem pending --org "beta${NL}x"
check "a buyer's pending lists both" sh -c '
	q --key buy.pem pending > b.txt && grep -q DWG-B b.txt && grep -q DWG-A b.txt'

# ---- an outsider with a replica --------------------------------------------------------------
ok "an outsider clones a replica" q clone "file://$TMP/v" r
ssh-keygen -q -t ecdsa -b 256 -m PEM -N '' -C out -f out
V=r
# the lock a writer takes is made by the first that tries: no record of the vault
: > r/qvault/lock
fails 1 "^qvault: key SHA256:[^ ]+ is not registered in this vault$" \
	"an outsider's key may not change the replica's types" \
	q -C r --key out types allow coc application/x-executable
fails 1 "^qvault: key SHA256:[^ ]+ is not registered in this vault$" \
	"  nor read its pending as anyone" q -C r --key out pending --org beta
rm -rf o1 && cp -a v o1
git -C o1 show main:vault.json | jq -S --indent 2 '.allow.coc += ["application/x-executable"]' > vj.json
forged o1 out "types allow coc application/x-executable

Qvault-Op: types" vault.json=vj.json
pulls_refused v "the history of '.*' does not verify" o1

# ---- the portal's /pending: a supplier's own, whatever the query asks -------------------
V=v
need_webauthn
portal_users pam:acme:supplier
login pam 1
# rows DOC@REV ORG AGE of the page in body.json
pending_rows() {
	grep -o '<tr><td><a href="/documents/[^"]*">[^<]*</a></td><td>[^<]*</td><td>[^<]*</td><td>[0-9]*</td>' body.json |
		sed 's|<tr><td><a href="[^"]*">\([^<]*\)</a></td><td>\([^<]*\)</td><td>[^<]*</td><td>\([0-9]*\)</td>|\1 \2 \3|'
}
for qs in org=beta 'org=beta&page=-1' page=99999999999999999999 page=-5 page=1e9 'org=&page=0' page=2 \
	'org=beta%0Aacme' 'viewer=buy'; do
	check "acme's supplier asking /pending?$qs sees acme's only" \
		evalq "web 200 GET 'pending?$qs' && pending_rows > page.txt && grep -q '^DWG-A@A acme ' page.txt &&
		       ! grep -qv ' acme [0-9]*\$' page.txt"
done
kill "$SERVE" 2> /dev/null; wait "$SERVE" 2> /dev/null

done_testing

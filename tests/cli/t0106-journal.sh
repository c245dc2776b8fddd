#!/bin/sh
# The access journal of export-controlled data (issue 21): every download
# of a marked revision (cat, an export bundle; by the CLI, qvault shell,
# the API) is written, before its bytes go out, as one entry (who, when,
# what, how) signed by the server key and chained to the one before, in
# qvault/journal; an admin or auditor exports it, stock ssh-keygen checks
# each entry; verify fails (exit 3) on an entry changed, removed or
# inserted, and on a marked release forged to an organization not cleared.
. "$(dirname "$0")/lib.sh"

day() { date -u -d "$1" +%Y-%m-%d; }
LATER=$(day '+400 days')

vault_v sam:acme eve:acme
add_buyer bea
q key generate -o aud.pem -c aud | head -n 1 > aud.pub
q --key "$TMP/admin.pem" user add aud --org audit-co --role auditor --pubkey aud.pub > /dev/null
make_pdf open.pdf "an unmarked drawing"
make_pdf itar.pdf "an ITAR drawing"
q --key "$TMP/admin.pem" org attest acme --attestation us-org --expires "$LATER" > /dev/null
q --key "$TMP/admin.pem" user attest sam --attestation us-person --expires "$LATER" > /dev/null
q --key bea.pem release DWG-1 --rev A open.pdf --to acme > /dev/null
q --key bea.pem release DWG-X --rev A itar.pdf --to acme --marking ITAR > /dev/null
J=v/qvault/journal

# ---- what is journalled ------------------------------------------------------------
check "an unmarked download is not journalled" sh -c '
	q --key sam.pem cat DWG-1@A > /dev/null && test ! -e '"$J"
check "a refused one neither (eve sees nothing of DWG-X)" sh -c '
	! q --key eve.pem cat DWG-X@A > /dev/null 2>&1 && test ! -e '"$J"
check "sam's cat: one entry" sh -c '
	q --key sam.pem cat DWG-X@A | cmp -s - itar.pdf && test "$(wc -l < '"$J"')" = 1'
# entry N EXPR VALUE...: the Python expression EXPR of entry N (e) is VALUE
printf '%s\n' 'import json,sys' \
	'l = open(sys.argv[1]).read().split("\n")[int(sys.argv[2]) - 1]' \
	'e = json.loads(l.split("\t")[0])' \
	'for x, want in zip(sys.argv[3::2], sys.argv[4::2]):' \
	'    v = str(eval(x))' \
	'    if v != want: sys.exit("%s is %r, not %r" % (x, v, want))' > entry.py
printf '#!/bin/sh\nexec python3 "%s/entry.py" "%s/%s" "$@"\n' "$TMP" "$TMP" "$J" > "$TMP/.bin/entry"
chmod +x "$TMP/.bin/entry"
SHA=$(sha256sum < itar.pdf | cut -c1-64)
check "  who, what, how: sam of acme, DWG-X@A's file and digest, cat from the CLI" entry 1 \
	'e["seq"]' 1 'e["prev"]' "$(printf '%064d' 0)" 'e["user"]' sam 'e["org"]' acme \
	'e["via"]' cli 'e["how"]' cat 'e["doc"]' DWG-X 'e["rev"]' A 'e["file"]' itar.pdf \
	'e["sha256"]' "$SHA" 'e["marking"]' ITAR
check "  when: now" evalq "entry 1 'e[\"at\"][:10]' $(day today)"
ok "the bundle of DWG-X@A (export)" q --key sam.pem export --doc DWG-X@A -o x.zip
check "  journalled as an export, chained to the entry before" sh -c '
	entry 2 "e[\"seq\"]" 2 "e[\"how\"]" export \
		"e[\"prev\"]" "$(head -n 1 '"$J"' | tr -d "\n" | sha256sum | cut -c1-64)"'
check "  through qvault shell: via shell, the server acting" sh -c '
	SSH_ORIGINAL_COMMAND="cat DWG-X@A" q -C v shell --user sam | cmp -s - itar.pdf &&
	entry 3 "e[\"via\"]" shell "e[\"user\"]" sam "e[\"server\"]" qvault-server'
if command -v curl > /dev/null; then
	SAM=$(tok --user sam)
	serve_start
	check "  through the API: via api, written by serve's writer" sh -c "
		curl -sf -H 'Authorization: Bearer $SAM' '${URL}documents/DWG-X/A/files/1' |
		cmp -s - itar.pdf && entry 4 'e[\"via\"]' api 'e[\"user\"]' sam"
	serves_stop
	SERVES=
else
	_skip "no curl: the API's downloads are not tried"
fi
make_text spec-a.csv H1
make_text spec-b.csv H2
q --key bea.pem release SPEC-T --rev A spec-a.csv --type spec --to acme > /dev/null
q --key bea.pem release SPEC-T --rev B spec-b.csv --type spec --to acme --marking ITAR > /dev/null
check "  a diff showing a marked spec's lines: journalled as a diff" sh -c '
	q --key sam.pem diff SPEC-T@B | grep -q H2 &&
	entry "$(wc -l < '"$J"')" "e[\"how\"]" diff "e[\"doc\"]" SPEC-T "e[\"rev\"]" B'
ENTRIES=$(wc -l < "$J")

# ---- who exports it; stock tools check it ----------------------------------------
check "journal export: the admin gets the journal as stored" sh -c '
	q --key '"$TMP"'/admin.pem journal export | cmp -s - '"$J"
check "  so does an auditor" sh -c 'q --key aud.pem journal export | cmp -s - '"$J"
fails 1 "only an admin or an auditor exports the access journal" "  not a supplier" \
	q --key sam.pem journal export
fails 1 "only an admin or an auditor exports the access journal" "  nor a buyer" \
	q --key bea.pem journal export
check "  nor through qvault shell (no such command there)" sh -c '
	! SSH_ORIGINAL_COMMAND="journal export" q -C v shell --user sam > /dev/null 2>&1'
# each entry, as an auditor checks it with ssh-keygen alone: the server's key
# (from allowed_signers), the entry's bytes, its signature re-armored
printf 'qvault-server@owner namespaces="qvault-journal" %s\n' \
	"$(git -C v show HEAD:users/qvault-server/user.json | jq -r .key)" > signers
stock_check() {
	i=1
	while [ "$i" -le "$1" ]; do
		sed -n "${i}p" "$J" | cut -f1 | tr -d '\n' > e.txt
		{ echo '-----BEGIN SSH SIGNATURE-----'; sed -n "${i}p" "$J" | cut -f2 | fold -w 70
		  echo '-----END SSH SIGNATURE-----'; } > e.sig
		ssh-keygen -Y verify -f signers -I qvault-server@owner -n qvault-journal -s e.sig \
			< e.txt > /dev/null 2>&1 || return 1
		i=$((i + 1))
	done
}
ok "ssh-keygen -Y verify checks every entry's signature" stock_check "$ENTRIES"
ok "verify: the journal holds" q --key "$TMP/admin.pem" verify

# ---- tampering: verify fails -------------------------------------------------------
cp "$J" j.orig
sed -i '2s/"user":"sam"/"user":"eve"/' "$J"
check "an entry changed: verify fails (3) naming it" culprit v \
	"access journal entry 2: its signature does not verify"
not() { ! "$@"; }
ok "  ssh-keygen says so too" not stock_check 2
cp j.orig "$J"
sed -i '2d' "$J"
check "an entry removed: verify fails naming the gap" culprit v \
	"access journal entry 2: numbered 3 \\(an entry was removed or inserted\\)"
check "  and the broken chain" culprit v "access journal entry 2: does not follow the entry before it"
cp j.orig "$J"
head -n 1 j.orig > "$J"; sed -n 1p j.orig >> "$J"; sed -n '2,$p' j.orig >> "$J"
check "an entry repeated: verify fails" culprit v "access journal entry 2: numbered 1"
cp j.orig "$J"
printf 'garbage\n' >> "$J"
check "a line that is no entry: verify fails" culprit v "access journal entry $((ENTRIES + 1)): no signature"
fails 3 "does not end with a whole entry|last entry is malformed" \
	"  and no marked download goes out while it is so" q --key sam.pem cat DWG-X@A
cp j.orig "$J"
ok "restored: verify holds again" q --key "$TMP/admin.pem" verify
# a journal that cannot be opened for writing (a folder in its place: so
# even for root)
mv "$J" j.keep && mkdir "$J"
fails 1 "its download cannot be journalled" "a journal that cannot be written: no marked download" \
	q --key sam.pem cat DWG-X@A
check "  an unmarked one still goes out" sh -c 'q --key sam.pem cat DWG-1@A | cmp -s - open.pdf'
rmdir "$J" && mv j.keep "$J"

# ---- a marked release forged to an organization not cleared ------------------------
# bob, a buyer with an OpenSSH key, releases DWG-F marked ITAR to beta once
# the admin attested it; the forgery is the same commit re-signed onto the
# history before that attestation, its tree without it
ssh-keygen -q -t ed25519 -N '' -C bob -f bob
q --key "$TMP/admin.pem" user add bob --org owner --role buyer --pubkey bob.pub > /dev/null
add_supplier ben beta
make_pdf f.pdf "ITAR F"
BEFORE=$(git -C v rev-parse HEAD)
q --key "$TMP/admin.pem" org attest beta --attestation us-org --expires "$LATER" > /dev/null
q --key bob release DWG-F --rev A f.pdf --to beta --marking ITAR > /dev/null
# reforge VAULT PARENT DROP: HEAD's commit again, signed by bob, onto PARENT, the
# tree less DROP ('' : nothing), as dated and authored as it was
reforge() {
	rm -rf "$1"; cp -a v "$1"
	GIT_DIR=$1 GIT_INDEX_FILE=$TMP/forge.index git read-tree HEAD
	[ -z "$3" ] || GIT_DIR=$1 GIT_INDEX_FILE=$TMP/forge.index git rm -rq --cached "$3"
	ftree=$(GIT_DIR=$1 GIT_INDEX_FILE=$TMP/forge.index git write-tree)
	rm -f "$TMP/forge.index"
	eval "$(git -C "$1" log -1 --format='export GIT_AUTHOR_NAME=%an GIT_AUTHOR_EMAIL=%ae GIT_AUTHOR_DATE="%ad" GIT_COMMITTER_NAME=%cn GIT_COMMITTER_EMAIL=%ce GIT_COMMITTER_DATE="%cd"' --date=raw)"
	git -C "$1" log -1 --format=%B > "$TMP/forge.msg"
	fc=$(git -C "$1" -c gpg.format=ssh -c user.signingkey="$TMP/bob" commit-tree -S "$ftree" \
		-p "$2" -F "$TMP/forge.msg")
	git -C "$1" update-ref refs/heads/main "$fc"
	unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE
}
reforge f0 HEAD^ ''
ok "control: the release re-signed as it was passes verify" q -C f0 verify
reforge f1 "$BEFORE" attestations/orgs/beta
check "forged: a marked release to an organization with no attestation: verify finds it" \
	culprit f1 "DWG-F@A marked ITAR is released to organization 'beta', which held no attestation clearing it"
check "  and nothing else" sh -c 'q -C f1 verify > f1.out 2>&1; grep -c "FAILED: .* 1 finding$" f1.out'
done_testing

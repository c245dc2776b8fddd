#!/bin/sh
# Attack: a supplier user whom no attestation clears for a marked revision
# acknowledges it anyway, attaches it to her organization's lot, or submits
# an FAI to it, around qvault: the statement signed with her own key by
# ssh-keygen -Y sign, committed with stock git (a supplier's push, or a
# peer site's history).
# The write path never lets her: the revision does not exist for her.  One
# rule, two callers: verify (whole, --since) and a pull refuse it too; the
# same acts by her once cleared pass.
. "$(dirname "$0")/lib.sh"

LATER=$(date -u -d '+400 days' +%Y-%m-%d)
vault_v sam:acme
add_buyer bea
# eve of acme, no U.S. person; her key is stock ssh-keygen's
ssh-keygen -q -t ed25519 -N '' -C eve -f eve
q --key "$TMP/admin.pem" user add eve --org acme --role supplier --pubkey eve.pub > /dev/null
q --key "$TMP/admin.pem" org attest acme --attestation us-org --expires "$LATER" > /dev/null
q --key "$TMP/admin.pem" user attest sam --attestation us-person --expires "$LATER" > /dev/null
make_pdf open.pdf "an unmarked drawing"
make_pdf itar.pdf "an ITAR drawing"
q --key bea.pem release DWG-O --rev A open.pdf --to acme > /dev/null
q --key bea.pem release DWG-X --rev A itar.pdf --to acme --marking ITAR > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-O@A > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 10 > /dev/null
VID=$(git -C v show main:vault.json | jq -r .id)

# forge_ack VAULT DOC REV [EPOCH]: eve's 'received' of DOC@REV (the
# statement qvault would have her sign), signed by ssh-keygen and committed
# by eve with stock git onto VAULT's main, both dated EPOCH (default now)
forge_ack() {
	fv=$1 fd=$2 fr=$3 fat=${4:-$(date +%s)}
	fdir="docs/$(dir_of "$fd")/$fd/$fr"
	git -C "$fv" show "main:$fdir/record.json" |
	jq -S --indent 2 --arg d "$fd" --arg r "$fr" --arg v "$VID" \
		--arg at "$(date -u -d "@$fat" +%Y-%m-%dT%H:%M:%SZ)" \
		--arg fp "$(ssh-keygen -lf eve.pub -E sha256 | cut -d' ' -f2)" \
		'{_type: "https://in-toto.io/Statement/v1", predicateType: "https://qvault.example/ack/v1",
		  subject: [.files[] | {digest: {sha256: .sha256}, name: .name}],
		  predicate: {document: $d, revision: $r, meaning: "received", signed_at: $at,
			      vault: $v, signer: {fingerprint: $fp, name: "eve", org: "acme"}}}' \
		> eve-received.json &&
	rm -f eve-received.json.sig &&
	ssh-keygen -q -Y sign -n qvault-ack -f "$TMP/eve" eve-received.json &&
	(export GIT_AUTHOR_NAME=eve GIT_AUTHOR_EMAIL=eve@acme GIT_COMMITTER_NAME=eve \
		GIT_COMMITTER_EMAIL=eve@acme GIT_AUTHOR_DATE="$fat +0000" GIT_COMMITTER_DATE="$fat +0000"
	forge_commit "$fv" eve "ack $fd@$fr received by eve (acme)

Qvault-Op: ack
Qvault-Doc: $fd
Qvault-Rev: $fr" "$fdir/acks/eve-received.json=eve-received.json" \
		"$fdir/acks/eve-received.json.sig=eve-received.json.sig")
}

# forge_link VAULT DOC REV: eve attaches DOC@REV to acme's lot L-1, the
# record as qvault writes it, committed by eve with stock git
forge_link() {
	fv=$1 fd=$2 fr=$3 fat=$(date +%s)
	jq -S --indent 2 -n --arg d "$fd" --arg r "$fr" --arg at "$(date -u -d "@$fat" +%Y-%m-%dT%H:%M:%SZ)" \
		'{doc: $d, format: 1, kind: "lot", linked_at: $at, linked_by: "eve", record: "link",
		  rev: $r, target: "L-1"}' > link.json &&
	(export GIT_AUTHOR_NAME=eve GIT_AUTHOR_EMAIL=eve@acme GIT_COMMITTER_NAME=eve \
		GIT_COMMITTER_EMAIL=eve@acme GIT_AUTHOR_DATE="$fat +0000" GIT_COMMITTER_DATE="$fat +0000"
	forge_commit "$fv" eve "link $fd@$fr to lot L-1

Qvault-Op: link
Qvault-Doc: $fd
Qvault-Rev: $fr" "docs/$(dir_of "$fd")/$fd/$fr/links/lot-L-1.json=link.json")
}

# transplant SRC DST KEY: SRC's last commit, its changes, message and dates,
# made again on DST's main with stock git, signed by ssh-keygen key KEY
transplant() {
	GIT_DIR=$2 GIT_INDEX_FILE=$TMP/tp.index git read-tree main
	git -C "$1" diff-tree -r --no-commit-id main | while read -r _m1 _m2 _o tb _s tp; do
		git -C "$1" cat-file blob "$tb" > tp.blob
		GIT_DIR=$2 GIT_INDEX_FILE=$TMP/tp.index git update-index --add --cacheinfo \
			"100644,$(GIT_DIR=$2 git hash-object -w tp.blob),$tp"
	done
	tt=$(GIT_DIR=$2 GIT_INDEX_FILE=$TMP/tp.index git write-tree)
	rm -f "$TMP/tp.index"
	tc=$(GIT_AUTHOR_NAME=$(git -C "$1" log -1 --format=%an main) \
		GIT_AUTHOR_EMAIL=$(git -C "$1" log -1 --format=%ae main) \
		GIT_AUTHOR_DATE=$(git -C "$1" log -1 --format=%ad --date=raw main) \
		GIT_COMMITTER_NAME=$(git -C "$1" log -1 --format=%cn main) \
		GIT_COMMITTER_EMAIL=$(git -C "$1" log -1 --format=%ce main) \
		GIT_COMMITTER_DATE=$(git -C "$1" log -1 --format=%cd --date=raw main) \
		git -C "$2" -c gpg.format=ssh -c user.signingkey="$TMP/$3" commit-tree -S "$tt" -p main \
		-m "$(git -C "$1" log -1 --format=%B main)") &&
	git -C "$2" update-ref refs/heads/main "$tc"
}

fails 1 "no document 'DWG-X'" "the write path: eve may not acknowledge DWG-X@A (ITAR), which does not exist for her" \
	q --key eve ack DWG-X@A

# the forgery is faithful: the same, of an unmarked drawing, passes
rm -rf o; cp -a v o
forge_ack o DWG-O A
ok "eve's acknowledgment of unmarked DWG-O@A, made with ssh-keygen and stock git, verifies" \
	q -C o verify

rm -rf f; cp -a v f
base=$(git -C f rev-parse main)
forge_ack f DWG-X A
check "verify refuses eve's forged acknowledgment of DWG-X@A (ITAR): no attestation of hers covers it" \
	culprit f "eve-received.json: user 'eve' acknowledges DWG-X@A, marked ITAR, without an attestation covering it"
check "  and so does verify --since the commit before it" evalq '
	q -C f verify --since "$base" > vs.out 2>&1; test $? = 3 &&
	grep -q "marked ITAR, without an attestation covering it" vs.out'
pulls_refused v "the history of 'file://.*/f' does not verify: .*user 'eve' acknowledges DWG-X@A, marked ITAR" f
check "  the vault pulled into still shows eve nothing of DWG-X@A, sam no acknowledgment of hers" evalq '
	! q -C p --key eve acks DWG-X@A > /dev/null 2>&1 &&
	! q -C p --key sam.pem acks DWG-X@A | grep -q eve'

# an attestation that expired before the acknowledgment covers it no more:
# eve a U.S. person until tomorrow, her acknowledgment dated in three
# days, verified in four (libfaketime)
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
if [ -r "$FAKETIME_LIB" ]; then
	rm -rf x; cp -a v x
	q -C x --key "$TMP/admin.pem" user attest eve --attestation us-person \
		--expires "$(date -u -d '+1 day' +%Y-%m-%d)" > /dev/null
	forge_ack x DWG-X A "$(date -u -d '+3 days' +%s)"
	check "an attestation of eve that expired before her acknowledgment does not cover it" evalq '
		LD_PRELOAD=$FAKETIME_LIB FAKETIME=+4d ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
			q -C x verify > vx.out 2>&1; test $? = 3 &&
		grep -q "user .eve. acknowledges DWG-X@A, marked ITAR, without an attestation covering it" vx.out &&
		test "$(grep -c "^commit" vx.out)" = 1'
else
	_skip "libfaketime not installed"
fi

# cleared by the vault's admin, the same acknowledgment passes
rm -rf c; cp -a v c
q -C c --key "$TMP/admin.pem" user attest eve --attestation us-person --expires "$LATER" > /dev/null
forge_ack c DWG-X A
ok "once eve is attested a U.S. person, her acknowledgment of DWG-X@A verifies" q -C c verify
rm -rf p; cp -a v p
V=p
q -C p --key bea.pem release DWG-P --rev A open.pdf --to acme > /dev/null
ok "  and a site that wrote since pulls both from that one: merged (each side held to its own history)" \
	evalq 'q -C p pull "file://$TMP/c" | grep -q "merged" && q -C p verify > /dev/null'

check "  sam sees her acknowledgment" evalq 'q -C p --key sam.pem acks DWG-X@A | grep -q "by eve (acme)"'

# ---- the same rule for a link: a supplier attaches what it may see -----------------
fails 1 "no revision 'DWG-X@A'|no document 'DWG-X'" "the write path: eve may not attach DWG-X@A to her organization's lot" \
	q -C v --key eve link DWG-X@A --lot L-1
rm -rf lo; cp -a v lo
forge_link lo DWG-O A
ok "eve attaches unmarked DWG-O@A to lot L-1 with stock git: verifies" q -C lo verify
rm -rf lf; cp -a v lf
forge_link lf DWG-X A
check "verify refuses eve's link of DWG-X@A (ITAR) to lot L-1: no attestation of hers covers it" \
	culprit lf "lot-L-1.json: user 'eve' of 'acme' attaches 'DWG-X@A', marked ITAR, without an attestation covering it"
pulls_refused v "the history of 'file://.*/lf' does not verify: .*attaches 'DWG-X@A', marked ITAR" lf
rm -rf lc; cp -a c lc
forge_link lc DWG-X A
ok "  once she is attested, her link of it verifies" q -C lc verify

# ---- and for an FAI: a supplier submits one to a drawing it may see ------------------
fai_pkg FAIR-1 6.05
sed -i 's/"drawing_number": "DWG-1", "drawing_revision": "C"/"drawing_number": "DWG-X", "drawing_revision": "A"/; s/"part_revision": "C"/"part_revision": "A"/' pkg/fai.json
q fai pack pkg -o fai.zip --force > /dev/null
fails 1 "drawing 'DWG-X@A' is not in the vault" "the write path: eve may not submit an FAI to DWG-X@A" \
	q -C v --key eve fai add fai.zip --lot L-1
# made by eve once attested (c), then made again on v with stock git
rm -rf fc ff; cp -a c fc; cp -a v ff
q -C fc --key eve fai add fai.zip --lot L-1 > /dev/null
ok "  attested, she may (and it verifies)" q -C fc verify
transplant fc ff eve
check "the same FAI, committed by eve with stock git where she holds no attestation: verify refuses it" \
	culprit ff "package.json: user 'eve' of 'acme' submits an FAI to 'DWG-X@A', marked ITAR, without an attestation covering it"
pulls_refused v "the history of 'file://.*/ff' does not verify: .*submits an FAI to 'DWG-X@A', marked ITAR" ff

# ---- and an FAI to a drawing never released to her organization -----------------------
# the buyer adds DWG-Z@A and releases it to no one (u); where it is released
# to acme (zc) eve submits an FAI to it, which is then made again on u
make_pdf z.pdf "an unreleased drawing"
rm -rf u zc zf
cp -a v u
q -C u --key bea.pem add z.pdf --doc DWG-Z --rev A --type drawing > /dev/null
cp -a v zc
q -C zc --key bea.pem release DWG-Z --rev A z.pdf --to acme > /dev/null
fai_pkg FAIR-2 6.02
sed -i 's/"drawing_number": "DWG-1", "drawing_revision": "C"/"drawing_number": "DWG-Z", "drawing_revision": "A"/; s/"part_revision": "C"/"part_revision": "A"/' pkg/fai.json
q fai pack pkg -o fai.zip --force > /dev/null
V=u
fails 1 "drawing 'DWG-Z@A' is not in the vault" "the write path: eve may not submit an FAI to DWG-Z@A, released to no one" \
	q -C u --key eve fai add fai.zip --lot L-1
q -C zc --key eve fai add fai.zip --lot L-1 > /dev/null
ok "  released to acme, she may (and it verifies)" q -C zc verify
cp -a u zf
transplant zc zf eve
check "the same FAI, committed by eve with stock git where DWG-Z@A is released to no one: verify refuses it" \
	culprit zf "package.json: user 'eve' of 'acme' submits an FAI to 'DWG-Z@A', neither its organization's nor released to it"
pulls_refused u "the history of 'file://.*/zf' does not verify: .*submits an FAI to 'DWG-Z@A', neither its organization's nor released to it" zf

done_testing

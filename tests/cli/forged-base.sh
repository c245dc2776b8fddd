# forged-base.sh - sourced by the forgery tests (t0020, t0025) after lib.sh:
# the base vault they forge against (users with ssh-keygen keys, released
# drawings, POs, lots, certificates, an FAI, a ship notice) and the helpers
# that forge with stock git and ssh-keygen (mk, put, tree_of, forge_ack, ...).

new_vault base
V=base
export TMP # for the sh -c checks below
for k in bob sid rex rio aud ada evil; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
ssh-keygen -q -t ecdsa -b 256 -N '' -C ecd -f ecd
reg() { q -C base --key admin.pem user add "$1" --org "$2" --role "$3" --pubkey "$4" > /dev/null; }
q key generate -o sam.pem -c sam > /dev/null # and sam.pem.pub
q key generate -o zed.pem -c zed > /dev/null # and zed.pem.pub
reg sam acme supplier sam.pem.pub
reg zed beta supplier zed.pem.pub
reg bob owner buyer bob.pub
reg sid acme supplier sid.pub
reg rex owner buyer rex.pub
reg rio acme supplier rio.pub
reg aud owner auditor aud.pub
reg ada owner admin ada.pub
reg ecd owner buyer ecd.pub
make_pdf c.pdf "DWG-1 rev C"
make_pdf b.pdf "DWG-2 rev A, for beta"
make_pdf d.pdf "DWG-3 rev A, a draft"
make_pdf coc.pdf "certificate of conformity"
make_text mtr.csv H-77
q -C base release DWG-1 --rev C c.pdf --to acme > /dev/null
q -C base --key sam.pem ack DWG-1@C > /dev/null
q -C base release DWG-2 --rev A b.pdf --to beta > /dev/null
q -C base add d.pdf --doc DWG-3 --type drawing > /dev/null
q -C base po add PO-1 --supplier acme --line PN-1:10:DWG-1@C > /dev/null
q -C base po add PO-2 --supplier beta --line PN-2:10:DWG-2@A > /dev/null
q -C base --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 > /dev/null
q -C base --key zed.pem lot add L-2 --po PO-2 --part PN-2 --qty 5 > /dev/null
q -C base --key sam.pem add coc.pdf --doc COC-1 --type coc > /dev/null
q -C base --key sam.pem link COC-1@A --lot L-1 > /dev/null
q -C base --key sam.pem add mtr.csv --doc MTR-1 --type material-cert --field certificate_type=3.1 \
	--field certificate_number=MC-1 --field manufacturer=Mill --field product=bar --field grade=S355 \
	--field heat_number=H-77 --field issue_date=2026-01-05 --field inspector=Ines > /dev/null
mkdir -p pkg
make_pdf pkg/ballooned.pdf "ballooned DWG-1 C"
printf '{"format": 1, "form1": {"part_number": "PN-1", "part_name": "Bracket", "serial_number": "SN-1",
 "fair_number": "FAIR-1", "part_revision": "C", "drawing_number": "DWG-1", "drawing_revision": "C",
 "organization": "acme", "supplier_code": "ACM", "po_number": "PO-1", "detail_or_assembly": "detail",
 "fai_type": "full", "complete": true, "signed_by": "Sam", "signed_date": "2026-11-20"},
 "form2": [], "form3_csv": "form3.csv", "attachments": ["ballooned.pdf"]}\n' > pkg/fai.json
printf 'number,location,designator,requirement,result,tooling,nonconformance,comments\n1,A1,key,6.0 \302\2610.1,6.05,,,\n' > pkg/form3.csv
q -C base fai pack pkg -o fai1.zip > /dev/null
q -C base --key sam.pem fai add fai1.zip --lot L-1 > /dev/null
BEFORE_ASN=$(git -C base rev-parse main)
q -C base --key sam.pem asn add --po PO-1 --ship-date 2099-12-10 --package CTN-1:L-1:5 > /dev/null
BEFORE_REVOKE=$(git -C base rev-parse main)
q -C base --key admin.pem user revoke rex > /dev/null
q -C base --key admin.pem user revoke rio > /dev/null
ok "verify passes on the honest base vault" q -C base verify
VID=$(git -C base show main:vault.json | jq -r .id)
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# ---- forging helpers ---------------------------------------------------------
# dir_of NAME: the fan-out of a document, lot, PO or ship notice folder
doc() { echo "docs/$(dir_of "$1")/$1/$2"; }    # doc DOC REV: a revision folder
# tree_of VAULT BASE|- SPEC...: BASE's tree (or an empty one) where each
# SPEC, PATH=FILE, sets PATH to FILE's bytes and -PATH removes PATH
tree_of() {
	tv=$1 tb=$2; shift 2
	rm -f "$TMP/t.index"
	[ "$tb" = - ] || GIT_DIR=$tv GIT_INDEX_FILE=$TMP/t.index git read-tree "$tb"
	for spec in "$@"; do
		case $spec in
		-*) printf '0 0000000000000000000000000000000000000000\t%s\n' "${spec#-}" |
		    GIT_DIR=$tv GIT_INDEX_FILE=$TMP/t.index git update-index --index-info ;;
		*) b=$(GIT_DIR=$tv git hash-object -w "${spec#*=}") &&
		   GIT_DIR=$tv GIT_INDEX_FILE=$TMP/t.index git update-index --add --cacheinfo "100644,$b,${spec%%=*}" ;;
		esac
	done
	GIT_DIR=$tv GIT_INDEX_FILE=$TMP/t.index git write-tree
	rm -f "$TMP/t.index"
}
# mk VAULT KEY MESSAGE TREE [PARENT...]: a commit signed by the ssh-keygen
# key $TMP/KEY, authored as KEY's user (name@org) unless AUTHOR says otherwise
mk() {
	mv=$1 mkey=$2 mmsg=$3 mtree=$4; shift 4
	morg=$(git -C "$mv" show "main:users/$mkey/user.json" 2>/dev/null | jq -r .org)
	[ -n "$morg" ] || morg=owner
	set -- $(for p in "$@"; do printf -- '-p %s ' "$p"; done)
	GIT_AUTHOR_NAME=${AUTHOR:-$mkey} GIT_AUTHOR_EMAIL=${AUTHOR:-$mkey}@$morg \
	GIT_COMMITTER_NAME=$mkey GIT_COMMITTER_EMAIL=$mkey@$morg \
		git -C "$mv" -c gpg.format=ssh -c user.signingkey="$TMP/$mkey" commit-tree -S "$mtree" "$@" -m "$mmsg"
}
# put VAULT KEY MESSAGE SPEC...: a signed commit on main changing SPECs
put() {
	pv=$1 pk=$2 pm=$3; shift 3
	pt=$(tree_of "$pv" main "$@") && pc=$(mk "$pv" "$pk" "$pm" "$pt" main) &&
	git -C "$pv" update-ref refs/heads/main "$pc"
}
tamper() { rm -rf "$1"; cp -a base "$1"; }
# user_json NAME ORG ROLE PUBFILE ADDED_BY: a user record shaped as qvault writes it
user_json() {
	jq -S --indent 2 -n --arg n "$1" --arg o "$2" --arg r "$3" --arg k "$(cut -d' ' -f1,2 "$4")" \
		--arg fp "$(ssh-keygen -lf "$4" -E sha256 | cut -d' ' -f2)" --arg by "$5" --arg at "$NOW" \
		'{added_at: $at, added_by: $by, fingerprint: $fp, format: 1, key: $k, name: $n, org: $o,
		  record: "user", roles: [$r]}'
}
# rev_json DOC REV TYPE BY ORG FILE...: a revision record for the files given
rev_json() {
	rd=$1 rr=$2 rt=$3 rb=$4 ro=$5; shift 5
	for f in "$@"; do
		jq -n --arg n "$(basename "$f")" --arg s "$(sha256sum < "$f" | cut -c1-64)" \
			--argjson z "$(wc -c < "$f")" --arg m "$(file -b --mime-type "$f")" \
			'{mime: $m, name: $n, sha256: $s, size: $z}'
	done | jq -S --indent 2 -s --arg d "$rd" --arg r "$rr" --arg t "$rt" --arg b "$rb" --arg o "$ro" \
		--arg at "$NOW" '{added_at: $at, added_by: $b, doc: $d, files: ., format: 1, org: $o,
		parts: [], record: "revision", rev: $r, seq: 1, type: $t}'
}
# ack_stmt SIGNER DOC REV MEANING [JQ]: the statement qvault would have SIGNER
# sign for DOC@REV (as the vault records it), then edited by the jq filter JQ
ack_stmt() {
	git -C base show "main:$(doc "$2" "$3")/record.json" |
	jq -S --indent 2 --arg s "$1" --arg d "$2" --arg r "$3" --arg m "$4" --arg v "$VID" --arg at "$NOW" \
		--arg fp "$(ssh-keygen -lf "$1.pub" -E sha256 | cut -d' ' -f2)" \
		'{_type: "https://in-toto.io/Statement/v1", predicateType: "https://qvault.example/ack/v1",
		  subject: [.files[] | {digest: {sha256: .sha256}, name: .name}],
		  predicate: {document: $d, revision: $r, meaning: $m, signed_at: $at, vault: $v,
			      signer: {fingerprint: $fp, name: $s, org: "acme"}}}' | jq -S --indent 2 "${5:-.}"
}
# forge_ack VAULT SIGNER DOC REV MEANING [JQ]: SIGNER signs a statement with
# ssh-keygen -Y sign -n qvault-ack and commits it with its signature
forge_ack() {
	fv=$1 fs=$2 fd=$3 fr=$4 fm=$5
	ack_stmt "$fs" "$fd" "$fr" "$fm" "${6:-.}" > "$fs-$fm.json"
	rm -f "$fs-$fm.json.sig"
	ssh-keygen -q -Y sign -n qvault-ack -f "$TMP/$fs" "$fs-$fm.json" || return 1
	put "$fv" "$fs" "ack $fd@$fr $fm by $fs (acme)

Qvault-Op: ack
Qvault-Doc: $fd
Qvault-Rev: $fr" "$(doc "$fd" "$fr")/acks/$fs-$fm.json=$fs-$fm.json" \
		"$(doc "$fd" "$fr")/acks/$fs-$fm.json.sig=$fs-$fm.json.sig"
}
# recommit VAULT SED: main's commit object rewritten by sed (its headers, its
# signature armor), stored with hash-object, made main
recommit() {
	git -C "$1" cat-file commit main | sed "$2" > "$TMP/commit.txt"
	rc=$(git -C "$1" hash-object -t commit -w "$TMP/commit.txt") &&
	git -C "$1" update-ref refs/heads/main "$rc"
}

# qvault/server.pem is a PKCS#8 Ed25519 PEM, which ssh-keygen 9.2 cannot
# read: rewrite it as an OpenSSH private key (the seed from openssl, the
# public key from the server's user record, the openssh-key-v1 frame by perl)
server_key() { # VAULT OUT
	git -C "$1" show main:users/qvault-server/user.json | jq -r .key | cut -d' ' -f2 | base64 -d > "$2.blob"
	openssl pkey -in "$1/qvault/server.pem" -outform DER | tail -c 32 > "$2.seed"
	{ echo "-----BEGIN OPENSSH PRIVATE KEY-----"
	  perl -e 'sub rd { open my $f, "<", $_[0] or die; binmode $f; local $/; <$f> }
		sub str { pack("N/a*", $_[0]) }
		my ($seed, $blob) = (rd($ARGV[0]), rd($ARGV[1])); my $pk = substr($blob, -32);
		my $priv = pack("NN", 7, 7) . str("ssh-ed25519") . str($pk) . str($seed . $pk) . str("qvault-server");
		my $i = 1; $priv .= chr($i++) while length($priv) % 8;
		print "openssh-key-v1\0", str("none"), str("none"), str(""), pack("N", 1), str($blob), str($priv);' \
		"$2.seed" "$2.blob" | base64 -w 70
	  echo "-----END OPENSSH PRIVATE KEY-----"; } > "$2"
	chmod 600 "$2"; rm -f "$2.seed" "$2.blob"
}

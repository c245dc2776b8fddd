#!/bin/sh
# An organization is the vault owner's (admin, buyer, quality, auditor,
# server) or a supplier's (supplier alone), never both.  A supplier's
# organization sees what it was given and what it wrote itself; a buyer in
# it would have shown the supplier every drawing it released to others
# (found by an attack on the viewer rules).  user add refuses it, and
# verify finds a history that does it (forged with stock git).
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
for k in buy sup mix; do q key generate -o $k.pem -c $k | head -n 1 > $k.pub; done
admin() { q --key "$TMP/admin.pem" "$@"; }

fails 1 "organization 'acme' is a supplier's \(user 'sam'\): 'buy' may not join it as one of the vault owner's side" \
	"a buyer may not join a supplier's organization" admin user add buy --org acme --role buyer --pubkey buy.pub
fails 1 "organization 'acme' is a supplier's" \
	"nor an auditor" admin user add buy --org acme --role auditor --pubkey buy.pub
fails 1 "organization 'owner' is of the vault owner's side \(user '[a-z-]*'\): 'sup' may not join it as a supplier" \
	"a supplier may not join the owner's organization" admin user add sup --org owner --role supplier --pubkey sup.pub
fails 1 "user 'mix' may not be a supplier and hold a role of the vault owner's side too" \
	"no user is a supplier and a buyer" admin user add mix --org zenith --role supplier,buyer --pubkey mix.pub
ok "a second supplier of acme is welcome" admin user add sup --org acme --role supplier --pubkey sup.pub
ok "a buyer of the owner's organization too" admin user add buy --org owner --role buyer --pubkey buy.pub

# the attack: a buyer's release to another supplier, never shown to acme
make_pdf z.pdf Z
q --key buy.pem release DWG-Z --rev A z.pdf --to zenith > /dev/null 2>&1 ||
	{ q --key "$TMP/admin.pem" user add zed --org zenith --role supplier --pubkey mix.pub > /dev/null &&
	  q --key buy.pem release DWG-Z --rev A z.pdf --to zenith > /dev/null; }
fails 1 "no document 'DWG-Z'" "acme does not see a drawing released to zenith" \
	q --key sam.pem show DWG-Z
check "  nor its release in the log" sh -c '! q --key sam.pem log | grep -q DWG-Z'

# forged with stock git: an admin's own signature (ada, an ssh-keygen key) on a buyer in acme
ssh-keygen -q -t ed25519 -N '' -C evil -f evil
ssh-keygen -q -t ed25519 -N '' -C ada -f ada
admin user add ada --org owner --role admin --pubkey ada.pub > /dev/null
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
jq -S --indent 2 -n --arg k "$(cut -d' ' -f1,2 evil.pub)" \
	--arg fp "$(ssh-keygen -lf evil.pub -E sha256 | cut -d' ' -f2)" --arg at "$NOW" \
	'{added_at: $at, added_by: "ada", fingerprint: $fp, format: 1, key: $k, name: "evil",
	  org: "acme", record: "user", roles: ["buyer"]}' > evil.json
cp -a v f
GIT_DIR=f GIT_INDEX_FILE=$TMP/f.index git read-tree main
b=$(GIT_DIR=f git hash-object -w evil.json)
GIT_DIR=f GIT_INDEX_FILE=$TMP/f.index git update-index --add --cacheinfo "100644,$b,users/evil/user.json"
tree=$(GIT_DIR=f GIT_INDEX_FILE=$TMP/f.index git write-tree)
c=$(GIT_AUTHOR_NAME=ada GIT_AUTHOR_EMAIL=ada@owner GIT_COMMITTER_NAME=ada \
	GIT_COMMITTER_EMAIL=ada@owner git -C f -c gpg.format=ssh -c user.signingkey="$TMP/ada" \
	commit-tree -S "$tree" -p main -m "user add evil (acme, buyer)

Qvault-Op: user-add
Qvault-User: evil")
git -C f update-ref refs/heads/main "$c"
q -C f verify > f.out 2>&1
check "verify finds a buyer added to a supplier's organization, signed by an admin" \
	sh -c "grep -q \"users/evil/user.json: organization 'acme' is a supplier's\" f.out"
check "  and nothing else wrong with that commit" sh -c "[ \$(grep -c 'commit ' f.out) = 1 ]"

done_testing

#!/bin/sh
# What two sites each do rightly must be right together, and what a
# revoked admin does at an old copy must not come back in a merge (found by
# an attack on tokens and the sides rule; the token forged with stock git
# and ssh-keygen).
. "$(dirname "$0")/lib.sh"

# 1. the sides rule across a merge: a buyer of org q at one site, a
#    supplier of q at the other
new_vault a
git init -q --bare hub.git
q -C a remote add hub "file://$TMP/hub.git" > /dev/null
q -C a push hub > /dev/null
q clone "file://$TMP/hub.git" b > /dev/null
for k in x y; do q key generate -o $k.pem -c $k | head -n 1 > $k.pub; done
q -C a --key "$TMP/admin.pem" user add x --org q --role buyer --pubkey x.pub > /dev/null
q -C b --key "$TMP/admin.pem" user add y --org q --role supplier --pubkey y.pub > /dev/null
q -C b push > /dev/null
V=a
fails 1 "refused: the merge: organization 'q' is a supplier's \(user 'y'\): 'x' may not join it" \
	"a pull that would put a buyer and a supplier in one organization is refused" \
	q -C a --key "$TMP/admin.pem" pull hub

# 2. a revoked admin's token, made at her copy from before the revocation
#    and dated there: a credential, as a user record is
rm -rf a b hub.git
new_vault a
add_supplier_at() { q -C a --key "$TMP/admin.pem" user add "$@" > /dev/null; }
q key generate -o sam.pem -c sam | head -n 1 > sam.pub
add_supplier_at sam --org acme --role supplier --pubkey sam.pub
ssh-keygen -q -t ed25519 -N '' -C ada -f ada
add_supplier_at ada --org owner --role admin --pubkey ada.pub
git init -q --bare hub.git
q -C a remote add hub "file://$TMP/hub.git" > /dev/null
q -C a push hub > /dev/null
q clone "file://$TMP/hub.git" b > /dev/null
FT=$(git -C b log -1 --format=%ct main)
sleep 1
q -C a --key "$TMP/admin.pem" user revoke ada > /dev/null
AT=$(date -u -d "@$FT" +%Y-%m-%dT%H:%M:%SZ)
ID=0123456789abcdef
SECRET=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
h=$(printf %s "$ID" | sha256sum)
DIR=tokens/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$ID
jq -S --indent 2 -n --arg id $ID --arg at "$AT" --arg h "$(printf %s $SECRET | sha256sum | cut -c1-64)" \
	'{record: "token", format: 1, id: $id, user: "sam", scope: "write", sha256: $h,
	  created_by: "ada", created_at: $at}' > t.json
GIT_AUTHOR_DATE="$FT +0000" GIT_COMMITTER_DATE="$FT +0000" GIT_AUTHOR_NAME=ada \
GIT_AUTHOR_EMAIL=ada@owner GIT_COMMITTER_NAME=ada GIT_COMMITTER_EMAIL=ada@owner \
	forge_commit b ada "token create $ID for sam (write)

Qvault-Op: token-create
Qvault-Token: $ID
Qvault-User: sam" "$DIR/token.json=t.json"
check "the copy from before the revocation verifies (ada was an admin there)" q -C b verify
V=a
fails 1 "whom the other side had revoked" \
	"a pull bringing in the revoked admin's token, dated before her revocation, is refused" \
	q -C a --key "$TMP/admin.pem" pull "file://$TMP/b"
fails 1 "no token '0123456789abcdef'" "  and her token is no token at this site" \
	q -C a --key "$TMP/admin.pem" token revoke "$ID"

done_testing

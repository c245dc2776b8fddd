#!/bin/sh
# API tokens for system clients: an admin creates, lists and revokes them;
# the token is printed once and the vault keeps only the SHA-256 of its
# secret; no one else may make one, not through the shell either; and
# verify finds tokens written around qvault with stock git.  (The server's
# check of a token, every refusal alike, is tests/unit/test_token.c.)
. "$(dirname "$0")/lib.sh"

new_vault v
V=v
export QVAULT_DIR=v
add_supplier sam acme
# keys made by ssh-keygen, so that stock git can sign forged commits with them
for k in ada sid; do ssh-keygen -q -t ed25519 -N '' -C $k -f $k; done
q --key admin.pem user add ada --org owner --role admin --pubkey ada.pub > /dev/null
q --key admin.pem user add sid --org acme --role supplier --pubkey sid.pub > /dev/null

# ---- create, list, revoke ------------------------------------------------------
ok "an admin creates a write token for a supplier's system" \
	sh -c 'q --key admin.pem token create --user sam --scope write --expires 2099-12-31 > tok.txt 2> note.txt'
TOKEN=$(cat tok.txt)
ID=$(printf %s "$TOKEN" | cut -c5-20)
SECRET=$(printf %s "$TOKEN" | cut -c22-)
check "  it is one line on stdout: qvt_<16 hex>_<43 base64url>" sh -c '
	test "$(wc -l < tok.txt)" = 1 && grep -Eqx "qvt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}" tok.txt'
check "  stderr says it is shown once" grep -q "shown this once" note.txt
ok "a read token, with no expiry, by default" sh -c 'q --key admin.pem token create --user sam > tok2.txt 2>/dev/null'
ID2=$(cut -c5-20 tok2.txt)
export ID ID2 SECRET
check "  another id, another secret" sh -c 'test "$(cut -c5-20 tok2.txt)" != "$(cut -c5-20 tok.txt)" &&
	test "$(cut -c22- tok2.txt)" != "$(cut -c22- tok.txt)"'
check "token list names both, their users, scopes and expiry" sh -c '
	q --key admin.pem token list > list.txt &&
	head -n 1 list.txt | grep -Eq "^TOKEN +STATE +USER +SCOPE +EXPIRES +CREATED BY +CREATED$" &&
	grep -Eq "^$ID +active +sam +write +2099-12-31 +admin " list.txt &&
	grep -Eq "^$ID2 +active +sam +read +never +admin " list.txt'
check "token list --json: no hash, no secret" sh -c '
	q --key admin.pem token list --json > list.json &&
	jq -e "length == 2 and (map(.id) | sort) == ([env.ID, env.ID2] | sort)" list.json > /dev/null &&
	! grep -q sha256 list.json && ! grep -qF -- "$SECRET" list.json'

DIR=tokens/$(printf %s "$ID" | sha256sum | cut -c1-2)/$(printf %s "$ID" | sha256sum | cut -c3-4)/$ID
check "the record sits at tokens/<h>/<h>/<ID>/token.json with the secret's SHA-256" sh -c '
	git -C v show "main~1:'"$DIR"'/token.json" > rec.json &&
	test "$(jq -r .sha256 rec.json)" = "$(printf %s "'"$SECRET"'" | sha256sum | cut -c1-64)" &&
	test "$(jq -r ".record, .format, .id, .user, .scope, .expires, .created_by" rec.json | tr "\n" " ")" = \
		"token 1 '"$ID"' sam write 2099-12-31 admin "'
check "the secret is nowhere in the repository: no file, no commit message" sh -c '
	! git -C v grep -qF -- "'"$SECRET"'" $(git -C v rev-list main) &&
	! git -C v log --format=%B main | grep -qF -- "'"$SECRET"'" &&
	! git -C v grep -qF -- "'"$TOKEN"'" $(git -C v rev-list main)'
check "  nor in the index" sh -c '! sqlite3 v/qvault/index.db .dump | grep -qF -- "'"$SECRET"'"'

fails 1 "user 'tester' may not manage API tokens \(needs role admin\)" \
	"a buyer may not create a token" q token create --user sam
fails 1 "user 'sam' may not manage API tokens" "nor a supplier, for itself" \
	q --key sam.pem token create --user sam
fails 1 "user 'tester' may not manage API tokens" "nor list them" q token list
fails 1 "user 'tester' may not manage API tokens" "nor revoke one" q token revoke "$ID"
fails 2 "token create: --user is required" "a token is for a user" q --key admin.pem token create
fails 2 "--scope 'admin' is not one of read, write" "a scope is read or write" \
	q --key admin.pem token create --user sam --scope admin
fails 2 "--expires '2099-02-30' is not a date \(YYYY-MM-DD\)" "an expiry is a date" \
	q --key admin.pem token create --user sam --expires 2099-02-30
fails 1 "expiry date '2001-01-01' is in the past" "an expiry in the past is refused" \
	q --key admin.pem token create --user sam --expires 2001-01-01
fails 1 "no user 'nobody'" "a token for no one is refused" \
	q --key admin.pem token create --user nobody
fails 1 "user 'ada' is an admin, who signs with its own key" "an admin holds no token" \
	q --key admin.pem token create --user ada
fails 1 "user 'qvault-server' is a server" "nor the server" \
	q --key admin.pem token create --user qvault-server
fails 2 "token revoke: ID is the token's 16 lowercase hex digits" \
	"revoking by the whole token is a usage error" q --key admin.pem token revoke "$TOKEN"
check "  whose message does not repeat the token" sh -c '! grep -qF -- "'"$SECRET"'" .err'
fails 1 "no token '0123456789abcdef'" "revoking an unknown token" \
	q --key admin.pem token revoke 0123456789abcdef

ok "an admin revokes a token" q --key admin.pem token revoke "$ID"
check "  the list says so" sh -c 'q --key admin.pem token list | grep -Eq "^$ID +revoked "'
check "  revoked.json beside it, by the admin" sh -c '
	git -C v show "main:'"$DIR"'/revoked.json" | jq -e ".record == \"token-revoked\" and .id == \"'"$ID"'\" and .revoked_by == \"admin\"" > /dev/null'
fails 1 "token '$ID' is revoked already" "revoking twice" q --key admin.pem token revoke "$ID"

# ---- through the ssh shell: none of it ------------------------------------------
fails 2 "'token' is not a command qvault shell runs" "the shell runs no token create" \
	env SSH_ORIGINAL_COMMAND="qvault token create --user sam" q shell --user sam
fails 2 "'token' is not a command qvault shell runs" "  nor token list" \
	env SSH_ORIGINAL_COMMAND="token list" q shell --user tester

# ---- the record of truth --------------------------------------------------------
ok "verify is clean after tokens made and revoked" q verify
ok "the index rebuilt from the repository lists them alike" sh -c '
	q --key admin.pem token list --json > a.json && q reindex > /dev/null &&
	q --key admin.pem token list --json | cmp -s - a.json'
q keys allowed-signers > allowed_signers
check "git verify-commit passes on the token commits" sh -c '
	for c in main main~1 main~2; do
		git -C v log -1 --format=%B "$c" | grep -q "^Qvault-Op: token-" || exit 1
		git -C v -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$PWD/allowed_signers" \
			verify-commit "$c" 2>/dev/null || exit 1
	done'

# ---- forged with stock git ------------------------------------------------------
# forged commits carry this time; records that name a time name it
T=$(date -u +%s)
AT=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
export GIT_AUTHOR_DATE="$T +0000" GIT_COMMITTER_DATE="$T +0000"
tamper() { rm -rf "$1"; cp -a v "$1"; }
tokdir() { h=$(printf %s "$1" | sha256sum); echo "tokens/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$1"; }
# forge_as VAULT KEY OP MESSAGE SPEC...: signed by KEY, authored as KEY's user, as qvault writes
forge_as() {
	fv=$1 fk=$2 fop=$3 fm=$4
	fo=$(git -C "$fv" show "main:users/$fk/user.json" | jq -r .org)
	shift 4
	GIT_AUTHOR_NAME=$fk GIT_AUTHOR_EMAIL=$fk@$fo GIT_COMMITTER_NAME=$fk GIT_COMMITTER_EMAIL=$fk@$fo \
		forge_commit "$fv" "$fk" "$fm

Qvault-Op: $fop" "$@"
}
# token_json ID USER BY [JQ]: a token record as qvault writes it, edited by JQ
token_json() {
	jq -S --indent 2 -n --arg id "$1" --arg u "$2" --arg by "$3" --arg at "$AT" \
		--arg h "$(printf 'a forged secret' | sha256sum | cut -c1-64)" \
		'{record: "token", format: 1, id: $id, user: $u, scope: "write", sha256: $h,
		  created_by: $by, created_at: $at}' | jq -S --indent 2 "${4:-.}"
}
F=1111222233334444
G=5555666677778888

tamper f0
token_json $F sam ada > t.json
forge_as f0 ada token-create "token create $F for sam (write)" "$(tokdir $F)/token.json=t.json"
ok "a token written with stock git as qvault writes it passes verify" q -C f0 verify

tamper f1
token_json $F sid sid > t.json
forge_as f1 sid token-create "token create $F for sid (write)" "$(tokdir $F)/token.json=t.json"
check "a supplier creating a token for itself is caught" \
	culprit f1 "$(tokdir $F)/token.json: user 'sid' may not manage API tokens \(needs role admin\)"

tamper f2
token_json $F sam ada > t.json
forge_as f2 ada token-create "token create $F for sam (write)" "$(tokdir $G)/token.json=t.json"
check "a token.json at another id's folder is caught" \
	culprit f2 "$(tokdir $G)/token.json: the token record is malformed or stored where another belongs"

tamper f3
printf '{"format": 1, "id": "%s", "record": "token-revoked", "revoked_at": "%s", "revoked_by": "ada"}\n' \
	$F "$AT" > r.json
forge_as f3 ada token-revoke "token revoke $F" "$(tokdir $F)/revoked.json=r.json"
check "a revoked.json without its token is caught" \
	culprit f3 "$(tokdir $F)/revoked.json: token '$F' was not recorded before its revocation"

tamper f4
token_json $F sam ada > t.json
make_pdf x.pdf "smuggled"
h=$(printf %s DWG-9 | sha256sum)
forge_as f4 ada token-create "token create $F for sam (write)" "$(tokdir $F)/token.json=t.json" \
	"docs/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/DWG-9/A/files/x.pdf=x.pdf"
check "a token-create commit that also writes something else is caught" \
	culprit f4 "the commit's Qvault-Op 'token-create' does not name all it changed"

tamper f5
token_json $F sam ada '. + {secret: "kept in the clear"}' > t.json
forge_as f5 ada token-create "token create $F for sam (write)" "$(tokdir $F)/token.json=t.json"
check "a token record that holds more than a token record is caught" \
	culprit f5 "$(tokdir $F)/token.json: the token record holds 'secret'"

tamper f6
token_json $F ada ada > t.json
forge_as f6 ada token-create "token create $F for ada (write)" "$(tokdir $F)/token.json=t.json"
check "a token for an admin is caught" \
	culprit f6 "$(tokdir $F)/token.json: the token's user 'ada' is an admin"

tamper f7
token_json $F sam admin > t.json
forge_as f7 ada token-create "token create $F for sam (write)" "$(tokdir $F)/token.json=t.json"
check "a token naming another admin as its maker is caught" \
	culprit f7 "the record names 'admin' as its author, but 'ada' signed the commit"

tamper f8
token_json $F sam ada > t.json
forge_as f8 ada token-create "token create $F for sam (write)" "$(tokdir $F)/token.json=t.json"
forge_as f8 ada token-create "token create $F again" "$(tokdir $F)/token.json=rec.json"
check "a token rewritten (a second secret for one id) is caught" \
	culprit f8 "$(tokdir $F)/token.json: rewrites a record"

done_testing

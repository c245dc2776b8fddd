#!/bin/sh
# Attacks on `qvault export --epcis` (issue 21): a hostile supplier asking
# for another organization's lots, POs and sub-tier lots, directly and
# through the genealogy of its own; odd --since days and names that
# matter in URNs and JSON; cancelled and replaced ship notices, a
# withdrawn FAI package, a revoked user; what the buyer must see (the
# whole genealogy, receipts that differ, units other than EA); a forged
# record in a replica; the shell.  Each leak check stands beside a control
# showing the data is there for whom it is meant; each refusal is checked
# for its exit code, its one line and the vault unchanged.  Every export is
# validated against GS1's schema when the corpus and tests/epcis's
# node_modules are there (skipped, as in t0094, when not).
. "$(dirname "$0")/lib.sh"

TOP=$(cd "$TESTS_DIR/../.." && pwd)
SCHEMA=${QVAULT_CORPUS:-}/epcis/EPCIS-JSON-Schema.json
if [ -f "$SCHEMA" ] && command -v node > /dev/null &&
   [ -d "$TOP/tests/epcis/node_modules/ajv-formats" ]; then
	schema=yes
else
	schema=
fi
valid() { node "$TOP/tests/epcis/validate.js" "$SCHEMA" "$@"; }
# ex OUT ARGS...: the buyer's export to OUT.jsonld; kex KEY OUT ARGS...:
# KEY's (each kept, and validated against the schema at the end)
ex() { out=$1; shift; q export --epcis -o "$out.jsonld" "$@" > /dev/null; }
kex() { k=$1 out=$2; shift 2; q --key "$k" export --epcis -o "$out.jsonld" "$@" > /dev/null; }
# py FILE CODE: CODE run with d (the document), events, ids (each event's
# name after :event:), text (the whole file) and lots() (the lot classes)
py() {
	python3 - "$@" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
d = json.loads(text)
events = d["epcisBody"]["eventList"]
ids = [e["eventID"].split(":event:")[1] for e in events]
def lots():
    out = set()
    for e in events:
        for k in ("quantityList", "inputQuantityList", "outputQuantityList"):
            for q in e.get(k, []):
                out.add(q["epcClass"].split(":", 3)[3])
    return out
exec(sys.argv[2])
PY
}

vault_v sam:acme zed:zenith
make_pdf c.pdf "drawing rev C"
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C --line BAR-1:10:DWG-1@C > /dev/null
q po add PO-2 --supplier zenith --line ZP-7:10:DWG-1@C > /dev/null
# acme: a mill heat -> H-77 -> L-1, shipped, received short, FAI, NCR
q --key sam.pem lot add H-2291 --part BAR-6061 --qty 20 --source "Mill name" > /dev/null
q --key sam.pem lot add H-77 --po PO-1 --part BAR-1 --qty 10 --made 2099-01-01 --from H-2291:12 > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 6 --made 2099-01-02 --from H-77:4 > /dev/null
q --key sam.pem asn add --po PO-1 --ship-date 2099-01-10 --package CTN-1:L-1:5 > /dev/null 2>&1
q asn receive ASN-000001 --date 2099-01-12 --qty L-1:4 > /dev/null
fai_pkg FAIR-1 6.01
q --key sam.pem fai add fai.zip --lot L-1 > /dev/null
q fai accept FAIR-1@A > /dev/null
# zenith: its own mill heat ZH-9 -> Z-1, shipped, an NCR
q --key zed.pem lot add ZH-9 --part ZBAR --qty 30 --source "Zenith mill" > /dev/null
q --key zed.pem lot add Z-1 --po PO-2 --part ZP-7 --qty 6 --made 2099-01-03 --from ZH-9:6 > /dev/null
q --key zed.pem asn add --po PO-2 --ship-date 2099-01-11 --package ZC-1:Z-1:5 > /dev/null 2>&1
q ncr add --lot Z-1 --reason "zenith secret reason" > /dev/null

# ---- 1. another organization's records, asked for by name -----------------
ok "1 control: the buyer exports zenith's Z-1" ex z1 --lot Z-1
check "  it holds Z-1, made from ZH-9 in zenith's scope, zenith's ship notice and NCR" py z1.jsonld '
assert lots() == {"lot:ZP-7:Z-1", "subtier-lot:zenith:ZBAR:ZH-9"}, lots()
assert sorted(ids) == ["made:Z-1", "ncr:NCR-000001", "shipped:ASN-000002"], ids'
ok "  and zenith exports its own the same" kex zed.pem z1zed --lot Z-1
check "  byte for byte" cmp -s z1.jsonld z1zed.jsonld
fails 1 "^qvault: no lot 'Z-1'$" "1a: acme's export of zenith's lot is refused as absent" \
	q --key sam.pem export --epcis --lot Z-1 -o x.jsonld
fails 1 "^qvault: no PO 'PO-2'$" "1b: acme's export of zenith's PO is refused as absent" \
	q --key sam.pem export --epcis --po PO-2 -o x.jsonld
fails 1 "^qvault: no lot 'ZH-9'$" "1c: acme's export of zenith's sub-tier lot is refused as absent" \
	q --key sam.pem export --epcis --lot ZH-9 -o x.jsonld
ok "1c control: the buyer exports the sub-tier lot ZH-9" ex zh9 --lot ZH-9
check "  the lot made from it, its shipment and NCR" py zh9.jsonld '
assert sorted(ids) == ["made:Z-1", "ncr:NCR-000001", "shipped:ASN-000002"], ids'
fails 1 "^qvault: no lot 'NOPE-1'$" "1d: and one that exists nowhere, in the same words" \
	q --key sam.pem export --epcis --lot NOPE-1 -o x.jsonld
check "  no file left by any refusal" sh -c '[ ! -e x.jsonld ]'

# ---- 2. another organization's records, through the genealogy of one's own ----
# quality records acme's L-X made from zenith's Z-1, and zenith's Z-2 made
# from acme's L-1: each supplier's export of its own lot says nothing of
# the other's lot, part, PO, organization, ship notice or NCR
q lot add L-X --po PO-1 --part PN-1 --qty 2 --made 2099-01-04 --from Z-1:1 > /dev/null
q lot add Z-2 --po PO-2 --part ZP-7 --qty 1 --made 2099-01-05 --from L-1:1 > /dev/null
# nothing of zenith's: its name, its lots (PO and sub-tier), parts, PO, ship notice, NCR
ZEN='zenith|Z-1|Z-2|ZH-9|ZP-7|ZBAR|PO-2|ASN-000002|NCR-000001|secret'
ACME='acme|L-1|L-X|H-77|H-2291|PN-1|BAR-1|BAR-6061|PO-1|ASN-000001|FAIR-1'
ok "2 control: the buyer exports L-X" ex lx --lot L-X
check "  its TransformationEvent draws on zenith's Z-1, whose own (from ZH-9) is there too" py lx.jsonld '
t = [e for e in events if e["eventID"].endswith(":event:made:L-X")][0]
assert t["type"] == "TransformationEvent", t
assert [q["epcClass"].split(":", 3)[3] for q in t["inputQuantityList"]] == ["lot:ZP-7:Z-1"], t
assert {"lot:ZP-7:Z-1", "subtier-lot:zenith:ZBAR:ZH-9"} <= lots(), lots()
assert "shipped:ASN-000002" in ids and "ncr:NCR-000001" in ids, ids'
ok "2a: acme exports its L-X" kex sam.pem lxsam --lot L-X
check "  nothing of zenith's in it: L-X made of nothing acme may see (an ObjectEvent ADD)" py lxsam.jsonld '
import re
assert not re.search(r"'"$ZEN"'", text), re.search(r"'"$ZEN"'", text)
assert ids == ["made:L-X"], ids
assert (events[0]["type"], events[0]["action"]) == ("ObjectEvent", "ADD"), events[0]'
ok "2b: acme exports its L-1, which zenith's Z-2 was made from" kex sam.pem l1sam --lot L-1
check "  nothing of zenith's in it, all of its own genealogy" py l1sam.jsonld '
import re
assert not re.search(r"'"$ZEN"'", text), re.search(r"'"$ZEN"'", text)
assert lots() == {"lot:PN-1:L-1", "lot:BAR-1:H-77", "subtier-lot:acme:BAR-6061:H-2291"}, lots()'
ok "2b control: the buyer's export of L-1 holds Z-2, made from it" ex l1 --lot L-1
check "  (Z-2's TransformationEvent, L-1 in)" py l1.jsonld '
t = [e for e in events if e["eventID"].endswith(":event:made:Z-2")][0]
assert [q["epcClass"].split(":", 3)[3] for q in t["inputQuantityList"]] == ["lot:PN-1:L-1"], t'
ok "2c: zenith exports its Z-2, made from acme's L-1" kex zed.pem z2zed --lot Z-2
check "  nothing of acme's in it" py z2zed.jsonld '
import re
assert not re.search(r"'"$ACME"'", text), re.search(r"'"$ACME"'", text)
assert ids == ["made:Z-2"], ids'
for f in po1sam:--po:PO-1 allsam:--since:0001-01-01; do
	ok "2d: acme exports ${f#*:}" kex sam.pem ${f%%:*} $(echo ${f#*:} | tr : ' ')
	check "  nothing of zenith's in it; all of acme's lots" py ${f%%:*}.jsonld '
import re
assert not re.search(r"'"$ZEN"'", text), re.search(r"'"$ZEN"'", text)
assert {l.split(":")[-1] for l in lots()} == {"L-1", "L-X", "H-77", "H-2291"}, lots()'
done
ok "2d control: the buyer's since 0001-01-01 holds both organizations'" ex all --since 0001-01-01
check "  zenith's and acme's lots" py all.jsonld '
assert {l.split(":")[-1] for l in lots()} == {"L-1", "L-X", "H-77", "H-2291", "Z-1", "Z-2", "ZH-9"}, lots()'
ok "2e: zenith exports its sub-tier heat ZH-9" kex zed.pem zh9zed --lot ZH-9
check "  Z-1 made from it; not acme's L-X, made from Z-1" py zh9zed.jsonld '
import re
assert not re.search(r"'"$ACME"'", text), re.search(r"'"$ACME"'", text)
assert sorted(ids) == ["made:Z-1", "ncr:NCR-000001", "shipped:ASN-000002"], ids'

# ---- 3. --since: odd days -------------------------------------------------
for d in 2099-1-6 2099-01-06T00:00:00Z 2099-01-06+05:00 "2099-01-06 " 2099-02-29 0000-00-00 \
	 "' OR 1=1 --" ""; do
	fails 2 "^qvault: export: --since '.*' is not a date \(YYYY-MM-DD\)" "3: --since '$d' is refused as no date" \
		q --key sam.pem export --epcis --since "$d" -o x.jsonld
done
ok "3: --since 9999-12-31, after every event" kex sam.pem future --since 9999-12-31
check "  an empty event list" py future.jsonld 'assert events == [], events'
ok "3: --since 2099-01-03 in another time zone's clock changes nothing: days are UTC" \
	sh -c 'TZ=Pacific/Kiritimati q export --epcis --since 2099-01-03 -o tz1.jsonld > /dev/null &&
		TZ=America/Adak q export --epcis --since 2099-01-03 -o tz2.jsonld > /dev/null &&
		cmp -s tz1.jsonld tz2.jsonld'
check "  the events of that day and after, none before" py tz1.jsonld '
assert events and all(e["eventTime"] >= "2099-01-03" for e in events), ids
assert "made:Z-1" in ids and "made:L-1" not in ids, ids'

# ---- 4. names that matter in URNs and JSON ---------------------------------
# '+' is encoded in an URN, the rest of . _ - kept
q --key sam.pem lot add "L+2.x_Y" --po PO-1 --part PN-1 --qty 1 --made 2099-01-06 > /dev/null
q --key sam.pem lot add "L-2B2.x_Y" --po PO-1 --part PN-1 --qty 1 --made 2099-01-06 > /dev/null
ok "4: acme exports both its lots L+2.x_Y and L-2B2.x_Y" kex sam.pem names --po PO-1
check "  each its own class: '+' percent-encoded, the rest kept, no two names one URN" py names.jsonld '
c = sorted(l for l in lots() if "x_Y" in l)
assert c == ["lot:PN-1:L%2B2.x_Y", "lot:PN-1:L-2B2.x_Y"], c'
# names hold any text but controls (issue 22): '%', ':', '/', spaces, quotes
# and non-ASCII are percent-encoded in the URN, so no name can end another
q --key sam.pem lot add 'L%2B2:x/1 "é"' --po PO-1 --part PN-1 --qty 1 --made 2099-01-06 > /dev/null
ok "4: acme exports its lot 'L%2B2:x/1 \"é\"'" kex sam.pem odd --lot 'L%2B2:x/1 "é"'
check "  its URN encodes every byte but RFC 3986's unreserved, ':' and '%' among them" py odd.jsonld '
assert "lot:PN-1:L%252B2%3Ax%2F1%20%22%C3%A9%22" in lots(), lots()'
for nm in "L%2B2.x_Y" "L:1" "L/1" "L 1" "L-1é" '"L-1' "L-1\\"; do
	fails 1 "^qvault: no lot '.*'$" "4: --lot '$nm', a name no lot has, is refused as absent" \
		q --key sam.pem export --epcis --lot "$nm" -o x.jsonld
done
for nm in "$(printf 'L-1\001')" "$(printf 'L-1\033[2J')"; do
	fails 1 "^qvault: lot '.*' contains a control character" \
		"4: --lot '$(printf %s "$nm" | cat -v)' is refused as no name" \
		q --key sam.pem export --epcis --lot "$nm" -o x.jsonld
done
fails 1 "^qvault: no PO 'PO-1:x'" "4: --po 'PO-1:x', a name no PO has, is refused as absent" \
	q --key sam.pem export --epcis --po "PO-1:x" -o x.jsonld

# ---- 5. ship notices cancelled or replaced ----------------------------------
q --key sam.pem lot add L-2 --po PO-1 --part PN-1 --qty 6 --made 2099-01-07 > /dev/null
q --key sam.pem asn add --id ASN-R1 --po PO-1 --ship-date 2099-01-08 --package CTN-5:L-2:6 > /dev/null 2>&1
ok "5 control: L-2 shipped, 6 of it, by ASN-R1" kex sam.pem l2a --lot L-2
check "  its shipment" py l2a.jsonld '
s = [(i, e["quantityList"][0]["quantity"]) for i, e in zip(ids, events) if e.get("bizStep") == "shipping"]
assert s == [("shipped:ASN-R1", 6)], s'
q --key sam.pem asn add --replaces ASN-R1 --po PO-1 --ship-date 2099-01-09 --package CTN-5:L-2:4 > /dev/null 2>&1
ok "5a: ASN-R1 replaced (4 of L-2, a day later)" kex sam.pem l2b --lot L-2
check "  one shipment: the replacement's 4 on its day; nothing of what it replaced" py l2b.jsonld '
s = [(i, e["eventTime"], e["quantityList"]) for i, e in zip(ids, events) if e.get("bizStep") == "shipping"]
assert s == [("shipped:ASN-R1", "2099-01-09T00:00:00Z", [{"epcClass": s[0][2][0]["epcClass"], "quantity": 4}])], s
assert "2099-01-08" not in text'
q --key sam.pem asn cancel ASN-R1 --reason "not sent" > /dev/null
ok "5b: the replacement cancelled" kex sam.pem l2c --lot L-2
check "  no shipment at all" py l2c.jsonld 'assert ids == ["made:L-2"], ids'

# ---- 6. a withdrawn FAI package counts for nothing ------------------------
fai_pkg FAIR-2 6.01
q --key sam.pem fai add fai.zip --lot L-2 > /dev/null
ok "6 control: L-2's FAI package FAIR-2, conformant" kex sam.pem l2d --lot L-2
check "  its inspection" py l2d.jsonld '
assert "inspected-fai:FAIR-2:A" in ids, ids'
q --key sam.pem withdraw FAIR-2@A --reason "measured the wrong lot" > /dev/null
ok "6a: withdrawn by acme" kex sam.pem l2e --lot L-2
check "  no inspection of L-2 is said any more" py l2e.jsonld 'assert ids == ["made:L-2"], ids'
ok "6a: the buyer's export of L-2" ex l2f --lot L-2
check "  no inspection either" py l2f.jsonld 'assert ids == ["made:L-2"], ids'

# ---- 7. a revoked user -----------------------------------------------------
add_supplier old acme
q --key old.pem lot add L-OLD --po PO-1 --part PN-1 --qty 1 --made 2099-01-06 > /dev/null
q --key "$TMP/admin.pem" user revoke old > /dev/null
ok "7 control: the lot old wrote before it was revoked stays, the buyer exports it" ex old --lot L-OLD
check "  its making" py old.jsonld 'assert ids == ["made:L-OLD"], ids'
fails 1 "revoked" "7: old's key exports nothing any more" \
	q --key old.pem export --epcis --lot L-OLD -o x.jsonld

# ---- 8. what the buyer must see: units, receipts that differ ---------------
printf 'po,supplier,line,part,qty,doc,rev,due,unit,pack_unit,pack_size\nPO-4,acme,1,PN-4,120,DWG-1,C,,LB,,\n' > po4.csv
q po import po4.csv > /dev/null
q --key sam.pem lot add L-LB --po PO-4 --part PN-4 --qty 40 --made 2099-01-06 > /dev/null
q --key sam.pem asn add --id ASN-LB --po PO-4 --ship-date 2099-01-07 --package CTN-8:L-LB:40 > /dev/null 2>&1
q asn receive ASN-LB --date 2099-01-08 --qty L-LB:41 > /dev/null
ok "8: a lot of a PO line in pounds, shipped 40, received 41" ex lb --lot L-LB
check "  every quantity in pounds (LBR), the receipt 41 and mismatch_quantity" py lb.jsonld '
q = [(i, e.get("disposition"), [(x["quantity"], x.get("uom")) for x in e["quantityList"]]) for i, e in zip(ids, events)]
assert q == [("made:L-LB", "active", [(40, "LBR")]), ("shipped:ASN-LB", "in_transit", [(40, "LBR")]),
             ("received:ASN-LB", "mismatch_quantity", [(41, "LBR")])], q'
printf 'po,supplier,line,part,qty,doc,rev,due,unit,pack_unit,pack_size\nPO-5,acme,1,PN-5,90,DWG-1,C,,BG,,\n' > po5.csv
q po import po5.csv > /dev/null
q --key sam.pem lot add L-BG --po PO-5 --part PN-5 --qty 30 --made 2099-01-06 > /dev/null
q --key sam.pem asn add --id ASN-BG --po PO-5 --ship-date 2099-01-07 --package CTN-9:L-BG:30 > /dev/null 2>&1
q asn receive ASN-BG --date 2099-01-08 --qty L-BG:29 > /dev/null
ok "8: a lot of a PO line in bags (BG, no UN/ECE code known here), received 29 of 30" ex bg --lot L-BG
check "  no quantity said in a wrong unit (none is), the receipt still mismatch_quantity" py bg.jsonld '
q = [(i, e.get("disposition"), e["quantityList"]) for i, e in zip(ids, events)]
assert [(i, d, [sorted(x) for x in ql]) for i, d, ql in q] == [("made:L-BG", "active", [["epcClass"]]),
    ("shipped:ASN-BG", "in_transit", [["epcClass"]]), ("received:ASN-BG", "mismatch_quantity", [["epcClass"]])], q'
ok "8: and L-1's whole genealogy for the buyer: made, shipped, received short, inspected" ex l1b --lot L-1
check "  every event of L-1, H-77 and the heat, and Z-2 made from L-1" py l1b.jsonld '
assert sorted(ids) == sorted(["made:H-77", "made:L-1", "made:Z-2", "shipped:ASN-000001", "received:ASN-000001",
                              "inspected-fai:FAIR-1:A", "reviewed-fai:FAIR-1:A"]), ids
r = events[ids.index("received:ASN-000001")]
assert r["quantityList"][0]["quantity"] == 4 and r["disposition"] == "mismatch_quantity", r'

# ---- 9. the shell ------------------------------------------------------------
fails 2 "^qvault shell: 'export' is not a command qvault shell runs$" \
	"9: through qvault shell (SSH) an export is no command" \
	env SSH_ORIGINAL_COMMAND="export --epcis --lot Z-1 -o x.jsonld" q shell --user sam

# ---- 10. a forged record in a replica ---------------------------------------
# zoe of zenith (a key made by ssh-keygen), with a copy of the vault,
# writes with stock git and her own key a lot of acme's PO-1 made from
# acme's L-1 (a record qvault would refuse her): verify refuses the copy,
# and a pull of it is refused.  (The copy's own index takes the commit in
# unverified, as for every read: its trace and export name L-666 until
# verify is run; the copy is its holder's bytes, which verify judges.)
ssh-keygen -q -t ed25519 -N '' -C zoe -f zoe
q --key "$TMP/admin.pem" user add zoe --org zenith --role supplier --pubkey zoe.pub > /dev/null
q clone "file://$TMP/v" r > /dev/null 2>&1
printf '{"record":"lot","format":1,"lot":"L-666","po":"PO-1","part":"PN-1","qty":1,"made":"2099-01-06","from":[{"lot":"L-1","qty":1}],"supplier":"acme","created_by":"zoe","created_at":"%s"}\n' \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ)" > lot666.json
forge r zoe "lot add L-666 of PO-1

Qvault-Op: lot-add
Qvault-Lot: L-666" "lots/$(dir_of L-666)/L-666/lot.json=lot666.json"
check "10: the forged lot in the copy is refused by verify" \
	culprit r "user 'zoe' of 'zenith' records a lot of 'acme''s PO 'PO-1'"
ex l1pre --lot L-1
V=v
fails 3 "does not verify|zoe" "10: a pull of the forged copy is refused, the vault unchanged" \
	q pull "file://$TMP/r"
ok "  the vault's own export of L-1 knows nothing of L-666" ex l1c --lot L-1
check "  (the same bytes as before the pull)" cmp -s l1c.jsonld l1pre.jsonld

# ---- 11. same vault, same bytes; all valid ------------------------------------
check "11: the same vault gives the same bytes, the index rebuilt or not" sh -c '
	q export --epcis --since 0001-01-01 -o s1.jsonld > /dev/null &&
	q reindex > /dev/null && q export --epcis --since 0001-01-01 -o s2.jsonld > /dev/null &&
	cmp -s s1.jsonld s2.jsonld'
check "  no refusal left a file" sh -c '[ ! -e x.jsonld ]'
if [ -n "$schema" ]; then
	check "11: every export above valid against GS1's EPCIS 2.0 schema ($(ls *.jsonld | wc -l) files)" \
		valid *.jsonld
else
	_skip "no EPCIS schema at ${QVAULT_CORPUS:-\$QVAULT_CORPUS}/epcis, no node or no tests/epcis/node_modules: not validated"
fi

done_testing

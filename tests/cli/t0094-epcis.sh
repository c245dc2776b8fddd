#!/bin/sh
# EPCIS 2.0 export (issue 21): `qvault export --epcis --lot LOT` (--po PO,
# --since DATE) writes the lots and their genealogy as an EPCIS 2.0
# JSON-LD document, valid against GS1's EPCIS 2.0 JSON Schema
# ($QVAULT_CORPUS/epcis, with ajv and ajv-formats from tests/epcis, versions
# in its package-lock.json) and using only terms of GS1's JSON-LD context:
# a TransformationEvent for a lot made from lots (its inputs and output by
# class and quantity), ObjectEvents for shipments, receipts, FAI packages,
# dispositions and NCRs.  Each read is the caller's: a supplier's export of
# another organization's lot is refused like a trace of it, and leaves
# nothing behind.  Without the corpus, node or tests/epcis/node_modules the
# schema checks say they are skipped; every other check runs.
. "$(dirname "$0")/lib.sh"

TOP=$(cd "$TESTS_DIR/../.." && pwd)
SCHEMA=${QVAULT_CORPUS:-}/epcis/EPCIS-JSON-Schema.json
CONTEXT=${QVAULT_CORPUS:-}/epcis/epcis-context.jsonld
EXAMPLE=${QVAULT_CORPUS:-}/epcis/Example_9.6.4-TransformationEvent.jsonld
if [ -f "$SCHEMA" ] && [ -f "$CONTEXT" ] && command -v node > /dev/null &&
   [ -d "$TOP/tests/epcis/node_modules/ajv-formats" ]; then
	schema=yes
else
	schema=
fi
# valid FILE...: each file valid against GS1's schema (ajv)
valid() { node "$TOP/tests/epcis/validate.js" "$SCHEMA" "$@"; }
# py FILE CODE: CODE run with d, the JSON of FILE, and ev(type, step), the
# events of that type and bizStep, and cls(part, lot), a lot's epcClass
py() {
	python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
events = d["epcisBody"]["eventList"]
vault = None
def ev(t, step=None):
    return [e for e in events if e["type"] == t and (step is None or e.get("bizStep") == step)]
def cls(part, lot):
    root = events[0]["eventID"].split(":")[2]
    return "urn:qvault:%s:lot:%s:%s" % (root, part, lot)
def lots():
    out = set()
    for e in events:
        for k in ("quantityList", "inputQuantityList", "outputQuantityList"):
            for q in e.get(k, []):
                out.add(q["epcClass"].split(":")[-1])
    return out
exec(sys.argv[2])
PY
}

vault_v sam:acme zed:zenith
make_pdf c.pdf "drawing rev C"
q release DWG-1 --rev C c.pdf --to acme,zenith > /dev/null
q po add PO-1 --supplier acme --line PN-1:50:DWG-1@C --line BAR-1:10:DWG-1@C > /dev/null
q po add PO-2 --supplier zenith --line PN-1:5:DWG-1@C > /dev/null
q po add PO-3 --supplier acme --line PN-9:8:DWG-1@C > /dev/null
# a mill heat (sub-tier) -> bar lot H-77 -> part lot L-1, shipped, partly
# received, inspected (FAI accepted), one NCR; zenith's lot Z-1, shipped
# by its lot record alone; acme's lot L+9 of another PO, made of nothing
q --key sam.pem lot add H-2291 --part BAR-6061 --qty 20 --source "Mill name" > /dev/null
q --key sam.pem lot add H-77 --po PO-1 --part BAR-1 --qty 10 --made 2099-01-01 --from H-2291:12 > /dev/null
q --key sam.pem lot add L-1 --po PO-1 --part PN-1 --qty 5 --made 2099-01-02 --from H-77:4 > /dev/null
q --key sam.pem lot add L+9 --po PO-3 --part PN-9 --qty 8 --made 2099-01-03 > /dev/null
q --key zed.pem lot add Z-1 --po PO-2 --part PN-1 --qty 1 --made 2099-01-05 --shipped 2099-01-06 > /dev/null
q --key sam.pem asn add --po PO-1 --ship-date 2099-01-10 --package CTN-1:L-1:5 > /dev/null 2>&1
# a ship notice sent in error and cancelled ships nothing
q --key sam.pem asn add --id ASN-X --po PO-3 --ship-date 2099-01-04 --package CTN-9:L+9:8 > /dev/null 2>&1
q --key sam.pem asn cancel ASN-X --reason "sent twice" > /dev/null
q asn receive ASN-000001 --date 2099-01-12 --qty L-1:4 > /dev/null
fai_pkg FAIR-1 6.01
q --key sam.pem fai add fai.zip --lot L-1 > /dev/null
q fai accept FAIR-1@A > /dev/null
q ncr add --lot L-1 --reason "one part dented" > /dev/null

ok "export --epcis --lot writes an EPCIS document" sh -c 'q export --epcis --lot L-1 -o l1.jsonld > said.txt'
check "  and says how many events, how many TransformationEvents" \
	grep -qx "wrote l1.jsonld: an EPCIS 2.0 document of 7 events (2 TransformationEvents)" said.txt
if [ -n "$schema" ]; then
	check "  valid against GS1's EPCIS 2.0 JSON Schema (ajv, ajv-formats)" valid l1.jsonld
	check "  the validator passes GS1's own example and fails a broken document" sh -c "
		node '$TOP/tests/epcis/validate.js' '$SCHEMA' '$EXAMPLE' > /dev/null &&
		sed 's/\"eventTimeZoneOffset\": \"+00:00\"/\"eventTimeZoneOffset\": \"UTC\"/' l1.jsonld > bad1.json &&
		sed 's/\"bizStep\": \"shipping\"/\"bizStep\": \"urn:epcglobal:cbv:bizstep:shipped\"/' l1.jsonld > bad2.json &&
		sed 's/\"epcClass\": \"urn:qvault:/\"epcClass\": \"not a uri:/' l1.jsonld > bad3.json &&
		! node '$TOP/tests/epcis/validate.js' '$SCHEMA' bad1.json > /dev/null &&
		! node '$TOP/tests/epcis/validate.js' '$SCHEMA' bad2.json > /dev/null &&
		! node '$TOP/tests/epcis/validate.js' '$SCHEMA' bad3.json > /dev/null"
	check "  its @context is GS1's, and every term it uses is defined there" python3 -c '
import json, sys
ctx = json.load(open(sys.argv[1]))
terms = set()
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            terms.add(k); walk(v)
    elif isinstance(o, list):
        for v in o: walk(v)
walk(ctx["@context"])
d = json.load(open(sys.argv[2]))
assert d["@context"] == ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], d["@context"]
used = set()
def use(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k != "@context":
                used.add(k)
            # vocabulary values (action is a plain string: OBSERVE, ADD)
            if k in ("type", "bizStep", "disposition"):
                used.add(v)
            use(v)
    elif isinstance(o, list):
        for v in o: use(v)
use(d)
missing = used - terms
assert not missing, missing' "$CONTEXT" l1.jsonld
else
	_skip "no EPCIS schema at ${QVAULT_CORPUS:-\$QVAULT_CORPUS}/epcis, no node or no tests/epcis/node_modules (make check installs it): not validated"
fi
check "  L-1 made from H-77: a TransformationEvent, 4 of H-77 in, 5 of L-1 out" py l1.jsonld '
t = [e for e in ev("TransformationEvent") if e["outputQuantityList"][0]["epcClass"] == cls("PN-1", "L-1")]
assert len(t) == 1, t
t = t[0]
assert t["inputQuantityList"] == [{"epcClass": cls("BAR-1", "H-77"), "quantity": 4}], t
assert t["outputQuantityList"] == [{"epcClass": cls("PN-1", "L-1"), "quantity": 5}], t
assert t["eventTime"] == "2099-01-02T00:00:00Z" and t["eventTimeZoneOffset"] == "+00:00", t
assert (t["bizStep"], t["disposition"]) == ("creating_class_instance", "active"), t
assert t["bizTransactionList"][0]["type"] == "po" and t["bizTransactionList"][0]["bizTransaction"].endswith(":po:PO-1"), t'
check "  H-77 made from the mill heat: the sub-tier lot in, in acme's scope" py l1.jsonld '
t = [e for e in ev("TransformationEvent") if e["outputQuantityList"][0]["epcClass"] == cls("BAR-1", "H-77")][0]
assert [q["epcClass"].split(":", 3)[3] for q in t["inputQuantityList"]] == ["subtier-lot:acme:BAR-6061:H-2291"], t
assert t["outputQuantityList"][0]["quantity"] == 10, t'
check "  the shipment: shipping, in_transit, 5 of L-1, the PO and the ship notice" py l1.jsonld '
s = ev("ObjectEvent", "shipping")
assert len(s) == 1, s
s = s[0]
assert (s["action"], s["disposition"], s["eventTime"]) == ("OBSERVE", "in_transit", "2099-01-10T00:00:00Z"), s
assert s["quantityList"] == [{"epcClass": cls("PN-1", "L-1"), "quantity": 5}], s
assert [b["type"] for b in s["bizTransactionList"]] == ["po", "desadv"], s
assert s["bizTransactionList"][1]["bizTransaction"].endswith(":asn:ASN-000001"), s
assert s["sourceList"][0]["type"] == "owning_party" and s["sourceList"][0]["source"].endswith(":org:acme"), s'
check "  the receipt: receiving, 4 of the 5, mismatch_quantity" py l1.jsonld '
r = ev("ObjectEvent", "receiving")
assert len(r) == 1 and r[0]["quantityList"] == [{"epcClass": cls("PN-1", "L-1"), "quantity": 4}], r
assert r[0]["disposition"] == "mismatch_quantity" and r[0]["eventTime"] == "2099-01-12T00:00:00Z", r'
check "  the inspections: the FAI and its acceptance conformant, the NCR non_conformant" py l1.jsonld '
i = ev("ObjectEvent", "inspecting")
got = sorted((e["eventID"].split(":event:")[1], e["disposition"]) for e in i)
assert got == [("inspected-fai:FAIR-1:A", "conformant"), ("ncr:NCR-000001", "non_conformant"),
               ("reviewed-fai:FAIR-1:A", "conformant")], got
assert all(e["quantityList"] == [{"epcClass": cls("PN-1", "L-1")}] for e in i), i
assert any(b.get("type") == "testres" and b["bizTransaction"].endswith(":doc:FAIR-1:A")
           for b in i[0]["bizTransactionList"] + i[1]["bizTransactionList"]), i'
check "  events in time order, each named once, no other lot" py l1.jsonld '
times = [e["eventTime"] for e in events]
assert times == sorted(times), times
assert len({e["eventID"] for e in events}) == len(events)
assert lots() == {"L-1", "H-77", "H-2291"}, lots()'
check "the same vault gives the same bytes" sh -c '
	q export --epcis --lot L-1 -o l1b.jsonld > /dev/null && cmp -s l1.jsonld l1b.jsonld'
check "  and an export of a lot upstream holds the same genealogy" sh -c '
	q export --epcis --lot H-77 -o h77.jsonld > /dev/null &&
	grep -q "\"eventID\": \"urn:qvault:[0-9a-f]*:event:made:L-1\"" h77.jsonld'

# --po and --since select
ok "export --epcis --po PO-3" q export --epcis --po PO-3 -o po3.jsonld
check "  (whose ship notice ASN-X was recorded, then cancelled)" sh -c 'q asn show ASN-X | grep -q "cancelled"'
check "  its lot alone, made of nothing: an ObjectEvent ADD; a name percent-encoded; its cancelled ship notice none" py po3.jsonld '
assert len(events) == 1, events
e = events[0]
assert (e["type"], e["action"], e["bizStep"]) == ("ObjectEvent", "ADD", "creating_class_instance"), e
assert e["quantityList"] == [{"epcClass": cls("PN-9", "L%2B9"), "quantity": 8}], e'
ok "export --epcis --po PO-1" q export --epcis --po PO-1 -o po1.jsonld
check "  the PO's lots and genealogy, no other PO's" py po1.jsonld '
assert lots() == {"L-1", "H-77", "H-2291"}, lots()'
ok "export --epcis --since 2099-01-06: every lot, the events of that day and after" \
	q export --epcis --since 2099-01-06 -o since.jsonld
check "  Z-1's shipment by its lot record, L-1's shipment and receipt, nothing older" py since.jsonld '
got = [(e["eventID"].split(":event:")[1], e.get("bizStep")) for e in events]
assert got == [("shipped-lot:Z-1", "shipping"), ("shipped:ASN-000001", "shipping"),
               ("received:ASN-000001", "receiving")], got
assert all(e["eventTime"] >= "2099-01-06" for e in events)'
ok "export --epcis --lot L-1 --since 2099-01-11" q export --epcis --lot L-1 --since 2099-01-11 -o ls.jsonld
check "  only the receipt" py ls.jsonld '
assert [e["bizStep"] for e in events] == ["receiving"], events'
ok "export --epcis --lot L-1 --since 2999-01-01" q export --epcis --lot L-1 --since 2999-01-01 -o none.jsonld
check "  no event: an empty event list" py none.jsonld 'assert events == [], events'
if [ -n "$schema" ]; then
	check "  each of these valid against GS1's schema" valid po3.jsonld po1.jsonld since.jsonld ls.jsonld none.jsonld
fi

ok "export --epcis --lot of a sub-tier lot: the lots made from it" q export --epcis --lot H-2291 -o heat.jsonld
check "  H-77 and L-1, made from it" py heat.jsonld '
assert [e["eventID"].split(":event:")[1] for e in ev("TransformationEvent")] == ["made:H-77", "made:L-1"]
assert lots() == {"L-1", "H-77", "H-2291"}, lots()'

# what a supplier may see
ok "a supplier exports its own lot" q --key sam.pem export --epcis --lot L-1 -o sam.jsonld
check "  the same document the buyer gets" cmp -s sam.jsonld l1.jsonld
ok "a supplier exports since a day" q --key sam.pem export --epcis --since 2099-01-01 -o sams.jsonld
check "  its organization's lots only" py sams.jsonld '
assert lots() == {"L-1", "H-77", "H-2291", "L%2B9"}, lots()'
fails 1 "^qvault: no lot 'Z-1'$" "a supplier's export of another organization's lot is refused" \
	q --key sam.pem export --epcis --lot Z-1 -o z.jsonld
fails 1 "^qvault: no PO 'PO-2'$" "a supplier's export of another organization's PO is refused" \
	q --key sam.pem export --epcis --po PO-2 -o z.jsonld
fails 1 "^qvault: no lot 'NOPE'$" "an unknown lot" q export --epcis --lot NOPE -o z.jsonld
check "  none of them left a file" sh -c '[ ! -e z.jsonld ] && [ -z "$(ls -A | grep qvault-)" ]'
ok "the buyer exports Z-1" q export --epcis --lot Z-1 -o z1.jsonld
check "  its shipment from its lot record" py z1.jsonld '
assert [e["eventID"].split(":event:")[1] for e in events] == ["made:Z-1", "shipped-lot:Z-1"], events'

# usage
fails 2 "give one of --lot, --po, or --since alone|--epcis takes one of" "--epcis without a subject" \
	q export --epcis -o x.jsonld
fails 2 "--epcis takes one of --lot, --po, or --since alone" "--epcis with a lot and a PO" \
	q export --epcis --lot L-1 --po PO-1 -o x.jsonld
fails 2 "--epcis exports lots: give --lot, --po or --since, not --doc" "--epcis with --doc" \
	q export --epcis --doc DWG-1@C -o x.jsonld
fails 2 "^usage error|--since is for --epcis" "--since without --epcis" q export --lot L-1 --since 2099-01-01 -o x.zip
fails 2 "--since '2099-13-01' is not a date" "a day that is none" \
	q export --epcis --since 2099-13-01 -o x.jsonld
fails 2 "-o FILE.jsonld is required" "no output" q export --epcis --lot L-1
fails 1 "^qvault: 'l1.jsonld' exists; use --force to overwrite$" "an output that exists" \
	q export --epcis --lot L-1 -o l1.jsonld
check "  left as it was" cmp -s l1.jsonld l1b.jsonld
ok "--force replaces it" q export --epcis --lot H-77 -o l1.jsonld --force
check "nothing was left behind by the refusals" sh -c '[ ! -e x.jsonld ] && [ ! -e x.zip ]'

done_testing

# tsa.sh - a local RFC 3161 timestamp authority for a test script (after
# lib.sh): a CA, a TSA certificate of it (extendedKeyUsage critical
# timeStamping), one that expired years ago (made under libfaketime) and
# one of another CA, made with openssl in $TMP/tsa, and tests/tsa.py
# answering on 127.0.0.1.
#
#   tsa_start           make them and start the responder; sets TSA_URL
#                       and TSA_CA (the CA's certificate, PEM)
#   tsa_mode MODE       how it answers from now on (tests/tsa.py)
#   tsa_use VAULT       git config qvault.tsa and qvault.tsaCert of VAULT

# libfaketime itself: the faketime wrapper's shared memory fails now and then
TSA_FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1

tsa_cert() { # NAME SUBJECT CA [PREFIX [DAYS]]: a TSA key and certificate signed by CA
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.csr" -subj "$2" 2>> openssl.log &&
	printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
		"extendedKeyUsage=critical,timeStamping" > tsa.ext &&
	${4:-} openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial \
		-days "${5:-365}" -extfile tsa.ext -out "$1.crt" 2>> openssl.log
}

tsa_ca() { # NAME SUBJECT
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
		-out "$1.crt" -subj "$2" -days 3650 -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>> openssl.log
}

tsa_start() {
	mkdir -p "$TMP/tsa" && (
		cd "$TMP/tsa" &&
		tsa_ca ca "/CN=qvault test TSA CA" &&
		tsa_cert tsa "/CN=qvault test TSA" ca &&
		tsa_cert expired "/CN=qvault test TSA (expired)" ca \
			"env LD_PRELOAD=$TSA_FAKETIME_LIB FAKETIME=-2000d" 30 &&
		tsa_ca other-ca "/CN=another CA" &&
		tsa_cert other-tsa "/CN=another TSA" other-ca &&
		echo 01 > serial && echo good > mode &&
		cat > tsa.cnf <<-CNF
		[ tsa ]
		default_tsa = tsa_config1
		[ tsa_config1 ]
		dir = $TMP/tsa
		serial = \$dir/serial
		signer_cert = \$dir/tsa.crt
		certs = \$dir/ca.crt
		signer_key = \$dir/tsa.key
		signer_digest = sha256
		default_policy = 1.2.3.4.1
		digests = sha256, sha384, sha512
		accuracy = secs:1
		ordering = yes
		tsa_name = yes
		ess_cert_id_chain = no
		ess_cert_id_alg = sha256
		CNF
	) || { echo "cannot make the test TSA's keys and certificates: $(tail -1 "$TMP/tsa/openssl.log" 2> /dev/null)" >&2; return 1; }
	python3 "$TESTS_DIR/../tsa.py" "$TMP/tsa" &
	SERVES="$SERVES $!"
	for _i in $(seq 300); do
		[ -f "$TMP/tsa/port" ] && break
		sleep 0.1
	done
	[ -f "$TMP/tsa/port" ] || { echo "tests/tsa.py did not start in 30 s" >&2; return 1; }
	TSA_URL="http://127.0.0.1:$(cat "$TMP/tsa/port")/"
	TSA_CA="$TMP/tsa/ca.crt"
}

tsa_mode() { echo "$1" > "$TMP/tsa/mode"; }

tsa_use() {
	git --git-dir="$1" config qvault.tsa "$TSA_URL" &&
	git --git-dir="$1" config qvault.tsaCert "$TSA_CA"
}

# tsa_require: the script reports itself skipped, and ends, without what
# the test TSA needs
tsa_require() {
	if ! command -v openssl > /dev/null || ! command -v python3 > /dev/null ||
	   ! [ -r "$TSA_FAKETIME_LIB" ]; then
		_skip "no openssl, python3 or libfaketime (scripts/deps installs them)"
		done_testing
		exit 0
	fi
}

#!/bin/sh
# Libraries loaded on first use (vault/lazy.c): qvault does not link
# libqpdf, libmicrohttpd, libfido2 or libcbor, nor what they pull in
# (GnuTLS; libstdc++ for qpdf), and loads each only when a command needs
# it: a PDF checked, a server started, a passkey verified.  A library that
# lacks a function qvault calls is refused in one line that names the
# library and the function, and nothing is written.
. "$(dirname "$0")/lib.sh"

vault_v sam:acme
make_pdf a.pdf A
make_text c.csv

# ldd of the binary itself (not of a wrapper, as make stress runs it)
if command -v ldd > /dev/null && ldd "$QVAULT" > ldd.txt 2>&1 && grep -q libgit2 ldd.txt; then
	check "the binary does not link libqpdf, libmicrohttpd, libfido2, libcbor or GnuTLS" \
		sh -c '! grep -E "libqpdf|libmicrohttpd|libfido2|libcbor|libgnutls" ldd.txt'
else
	_skip "no ldd, or \$QVAULT is not the binary"
fi

# what the dynamic loader opened, as it reports it (LD_DEBUG=files)
LAZY='file=(libqpdf|libmicrohttpd|libfido2|libcbor)'
LD_DEBUG=files q list > /dev/null 2> ld1.txt
check "qvault list opens none of them" sh -c "grep -q 'file=libgit2' ld1.txt && ! grep -Eq '$LAZY' ld1.txt"
LD_DEBUG=files q add c.csv --doc CSV-1 --type coc > /dev/null 2> ld2.txt
check "adding a CSV certificate opens none of them" sh -c "! grep -Eq '$LAZY' ld2.txt"
LD_DEBUG=files q add a.pdf --doc DWG-1 --type drawing > /dev/null 2> ld3.txt
check "adding a PDF drawing opens libqpdf, and only it" \
	sh -c "grep -q 'file=libqpdf' ld3.txt && ! grep -Eq 'file=(libmicrohttpd|libfido2|libcbor)' ld3.txt"
check "  and the drawing is stored" sh -c 'q cat DWG-1 | cmp -s - a.pdf'

# a library of the right name without the functions: a real shared object
# (zlib's) in the loader's path first
mkdir fake
zlib=$(ldd "$QVAULT" 2> /dev/null | sed -n 's/.*libz\.so\.1 => \([^ ]*\).*/\1/p')
if [ -f "$zlib" ]; then
	cp "$zlib" fake/libqpdf.so.29
	cp "$zlib" fake/libmicrohttpd.so.12
	fails 1 "^qvault: .*cannot load libqpdf\.so\.29: it has no qpdf_[a-z_]+\$" \
		"a libqpdf without qpdf's functions: the PDF is refused, naming the library and the function" \
		env LD_LIBRARY_PATH="$TMP/fake" q add a.pdf --doc DWG-2 --type drawing
	fails 1 "^qvault: cannot load libmicrohttpd\.so\.12: it has no MHD_[a-z_0-9]+\$" \
		"a libmicrohttpd without its functions: serve does not start, in one line" \
		env LD_LIBRARY_PATH="$TMP/fake" timeout 20 q serve --listen 127.0.0.1:0
	check "  a CSV is still added with that libqpdf in the path (it is not loaded)" \
		env LD_LIBRARY_PATH="$TMP/fake" q add c.csv --doc CSV-2 --type coc
else
	_skip "zlib not found by ldd"
	_skip "zlib not found by ldd"
	_skip "zlib not found by ldd"
fi
check "verify passes" q verify
done_testing

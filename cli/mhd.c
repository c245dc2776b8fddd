/*
 * mhd.c - libmicrohttpd's table, filled on first use (mhd.h): the library
 * is not linked, so that every command but `qvault serve` starts without
 * it and the GnuTLS it brings.
 */
#define CLI_MHD_TABLE /* mhd.h keeps the library's own names */

#include "mhd.h"

#include "../vault/vault.h"

struct cli_mhd cli_mhd;

#define MHD_SYMBOL(f) VAULT_LAZY_SYMBOL(struct cli_mhd, f)
static const vault_lazy_symbol symbols[] = { CLI_MHD_FUNCTIONS(MHD_SYMBOL) };

/* Debian 12's libmicrohttpd12 */
static vault_lazy_library library = {
	"libmicrohttpd.so.12", symbols, sizeof(symbols) / sizeof(symbols[0]), &cli_mhd, 0, ""
};

int cli_mhd_load(void)
{
	return vault_lazy_load(&library);
}

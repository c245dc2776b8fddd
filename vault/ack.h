/*
 * ack.h - what verification needs of acknowledgments (ack.c).
 */
#ifndef VAULT_ACK_H
#define VAULT_ACK_H

#include <stddef.h>

#include "vault.h"

/* Parse a stored statement's fields; VAULT_EVERIFY when malformed. */
int vault_ack__parse(vault_ack_info *a, const char *data, size_t len);
void vault_ack__dispose(vault_ack_info *a);

#endif

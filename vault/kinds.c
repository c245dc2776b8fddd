/*
 * kinds.c - every kind of record a vault holds.
 *
 * The order is the order in which the records one commit adds are
 * indexed: a revision before what sits beside it, a PO before its
 * answers, a ship notice before its receipt, a report before its closure, a token before its revocation, a
 * forecast before its answers.
 */
#include "kinds.h"

const vault_kind *const vault_kinds[] = {
	&vault_kind_config,
	&vault_kind_enrollment,
	&vault_kind_user,
	&vault_kind_enrollment_used,
	&vault_kind_revoked,
	&vault_kind_user_email,
	&vault_kind_user_attestation,
	&vault_kind_org_attestation,
	&vault_kind_revision,
	&vault_kind_revision_file,
	&vault_kind_release,
	&vault_kind_release_timestamp,
	&vault_kind_obsolete,
	&vault_kind_withdrawal,
	&vault_kind_review,
	&vault_kind_cert,
	&vault_kind_fai_package,
	&vault_kind_fai_disposition,
	&vault_kind_fai_disposition_signature,
	&vault_kind_link,
	&vault_kind_ack,
	&vault_kind_ack_signature,
	&vault_kind_ack_timestamp,
	&vault_kind_po,
	&vault_kind_po_change,
	&vault_kind_po_release,
	&vault_kind_po_ack,
	&vault_kind_po_ack_signature,
	&vault_kind_release_ack,
	&vault_kind_release_ack_signature,
	&vault_kind_status,
	&vault_kind_subtier,
	&vault_kind_lot,
	&vault_kind_asn,
	&vault_kind_asn_revision,
	&vault_kind_asn_cancel,
	&vault_kind_receipt,
	&vault_kind_ncr,
	&vault_kind_ncr_close,
	&vault_kind_ncr_close_signature,
	&vault_kind_token,
	&vault_kind_token_revoked,
	&vault_kind_audit_waiver,
	&vault_kind_forecast,
	&vault_kind_forecast_ack,
	&vault_kind_forecast_ack_signature,
	NULL
};

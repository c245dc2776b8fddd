/*
 * kinds.h - the list of every kind of record (kinds.c), for the top of
 * the library, which hands it down to the index, verify and replication.
 */
#ifndef VAULT_KINDS_H
#define VAULT_KINDS_H

#include "kind.h"

/* Every kind, NULL-terminated, in the order a commit's records are indexed. */
extern const vault_kind *const vault_kinds[];

/* Each kind, defined in its module. */
extern const vault_kind vault_kind_config;          /* trust.c: vault.json */
extern const vault_kind vault_kind_user;            /* trust.c: users/NAME/user.json */
extern const vault_kind vault_kind_enrollment;      /* enroll.c: enrollments/NAME/request.json */
extern const vault_kind vault_kind_enrollment_used; /* enroll.c: enrollments/NAME/used.json */
extern const vault_kind vault_kind_user_email;      /* trust.c: users/NAME/email/N.json */
extern const vault_kind vault_kind_user_attestation; /* attest.c: attestations/users/NAME/N.json */
extern const vault_kind vault_kind_org_attestation;  /* attest.c: attestations/orgs/ORG/N.json */
extern const vault_kind vault_kind_revoked;         /* trust.c: users/NAME/revoked.json */
extern const vault_kind vault_kind_revision;        /* doc.c: docs/.../DOC/REV/record.json */
extern const vault_kind vault_kind_revision_file;   /* doc.c: .../REV/files/... */
extern const vault_kind vault_kind_release;         /* doc.c: .../REV/release.json */
extern const vault_kind vault_kind_release_timestamp; /* stamp.c: .../REV/release.json.tsr */
extern const vault_kind vault_kind_obsolete;        /* doc.c: .../REV/obsolete.json */
extern const vault_kind vault_kind_cert;            /* cert.c: .../REV/cert.json */
extern const vault_kind vault_kind_fai_package;     /* fai.c: .../REV/package.json */
extern const vault_kind vault_kind_link;            /* link.c: .../REV/links/K-T.json */
extern const vault_kind vault_kind_ack;             /* ack.c: .../REV/acks/NAME.json */
extern const vault_kind vault_kind_ack_signature;   /* ack.c: .../REV/acks/NAME.json.sig */
extern const vault_kind vault_kind_ack_timestamp;   /* stamp.c: .../REV/acks/NAME.json.sig.tsr */
extern const vault_kind vault_kind_po;              /* po.c: pos/.../PO/po.json */
extern const vault_kind vault_kind_audit_waiver;     /* audit.c: waivers/.../GAP/TIME-SIGNER.json */
extern const vault_kind vault_kind_withdrawal;      /* withdraw.c: .../REV/withdrawn.json */
extern const vault_kind vault_kind_review;          /* review.c: .../REV/reviews/<time>-<signer>.json */
extern const vault_kind vault_kind_fai_disposition; /* fai_disposition.c: .../REV/disposition.json */
extern const vault_kind vault_kind_fai_disposition_signature; /* ...: disposition.json.sig */
extern const vault_kind vault_kind_po_change;       /* po_change.c: .../PO/changes/N-NAME.json */
extern const vault_kind vault_kind_subtier;         /* subtier.c: subtier/ORG/.../LOT/lot.json */
extern const vault_kind vault_kind_po_release;      /* po_release.c: .../PO/releases/N.json */
extern const vault_kind vault_kind_po_ack;          /* portal.c: .../PO/acks/N-NAME.json */
extern const vault_kind vault_kind_po_ack_signature; /* portal.c: .../PO/acks/N-NAME.json.sig */
extern const vault_kind vault_kind_release_ack;     /* portal.c: .../PO/release-acks/N-NAME.json */
extern const vault_kind vault_kind_release_ack_signature; /* portal.c: ...json.sig */
extern const vault_kind vault_kind_status;          /* portal.c: .../PO/status/N-NAME.json */
extern const vault_kind vault_kind_lot;             /* lot.c: lots/.../LOT/lot.json */
extern const vault_kind vault_kind_asn;             /* asn.c: asns/.../ASN/asn.json */
extern const vault_kind vault_kind_asn_revision;    /* asn.c: asns/.../ASN/revisions/NNNNNN.json */
extern const vault_kind vault_kind_asn_cancel;      /* asn.c: asns/.../ASN/cancel.json */
extern const vault_kind vault_kind_receipt;         /* asn.c: .../ASN/receipt.json */
extern const vault_kind vault_kind_ncr;             /* ncr.c: ncrs/.../NCR/ncr.json */
extern const vault_kind vault_kind_ncr_close;       /* ncr.c: .../NCR/close.json */
extern const vault_kind vault_kind_ncr_close_signature; /* ncr.c: .../NCR/close.json.sig */
extern const vault_kind vault_kind_token;           /* token.c: tokens/.../ID/token.json */
extern const vault_kind vault_kind_token_revoked;   /* token.c: .../ID/revoked.json */
extern const vault_kind vault_kind_forecast;        /* forecast.c: forecasts/.../PART/SUPPLIER/SHIP_TO/KIND/N.json */
extern const vault_kind vault_kind_forecast_ack;    /* forecast.c: .../KIND/acks/N-NAME.json */
extern const vault_kind vault_kind_forecast_ack_signature; /* forecast.c: .../KIND/acks/N-NAME.json.sig */

#endif

"""Verifying the evidence log where it is stored, with the offline auditor's own checks.

Why the auditor's code: a copy of the log (`store migrate`) or a node that wrote beside
others is trusted only when the same verifier an auditor runs on an export accepts the whole
log: every leaf hash, every signed tree head, and the consistency of each head with the next.
"""

from __future__ import annotations

from collections.abc import Mapping

from cryptography import x509

from docexchange.evidence.export import ExportScope, export_records
from docexchange.evidence.verify import AuditSummary, AuditVerifier
from docexchange.store.engine import Database
from docexchange.store.tx import Tx

WHOLE_LOG = ExportScope(0, 2**62)


async def verify_stored_log(db: Database, certificates: Mapping[str, x509.Certificate],
                            now_ms: int) -> AuditSummary:
    """The whole log, exported in one read snapshot (dated `now_ms`) and fed to
    AuditVerifier; raises VerificationError naming the first bad record."""
    def run(conn: Tx) -> AuditSummary:
        verifier = AuditVerifier(certificates)
        for record in export_records(conn, WHOLE_LOG, now_ms):
            verifier.feed(record)
        return verifier.finish()
    return await db.read("verify_stored_log", run)

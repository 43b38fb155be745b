"""Moving a hub from SQLite to PostgreSQL (`docexchange store migrate --to postgresql://…`).

The steps, each refusing before anything is written when it cannot succeed: the SQLite file
is brought to this release's schema; the target is migrated to the same version (an empty
database gets the whole schema) and must hold no rows; every table is copied in one target
transaction; then the copy's evidence log is verified end to end with the auditor's checks
against the hub's certificates. Blobs stay where they are: the folder is shared by the nodes.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from docexchange.clock import SYSTEM_CLOCK, Clock
from docexchange.config import Config, PostgresURL
from docexchange.evidence.stored import verify_stored_log
from docexchange.evidence.verify import AuditSummary, certificates_by_key_id
from docexchange.signing.certificates import load_certificates
from docexchange.signing.keyring import KeyPaths
from docexchange.store.database import open_database
from docexchange.store.transfer import TableCount, TransferError, copy_into

__all__ = ["MigrationReport", "TransferError", "migrate_to_postgresql"]


@dataclass(frozen=True)
class MigrationReport:
    tables: list[TableCount]
    log: AuditSummary


async def migrate_to_postgresql(config: Config, target: PostgresURL, *,
                                clock: Clock = SYSTEM_CLOCK) -> MigrationReport:
    """Copy the hub of `config` (SQLite) into `target`; raises TransferError (nothing copied)
    or VerificationError (copied, but the log does not verify: do not switch over)."""
    source = config.storage.database
    if not isinstance(source, Path):
        raise TransferError("the configuration already names a PostgreSQL database; "
                            "store migrate copies a SQLite hub")
    if not source.exists():
        raise TransferError(f"no SQLite database at {source}")
    await (await open_database(config.storage)).close()  # the source at this release's schema
    target_storage = dataclasses.replace(config.storage, database=target)
    await (await open_database(target_storage)).close()  # the target at the same version
    tables = await asyncio.to_thread(copy_into, source, target)
    db = await open_database(target_storage)
    try:
        summary = await verify_stored_log(db, hub_certificates(config), clock.now_ms())
    finally:
        await db.close()
    return MigrationReport(tables, summary)


def hub_certificates(config: Config) -> dict[str, x509.Certificate]:
    """The current hub certificate and every earlier one (hub-certs/), by key id."""
    paths = KeyPaths(config.keys.dir)
    files = [paths.hub_cert, *sorted(paths.hub_certs.glob("*.crt"))]
    return dict(certificates_by_key_id(
        cert for file in files if file.exists() for cert in load_certificates(file)))

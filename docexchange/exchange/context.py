"""What the exchange needs from the rest of the hub, in one object built at start."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

from docexchange.accounts.signing_keys import SigningKeyCache
from docexchange.clock import SYSTEM_CLOCK, Clock
from docexchange.config import Config
from docexchange.directory.service import Directory
from docexchange.errors import DocExchangeError
from docexchange.evidence.log import EvidenceLog
from docexchange.exchange.delivery_facts import DeliveryFactsCache
from docexchange.exchange.incoming import RequestBody
from docexchange.exchange.inspection_pool import InspectionPool
from docexchange.exchange.notifier import InboxNotifier
from docexchange.exchange.packet_check import Inspection
from docexchange.exchange.relay_routes import RelayRoutes
from docexchange.ids import new_ulid
from docexchange.store import messages as sql
from docexchange.store.blobs import BlobStore
from docexchange.store.engine import Database
from docexchange.store.payloads import PayloadStore
from docexchange.store.tx import Tx

log = logging.getLogger(__name__)

class ExchangeContext:
    def __init__(self, config: Config, db: Database, blobs: BlobStore, directory: Directory,
                 evidence: EvidenceLog, notifier: InboxNotifier,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        self.config = config
        self.db = db
        self.blobs = blobs
        self.directory = directory
        self.evidence = evidence
        self.notifier = notifier
        self.clock = clock
        self.payloads = PayloadStore(db, blobs, config.storage.inline_payload_bytes)
        self.inspection = InspectionPool(
            trust_files(config.keys.dir), config.exchange.allow_sha1_signatures,
            workers=config.exchange.inspect_workers,
            inline_below=config.exchange.inspect_inline_bytes)
        self.relay_routes = RelayRoutes(config, directory)  # codes served by other hubs
        self.signing_keys = SigningKeyCache(db)  # registered certificates, in memory
        self.delivery_facts = DeliveryFactsCache()  # inbox/fetch → ack, without a re-read

    def close(self) -> None:
        self.inspection.close()

    async def inspect(self, source: bytes | RequestBody, *, refuse_classified: bool = True
                      ) -> Inspection:
        """Parse, secrecy guard, XSD and signature, in a worker process
        (exchange/inspection_pool.py); a spooled body is read there, from its file."""
        packet = (source.spool or source.data) if isinstance(source, RequestBody) else source
        return await self.inspection.inspect(packet, refuse_classified=refuse_classified)

    async def registered_key_ids(self, organ_id: str) -> set[str]:
        """Signing certificates registered to the unit or to a former code of it (a recode
        keeps the organisation's signing keys: docs/reorganisation.md §3). From memory; how
        soon a registration or revocation is seen: accounts/signing_keys.py."""
        codes = [organ_id, *self.directory.recoded_from(organ_id)]
        return await self.signing_keys.key_ids(codes, self.clock.now_ms())

    async def record_refusal(self, sender: str, sha256: str, error: DocExchangeError) -> None:
        """The hash, the sender, the time, the code and the paths of the elements at fault:
        never the refused content. Messages quote packet values (a DueDate that is no date, an
        unknown code), and the evidence log cannot forget what it was given."""
        elements = refused_elements(error)

        def txn(conn: Tx) -> None:
            sql.insert_refusal_txn(conn, new_ulid(), sender, sha256, error.code, elements,
                                   self.clock.now_ms())
            self.evidence.append_txn(conn, "packet_refused", {
                "sender": sender, "sha256": sha256, "code": error.code,
                "elements": list(elements)}, units=(sender,))
        try:
            await self.db.write("record_refusal", txn)
        except Exception:  # the refusal itself must still reach the caller
            log.exception("could not record a refusal")

    def notify(self, organ_ids: Iterable[str]) -> None:
        self.notifier.notify(organ_ids)


#: What a refusal record keeps of an element path: packet element names are ASCII in every
#: edXML and XML-DSig name, so anything else is masked, and long or many paths are cut.
_PATH_CHARS = re.compile(r"[^A-Za-z0-9_.:/@()\[\]-]")
_MAX_PATHS, _MAX_PATH_LENGTH = 20, 200


def refused_elements(error: DocExchangeError) -> tuple[str, ...]:
    """The element paths an error names (its `errors[].element`), fit to be kept forever."""
    paths = (str(item.get("element", "")) for item in error.errors[:_MAX_PATHS])
    return tuple(dict.fromkeys(_PATH_CHARS.sub("?", path)[:_MAX_PATH_LENGTH]
                               for path in paths if path))


def trust_files(keys_dir: Path) -> tuple[Path, ...]:
    """Certificates trusted to issue unit signing certificates: the dev CA and keys/trust/."""
    files = [keys_dir / "dev-ca.crt"]
    trust = keys_dir / "trust"
    if trust.is_dir():
        files.extend(sorted(trust.glob("*.crt")) + sorted(trust.glob("*.pem")))
    return tuple(f for f in files if f.exists())

"""Which signer certificates the hub trusts: chains to configured CAs, and per-unit pinning.

Chain validation uses cryptography's path builder (``x509.verification``) with a Store built
once from the trusted CA certificates, instead of signxml's ``ca_pem_file``: that option wants
a file and re-reads and re-parses it on every verification. The policies are signxml's own:
the end-entity certificate needs keyUsage digitalSignature (and must not be a CA); CA
certificates must pass cryptography's WebPKI CA profile. No revocation (CRL/OCSP) check.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.x509 import verification

from docexchange.signing.signature_placement import bad_signature

#: A validated chain is trusted again without rebuilding it for this long, and only at times
#: inside the validity window of every certificate of the chain that was built (leaf,
#: intermediates, CA). The leaf's own dates are also checked on every signature.
CACHE_SECONDS = 300.0
CACHE_ENTRIES = 10_000


@dataclass(frozen=True)
class _Validated:
    """A chain the path builder accepted: where in time the answer holds, and until when (on
    the monotonic clock) it may be reused without asking the builder again."""

    not_before: datetime
    not_after: datetime
    reuse_until: float

    def holds(self, at: datetime) -> bool:
        return self.not_before <= at <= self.not_after and time.monotonic() < self.reuse_until


class CertificateTrust:
    """Decides which certificate, among those a signature carries, is a trusted signer."""

    def __init__(self, trusted_ca_certs: Sequence[x509.Certificate]) -> None:
        self._store = verification.Store(list(trusted_ca_certs)) if trusted_ca_certs else None
        self._ee_policy = (
            verification.ExtensionPolicy.permit_all()
            .require_present(
                x509.KeyUsage, verification.Criticality.AGNOSTIC, _require_digital_signature
            )
            .may_be_present(
                x509.BasicConstraints, verification.Criticality.AGNOSTIC, _refuse_ca_as_signer
            )
        )
        self._ca_policy = verification.ExtensionPolicy.webpki_defaults_ca()
        #: carried chain (leaf first) -> what the builder said; keyed by the certificates
        #: themselves (equal when their DER is), for this instance's one trust store.
        self._validated: dict[tuple[x509.Certificate, ...], _Validated] = {}
        #: The same answers by the identity of the certificate objects: the carried ones are
        #: decoded once per process (xmldsig._certificate), so a unit's next packet brings the
        #: very same objects, and hashing a certificate (its DER) cost more than the lookup.
        #: Each entry holds its certificates, so their ids cannot be reused by other objects.
        self._by_identity: dict[tuple[int, ...],
                                tuple[tuple[x509.Certificate, ...], _Validated]] = {}

    def signer(
        self,
        carried: Sequence[x509.Certificate],
        expected: Sequence[x509.Certificate] | None,
        at: datetime,
    ) -> x509.Certificate:
        """The trusted signing certificate, or DX_BAD_SIGNATURE naming why there is none.

        The leaf is the first X509Certificate, or the last one (both orders occur in the
        field); the others are untrusted intermediates. With no CA configured, a certificate
        is trusted only when pinned in ``expected``.
        """
        reason = "untrusted_certificate"
        for index in _leaf_candidates(carried):
            leaf = carried[index]
            others = [c for i, c in enumerate(carried) if i != index % len(carried)]
            if not leaf.not_valid_before_utc <= at <= leaf.not_valid_after_utc:
                reason = "certificate_not_valid_now"
            elif self._chains(leaf, others, expected, at):
                if expected is not None and leaf not in expected:
                    raise bad_signature("unexpected_certificate")
                return leaf
        raise bad_signature(reason)

    def _chains(
        self,
        leaf: x509.Certificate,
        intermediates: list[x509.Certificate],
        expected: Sequence[x509.Certificate] | None,
        at: datetime,
    ) -> bool:
        """Chain to a trusted CA; without CAs, pinning in ``expected`` is the only trust."""
        if self._store is None:
            return expected is not None
        key = (leaf, *intermediates)
        known = self._known(key)
        if known is not None and known.holds(at):
            return True  # the same chain validated moments ago (a unit signs every packet)
        builder = (
            verification.PolicyBuilder()
            .store(self._store)
            .time(at)
            .extension_policies(ee_policy=self._ee_policy, ca_policy=self._ca_policy)
        )
        try:
            chain = builder.build_client_verifier().verify(leaf, intermediates).chain
        except verification.VerificationError:
            return False
        if len(self._validated) >= CACHE_ENTRIES:
            self._validated.clear()
            self._by_identity.clear()
        self._validated[key] = validated = _Validated(
            max(c.not_valid_before_utc for c in chain), min(c.not_valid_after_utc for c in chain),
            time.monotonic() + CACHE_SECONDS)
        self._by_identity[tuple(map(id, key))] = (key, validated)
        return True

    def _known(self, key: tuple[x509.Certificate, ...]) -> _Validated | None:
        """What the builder said of this chain, looked up by identity first, then by value."""
        ids = tuple(map(id, key))
        same = self._by_identity.get(ids)
        if same is not None and all(a is b for a, b in zip(same[0], key, strict=True)):
            return same[1]
        known = self._validated.get(key)
        if known is not None and len(self._by_identity) < CACHE_ENTRIES:
            self._by_identity[ids] = (key, known)
        return known


def _leaf_candidates(carried: Sequence[x509.Certificate]) -> list[int]:
    """Indexes into ``carried`` (by place, not identity: a cached certificate object may be
    carried twice)."""
    if not carried:
        raise bad_signature("no_certificate")
    return [0] if len(carried) == 1 else [0, -1]


def _require_digital_signature(
    policy: verification.Policy, cert: x509.Certificate, usage: x509.KeyUsage
) -> None:
    if not usage.digital_signature:
        raise ValueError("certificate keyUsage does not allow digitalSignature")


def _refuse_ca_as_signer(
    policy: verification.Policy, cert: x509.Certificate, constraints: x509.BasicConstraints | None
) -> None:
    if constraints is not None and constraints.ca:
        raise ValueError("a CA certificate cannot sign packets")

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
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import verification

from docexchange.signing.signature_placement import bad_signature

#: A validated chain is trusted again without rebuilding it for this long. The leaf's own
#: validity dates are still checked on every signature (CertificateTrust.signer).
CACHE_SECONDS = 300.0
CACHE_ENTRIES = 10_000


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
        self._validated: dict[tuple[bytes, ...], float] = {}  # chain -> valid until (monotonic)

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
        for leaf in _leaf_candidates(carried):
            if not leaf.not_valid_before_utc <= at <= leaf.not_valid_after_utc:
                reason = "certificate_not_valid_now"
            elif self._chains(leaf, [c for c in carried if c is not leaf], expected, at):
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
        key = tuple(c.fingerprint(hashes.SHA256()) for c in (leaf, *intermediates))
        if self._validated.get(key, 0.0) > time.monotonic():
            return True  # the same chain validated moments ago (a unit signs every packet)
        builder = (
            verification.PolicyBuilder()
            .store(self._store)
            .time(at)
            .extension_policies(ee_policy=self._ee_policy, ca_policy=self._ca_policy)
        )
        try:
            builder.build_client_verifier().verify(leaf, intermediates)
        except verification.VerificationError:
            return False
        if len(self._validated) >= CACHE_ENTRIES:
            self._validated.clear()
        self._validated[key] = time.monotonic() + CACHE_SECONDS
        return True


def _leaf_candidates(carried: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    if not carried:
        raise bad_signature("no_certificate")
    return [carried[0]] if len(carried) == 1 else [carried[0], carried[-1]]


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

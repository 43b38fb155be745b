"""Validated chains are remembered briefly, and only at times when every certificate of the
chain is valid; a different chain is still checked in full."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import verification

from docexchange.errors import DocExchangeError
from docexchange.signing.certificates import create_ca, generate_private_key, issue_certificate
from docexchange.signing.trust import CertificateTrust

from .conftest import Pki


def test_a_validated_chain_is_reused_and_strangers_still_fail(pki: Pki) -> None:
    trust = CertificateTrust([pki.ca])
    now = dt.datetime.now(dt.UTC)
    assert trust.signer([pki.ec.certificate], None, now) is pki.ec.certificate
    assert len(trust._validated) == 1
    assert trust.signer([pki.ec.certificate], None, now) is pki.ec.certificate
    assert len(trust._validated) == 1  # the same chain: no second entry
    with pytest.raises(DocExchangeError) as caught:
        trust.signer([pki.stranger.certificate], None, now)
    assert caught.value.details["reason"] == "untrusted_certificate"


def test_the_leaf_dates_are_checked_even_for_a_cached_chain(pki: Pki) -> None:
    trust = CertificateTrust([pki.ca])
    now = dt.datetime.now(dt.UTC)
    trust.signer([pki.ec.certificate], None, now)
    later = pki.ec.certificate.not_valid_after_utc + dt.timedelta(days=1)
    with pytest.raises(DocExchangeError) as caught:
        trust.signer([pki.ec.certificate], None, later)
    assert caught.value.details["reason"] == "certificate_not_valid_now"


def test_a_cached_chain_holds_only_while_its_ca_is_valid() -> None:
    """The leaf outlives its CA: once the CA has expired, the chain validated a moment ago is
    not reused, and the signer is refused although its own dates still hold."""
    ca_key = generate_private_key("ec-p256")
    ca = create_ca("Short-lived CA", ca_key, days=30)
    key = generate_private_key("ec-p256")
    leaf = issue_certificate(ca_key, ca, common_name="Unit", organ_id="000.00.00.H45",
                             public_key=key.public_key(), days=365)
    trust = CertificateTrust([ca])
    now = dt.datetime.now(dt.UTC)
    assert trust.signer([leaf], None, now) is leaf
    after_the_ca = ca.not_valid_after_utc + dt.timedelta(days=1)
    assert after_the_ca < leaf.not_valid_after_utc
    with pytest.raises(DocExchangeError) as caught:
        trust.signer([leaf], None, after_the_ca)
    assert caught.value.details["reason"] == "untrusted_certificate"
    assert trust.signer([leaf], None, now) is leaf  # and back inside the window, from cache


def test_a_chain_is_cached_per_trust_store(pki: Pki) -> None:
    """Another verifier with another store (the trust files changed) decides afresh."""
    now = dt.datetime.now(dt.UTC)
    assert CertificateTrust([pki.ca]).signer([pki.ec.certificate], None, now)
    with pytest.raises(DocExchangeError) as caught:
        CertificateTrust([pki.other_ca]).signer([pki.ec.certificate], None, now)
    assert caught.value.details["reason"] == "untrusted_certificate"


def test_a_leaf_carried_twice_still_chains(pki: Pki) -> None:
    """Decoded certificates are shared objects now: the leaf carried twice (last and first)
    is found by place, and the chain still builds."""
    now = dt.datetime.now(dt.UTC)
    leaf = pki.ec.certificate
    assert CertificateTrust([pki.ca]).signer([leaf, leaf], None, now) is leaf


def test_a_chain_is_found_by_value_and_by_identity_alike(pki: Pki, monkeypatch: Any) -> None:
    """A copy of the certificate (decoded afresh) finds the chain the original validated, and
    a stranger carried as the same kind of object never finds another's entry."""
    trust = CertificateTrust([pki.ca])
    now = dt.datetime.now(dt.UTC)
    trust.signer([pki.ec.certificate], None, now)
    copy = x509.load_der_x509_certificate(pki.ec.certificate.public_bytes(Encoding.DER))
    monkeypatch.setattr(verification, "PolicyBuilder", None)  # no chain may be built now
    assert trust.signer([copy], None, now) is copy
    assert trust.signer([pki.ec.certificate], None, now) is pki.ec.certificate
    assert len(trust._validated) == 1
    with pytest.raises(TypeError):  # not in either index: it goes to the (removed) builder
        trust.signer([pki.stranger.certificate], None, now)

"""Validated chains are remembered briefly; a different chain is still checked in full."""

from __future__ import annotations

import datetime as dt

import pytest

from docexchange.errors import DocExchangeError
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

"""Keys and signatures: the hub key ring (ids, rotation), the dev CA and unit keys, and
enveloped XML-DSig signing and verification of edXML packets (with signxml).

Modules: ``certificates`` (keys and X.509 with cryptography), ``keyring`` (the keys/ folder),
``xmldsig`` (PacketSigner, PacketVerifier), ``trust`` (which signer certificates are trusted),
``signature_placement`` (where the Signature sits in a packet).
"""

from docexchange.signing.keyring import HubKey, KeyRing, verify_signature
from docexchange.signing.xmldsig import PacketSigner, PacketVerifier, VerifiedPacket, has_signature

__all__ = [
    "HubKey",
    "KeyRing",
    "PacketSigner",
    "PacketVerifier",
    "VerifiedPacket",
    "has_signature",
    "verify_signature",
]

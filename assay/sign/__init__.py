"""Signing: keys, cosign image signatures and attestations, blob signatures.

Modules (each imports its heavy dependencies — ``cryptography``, ``PyNaCl``,
``httpx`` — only when used, so importing this package is cheap):

* :mod:`~assay.sign.keys` — cosign-format key pairs, the :class:`Signer` protocol;
* :mod:`~assay.sign.simplesigning` — the payload an image signature signs;
* :mod:`~assay.sign.dsse` — DSSE envelopes and PAE;
* :mod:`~assay.sign.intoto` — in-toto statements and predicate types;
* :mod:`~assay.sign.image` — ``sign``/``attest`` an image in a registry or an
  OCI layout directory (the storage layout is :mod:`assay.oci.cosign`);
* :mod:`~assay.sign.blob` — ``sign-blob``/``attest-blob`` and their verification.

Verification of images lives in :mod:`assay.verify`.
"""

from __future__ import annotations

from .image import SignResult, attest_in_layout, attest_target, sign_image_in_layout, sign_target
from .keys import PrivateKeySigner, PublicKey, Signer, generate, load_public_key, load_signer, write_key_pair

__all__ = [
    "PrivateKeySigner",
    "PublicKey",
    "SignResult",
    "Signer",
    "attest_in_layout",
    "attest_target",
    "generate",
    "load_public_key",
    "load_signer",
    "sign_image_in_layout",
    "sign_target",
    "write_key_pair",
]

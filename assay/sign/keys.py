"""Signing keys, read and written the way cosign does.

Private keys
    ``assay keygen`` writes an ECDSA P-256 key as cosign 2.x does: PKCS#8 DER,
    encrypted with go-securesystemslib's ``encrypted`` format (scrypt N=32768,
    r=8, p=1 over the password with a 32-byte salt, then NaCl secretbox with a
    24-byte nonce; a JSON document, base64 fields) inside a PEM block of type
    ``ENCRYPTED SIGSTORE PRIVATE KEY``.  Keys of type ``ENCRYPTED COSIGN
    PRIVATE KEY`` (older cosign) read the same way.  Unencrypted PKCS#8
    (``PRIVATE KEY``), SEC1 (``EC PRIVATE KEY``), PKCS#1 (``RSA PRIVATE KEY``)
    and password-protected PKCS#8 (``ENCRYPTED PRIVATE KEY``) PEM files are
    accepted too: ECDSA P-256/P-384/P-521, Ed25519, RSA >= 2048 bits.

Signature schemes (what sigstore's default algorithm registry pairs with each key)
    ECDSA P-256/P-384/P-521 with SHA-256/384/512, DER-encoded; RSA PKCS#1 v1.5
    with SHA-256; Ed25519ph (cosign's default for Ed25519 since 2.4).  Verifiers
    also accept what older cosign produced: ECDSA over SHA-256 for any curve,
    and pure Ed25519.

Passwords
    ``$ASSAY_PASSWORD``, then ``$COSIGN_PASSWORD`` (an empty value is an empty
    password, as in cosign), then a prompt when stdin is a terminal.  They are
    never logged, never part of an error message, and no object's repr shows a
    key or a password.

The :class:`Signer` protocol is all that signing code needs, so KMS and
PKCS#11 signers plug in through :func:`register_key_provider` (a URI scheme ->
factory) without touching the rest.

``cryptography`` and ``PyNaCl`` are imported only when a key is used.
"""

from __future__ import annotations

import base64
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..errors import SigningError, UsageError

__all__ = [
    "COSIGN_PEM_TYPE",
    "PASSWORD_ENV",
    "SIGSTORE_PEM_TYPE",
    "KeyPairFiles",
    "PrivateKeySigner",
    "PublicKey",
    "Signer",
    "decrypt_pem",
    "encrypt_pem",
    "generate",
    "get_password",
    "load_private_key",
    "load_public_key",
    "load_signer",
    "register_key_provider",
    "write_key_pair",
]

SIGSTORE_PEM_TYPE = "ENCRYPTED SIGSTORE PRIVATE KEY"
COSIGN_PEM_TYPE = "ENCRYPTED COSIGN PRIVATE KEY"
PASSWORD_ENV = ("ASSAY_PASSWORD", "COSIGN_PASSWORD")

#: scrypt parameters go-securesystemslib accepts (legacy = what cosign
#: writes, standard, OWASP); anything else is refused before any work, so a
#: crafted key file cannot make us burn memory.
_SCRYPT_ALLOWED = frozenset({(32768, 8, 1), (65536, 8, 1), (131072, 8, 1)})
_SCRYPT_WRITE = (32768, 8, 1)
_SALT_LEN = 32
_NONCE_LEN = 24
_MIN_RSA_BITS = 2048
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL)
_KEY_URI = re.compile(r"^[a-z][a-z0-9+.-]*://")

PasswordSource = Callable[[bool], bytes]
"""``password(confirm) -> bytes``; ``confirm`` asks twice when prompting."""


# --- protocol ---------------------------------------------------------------------


@runtime_checkable
class Signer(Protocol):
    """Anything that signs: a key in memory, a KMS key, a PKCS#11 token.

    ``sign`` returns the raw signature bytes of ``data`` (the scheme is the
    key's: see the module docstring); ``public_key`` verifies them.
    """

    @property
    def public_key(self) -> PublicKey: ...

    def sign(self, data: bytes) -> bytes: ...


# --- public keys ------------------------------------------------------------------


def _crypto() -> Any:
    """The cryptography modules assay uses, imported on first use."""
    from cryptography import exceptions
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

    return exceptions, hashes, serialization, ec, ed25519, padding, rsa


def _ec_hash(curve_name: str) -> str:
    return {"secp256r1": "SHA256", "secp384r1": "SHA384", "secp521r1": "SHA512"}.get(curve_name, "")


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A verification key.  ``source`` names where it came from (a path, or
    'generated'), for messages; ``key`` is a ``cryptography`` public key."""

    key: Any = field(repr=False)
    source: str = ""

    @property
    def algorithm(self) -> str:
        """``ecdsa-p256``, ``ecdsa-p384``, ``ecdsa-p521``, ``ed25519`` or ``rsa-<bits>``."""
        _, _, _, ec, ed25519, _, rsa = _crypto()
        if isinstance(self.key, ec.EllipticCurvePublicKey):
            return {"secp256r1": "ecdsa-p256", "secp384r1": "ecdsa-p384", "secp521r1": "ecdsa-p521"}[self.key.curve.name]
        if isinstance(self.key, ed25519.Ed25519PublicKey):
            return "ed25519"
        if isinstance(self.key, rsa.RSAPublicKey):
            return f"rsa-{self.key.key_size}"
        return type(self.key).__name__  # pragma: no cover - rejected at load time

    def pem(self) -> bytes:
        """PKIX ``PUBLIC KEY`` PEM, as ``cosign.pub`` holds it."""
        _, _, serialization, *_ = _crypto()
        return self.key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def der(self) -> bytes:
        _, _, serialization, *_ = _crypto()
        return self.key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

    def verify(self, data: bytes, signature: bytes) -> bool:
        """True when ``signature`` is a valid signature of ``data`` by this key
        under any scheme cosign has used for this key type."""
        exceptions, hashes, _, ec, ed25519, padding, rsa = _crypto()
        key = self.key
        try:
            if isinstance(key, ec.EllipticCurvePublicKey):
                names = [_ec_hash(key.curve.name)]
                if names[0] != "SHA256":
                    names.append("SHA256")  # cosign < 2.4 hashed with SHA-256 whatever the curve
                for name in names:
                    try:
                        key.verify(signature, data, ec.ECDSA(getattr(hashes, name)()))
                        return True
                    except exceptions.InvalidSignature:
                        continue
                return False
            if isinstance(key, ed25519.Ed25519PublicKey):
                if _ed25519ph_verify(key, data, signature):
                    return True
                try:
                    key.verify(signature, data)  # pure Ed25519, older cosign
                    return True
                except exceptions.InvalidSignature:
                    return False
            if isinstance(key, rsa.RSAPublicKey):
                try:
                    key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
                    return True
                except exceptions.InvalidSignature:
                    return False
        except ValueError:  # malformed DER signature and the like
            return False
        return False

    @classmethod
    def from_pem(cls, data: bytes, source: str = "") -> PublicKey:
        """Parse a ``PUBLIC KEY`` PEM (or the key of a ``CERTIFICATE``)."""
        where = source or "public key"
        _, _, serialization, *_ = _crypto()
        blocks = _PEM_BLOCK.findall(data)
        if not blocks:
            raise SigningError(f"{where}: cannot decode public key: no PEM block found")
        kind = blocks[0][0].decode()
        try:
            if kind == "PUBLIC KEY":
                key = serialization.load_pem_public_key(data)
            elif kind == "CERTIFICATE":
                from cryptography import x509

                key = x509.load_pem_x509_certificate(data).public_key()
            else:
                hint = " (pass the .pub file, not the private key)" if "PRIVATE" in kind else ""
                raise SigningError(f"{where}: cannot decode public key: PEM type {kind!r} is not a public key{hint}")
        except (ValueError, TypeError) as exc:
            raise SigningError(f"{where}: cannot decode public key: the PEM data is corrupt") from exc
        return cls(_check_key(key, where), source)


def _check_key(key: Any, where: str) -> Any:
    """Only the key types and sizes sigstore accepts ('goodkey')."""
    _, _, _, ec, ed25519, _, rsa = _crypto()
    if isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)):
        if not _ec_hash(key.curve.name):
            raise SigningError(f"{where}: unsupported elliptic curve {key.curve.name}")
        return key
    if isinstance(key, (ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey)):
        return key
    if isinstance(key, (rsa.RSAPublicKey, rsa.RSAPrivateKey)):
        if key.key_size < _MIN_RSA_BITS:
            raise SigningError(f"{where}: RSA key of {key.key_size} bits is too small (minimum {_MIN_RSA_BITS})")
        return key
    raise SigningError(f"{where}: unsupported key type {type(key).__name__}")


# --- Ed25519ph (RFC 8032 with prehash), via libsodium ----------------------------------


def _ed25519ph_sign(seed: bytes, data: bytes) -> bytes:
    import nacl.bindings as nb

    _, sk = nb.crypto_sign_seed_keypair(seed)
    state = nb.crypto_sign_ed25519ph_state()
    nb.crypto_sign_ed25519ph_update(state, data)
    return nb.crypto_sign_ed25519ph_final_create(state, sk)


def _ed25519ph_verify(key: Any, data: bytes, signature: bytes) -> bool:
    import nacl.bindings as nb
    import nacl.exceptions

    _, _, serialization, *_ = _crypto()
    if len(signature) != 64:
        return False
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    state = nb.crypto_sign_ed25519ph_state()
    nb.crypto_sign_ed25519ph_update(state, data)
    try:
        return bool(nb.crypto_sign_ed25519ph_final_verify(state, signature, raw))
    except nacl.exceptions.BadSignatureError:
        return False


# --- private keys ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrivateKeySigner:
    """A :class:`Signer` over a private key held in memory.

    ``ed25519ph`` picks Ed25519ph (cosign's default) over pure Ed25519 for
    Ed25519 keys; other key types ignore it.
    """

    key: Any = field(repr=False)
    source: str = ""
    ed25519ph: bool = True

    def __repr__(self) -> str:
        return f"PrivateKeySigner({self.public_key.algorithm}, source={self.source!r})"

    @property
    def public_key(self) -> PublicKey:
        return PublicKey(self.key.public_key(), self.source)

    def sign(self, data: bytes) -> bytes:
        _, hashes, serialization, ec, ed25519, padding, rsa = _crypto()
        key = self.key
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(getattr(hashes, _ec_hash(key.curve.name))()))
        if isinstance(key, ed25519.Ed25519PrivateKey):
            if self.ed25519ph:
                seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
                return _ed25519ph_sign(seed, data)
            return key.sign(data)
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        raise SigningError(f"unsupported private key type {type(key).__name__}")  # pragma: no cover

    def pkcs8(self) -> bytes:
        """The unencrypted PKCS#8 DER (to be encrypted by :func:`encrypt_pem`)."""
        _, _, serialization, *_ = _crypto()
        return self.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def generate(algorithm: str = "ecdsa-p256") -> PrivateKeySigner:
    """A fresh key: ``ecdsa-p256`` (cosign's default), ``ecdsa-p384``,
    ``ecdsa-p521``, ``ed25519``, ``rsa-2048``, ``rsa-3072`` or ``rsa-4096``."""
    _, _, _, ec, ed25519, _, rsa = _crypto()
    curves = {"ecdsa-p256": ec.SECP256R1, "ecdsa-p384": ec.SECP384R1, "ecdsa-p521": ec.SECP521R1}
    if algorithm in curves:
        key = ec.generate_private_key(curves[algorithm]())
    elif algorithm == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    elif algorithm in ("rsa-2048", "rsa-3072", "rsa-4096"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=int(algorithm[4:]))
    else:
        raise UsageError(f"unknown key algorithm {algorithm!r} (ecdsa-p256, ecdsa-p384, ecdsa-p521, ed25519, rsa-2048, rsa-3072, rsa-4096)")
    return PrivateKeySigner(key, "generated")


# --- the encrypted format --------------------------------------------------------------


def _scrypt(password: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    import hashlib

    return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024 + 1024 * 1024, dklen=32)


def _pem(kind: str, der: bytes) -> bytes:
    """PEM as Go's ``pem.EncodeToMemory`` writes it (64-column base64)."""
    b64 = base64.b64encode(der).decode()
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return ("-----BEGIN " + kind + "-----\n" + "".join(line + "\n" for line in lines) + "-----END " + kind + "-----\n").encode()


def encrypt_pem(pkcs8_der: bytes, password: bytes, pem_type: str = SIGSTORE_PEM_TYPE) -> bytes:
    """Encrypt a PKCS#8 DER key into cosign's PEM format."""
    import nacl.bindings as nb

    from ._json import Struct, dumps

    if pem_type not in (SIGSTORE_PEM_TYPE, COSIGN_PEM_TYPE):
        raise ValueError(f"unsupported PEM type {pem_type!r}")
    n, r, p = _SCRYPT_WRITE
    salt = os.urandom(_SALT_LEN)
    nonce = os.urandom(_NONCE_LEN)
    box = nb.crypto_secretbox(pkcs8_der, nonce, _scrypt(password, salt, n, r, p))
    doc = Struct(
        kdf=Struct(name="scrypt", params=Struct(N=n, r=r, p=p), salt=base64.b64encode(salt).decode()),
        cipher=Struct(name="nacl/secretbox", nonce=base64.b64encode(nonce).decode()),
        ciphertext=base64.b64encode(box).decode(),
    )
    return _pem(pem_type, dumps(doc))


def decrypt_pem(body: bytes, password: bytes, source: str = "private key") -> bytes:
    """The PKCS#8 DER inside the JSON body of an encrypted cosign key."""
    import json

    import nacl.bindings as nb
    import nacl.exceptions

    try:
        doc = json.loads(body)
        kdf, cipher = doc["kdf"], doc["cipher"]
        params = kdf["params"]
        n, r, p = int(params["N"]), int(params["r"]), int(params["p"])
        salt = base64.b64decode(kdf["salt"], validate=True)
        nonce = base64.b64decode(cipher["nonce"], validate=True)
        box = base64.b64decode(doc["ciphertext"], validate=True)
        kdf_name, cipher_name = kdf["name"], cipher["name"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SigningError(f"{source}: malformed encrypted private key") from exc
    if kdf_name != "scrypt" or cipher_name != "nacl/secretbox":
        raise SigningError(f"{source}: unsupported key encryption {kdf_name}/{cipher_name}")
    if (n, r, p) not in _SCRYPT_ALLOWED:
        raise SigningError(f"{source}: unsupported scrypt parameters N={n} r={r} p={p}")
    if len(nonce) != _NONCE_LEN:
        raise SigningError(f"{source}: malformed encrypted private key (nonce of {len(nonce)} bytes)")
    try:
        return nb.crypto_secretbox_open(box, nonce, _scrypt(password, salt, n, r, p))
    except nacl.exceptions.CryptoError:
        raise SigningError(f"{source}: cannot decrypt the private key: wrong password or corrupt key") from None


def load_private_key(data: bytes, password: PasswordSource | bytes | None = None, source: str = "private key") -> PrivateKeySigner:
    """A signer from the bytes of a private key file (see the module docstring
    for the formats).  ``password`` is asked for only when the key is encrypted."""
    _, _, serialization, *_ = _crypto()
    m = _PEM_BLOCK.search(data)
    if m is None:
        raise SigningError(f"{source}: not a PEM private key")
    kind = m.group(1).decode()

    def pw() -> bytes:
        if password is None:
            return get_password(False)
        return password if isinstance(password, bytes) else password(False)

    try:
        if kind in (SIGSTORE_PEM_TYPE, COSIGN_PEM_TYPE):
            try:
                body = base64.b64decode(b"".join(m.group(2).split()), validate=True)
            except ValueError as exc:
                raise SigningError(f"{source}: corrupt PEM data") from exc
            der = decrypt_pem(body, pw(), source)
            key = serialization.load_der_private_key(der, password=None)
        elif kind in ("PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"):
            key = serialization.load_pem_private_key(m.group(0), password=None)
        elif kind == "ENCRYPTED PRIVATE KEY":
            try:
                key = serialization.load_pem_private_key(m.group(0), password=pw())
            except ValueError as exc:
                raise SigningError(f"{source}: cannot decrypt the private key: wrong password or corrupt key") from exc
        elif kind == "PUBLIC KEY":
            raise SigningError(f"{source}: this is a public key; signing needs the private key")
        else:
            raise SigningError(f"{source}: unsupported PEM type {kind!r}")
    except (ValueError, TypeError) as exc:
        raise SigningError(f"{source}: cannot parse the private key") from exc
    return PrivateKeySigner(_check_key(key, source), source)


# --- passwords --------------------------------------------------------------------------


def get_password(confirm: bool, env: Mapping[str, str] | None = None) -> bytes:
    """The key password: from the environment, else a terminal prompt."""
    env = os.environ if env is None else env
    for name in PASSWORD_ENV:
        if name in env:
            return env[name].encode()
    if not sys.stdin.isatty():
        raise SigningError(f"a password is needed: set {PASSWORD_ENV[0]} (or {PASSWORD_ENV[1]}); stdin is not a terminal to ask")
    import getpass

    first = getpass.getpass("Enter password for private key: ")
    if confirm and getpass.getpass("Enter password for private key again: ") != first:
        raise SigningError("passwords do not match")
    return first.encode()


# --- key references ----------------------------------------------------------------

_PROVIDERS: dict[str, Callable[[str, PasswordSource], Signer]] = {}
_KNOWN_SCHEMES = ("awskms", "gcpkms", "azurekms", "hashivault", "k8s", "pkcs11", "gitlab")


def register_key_provider(scheme: str, factory: Callable[[str, PasswordSource], Signer]) -> None:
    """Make ``--key SCHEME://...`` resolve through ``factory(uri, password)``
    (e.g. ``awskms``, ``gcpkms``, ``hashivault``, ``pkcs11``)."""
    _PROVIDERS[scheme] = factory


def _scheme(ref: str) -> str:
    if ref.startswith("pkcs11:"):
        return "pkcs11"
    return ref.split("://", 1)[0] if _KEY_URI.match(ref) else ""


def load_signer(ref: str, password: PasswordSource = get_password) -> Signer:
    """The signer named by ``--key``: a key file, or a provider URI."""
    scheme = _scheme(ref)
    if scheme:
        factory = _PROVIDERS.get(scheme)
        if factory is None:
            known = "" if scheme in _KNOWN_SCHEMES else " (unknown scheme)"
            raise SigningError(f"--key {scheme}://...: key provider {scheme!r} is not available in this build{known}; use a key file")
        return factory(ref, password)
    return load_private_key(_read(ref, "private key"), password, ref)


def load_public_key(ref: str) -> PublicKey:
    """The verifier named by ``--key``: a ``PUBLIC KEY`` or ``CERTIFICATE``
    PEM file, or the public half of a provider key."""
    scheme = _scheme(ref)
    if scheme:
        factory = _PROVIDERS.get(scheme)
        if factory is None:
            raise SigningError(f"--key {scheme}://...: key provider {scheme!r} is not available in this build; use a public key file")
        return factory(ref, get_password).public_key
    return PublicKey.from_pem(_read(ref, "public key"), ref)


def _read(path: str, what: str, limit: int = 1 << 20) -> bytes:
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise SigningError(f"{path}: {what} file not found") from None
    except OSError as exc:
        raise SigningError(f"{path}: cannot read {what}: {exc.strerror}") from None
    if len(data) > limit:
        raise SigningError(f"{path}: too large for a {what}")
    return data


# --- keygen -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyPairFiles:
    private_path: str
    public_path: str
    public_key: PublicKey


def write_key_pair(
    prefix: str = "cosign",
    password: bytes | None = None,
    *,
    algorithm: str = "ecdsa-p256",
    force: bool = False,
) -> KeyPairFiles:
    """Write ``PREFIX.key`` (encrypted, mode 0600) and ``PREFIX.pub``.

    Existing files are not overwritten unless ``force``.  ``password`` None
    means :func:`get_password` with confirmation.
    """
    key_path, pub_path = f"{prefix}.key", f"{prefix}.pub"
    if not force:
        for p in (key_path, pub_path):
            if os.path.exists(p):
                raise UsageError(f"{p} already exists; remove it or pass --force")
    directory = os.path.dirname(os.path.abspath(key_path))
    if not os.path.isdir(directory):
        raise UsageError(f"cannot write {key_path}: directory {directory} does not exist")
    signer = generate(algorithm)
    pw = get_password(True) if password is None else password
    pem = encrypt_pem(signer.pkcs8(), pw)
    _write(key_path, pem, 0o600)
    pub = PublicKey(signer.key.public_key(), pub_path)
    _write(pub_path, pub.pem(), 0o644)
    return KeyPairFiles(key_path, pub_path, pub)


def _write(path: str, data: bytes, mode: int) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)  # the umask may have narrowed it; never widen beyond mode
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None

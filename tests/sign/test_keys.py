"""Keys: cosign's encrypted format, plain PEM keys, signature schemes, passwords."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from assay.errors import SigningError, UsageError
from assay.sign import keys
from assay.sign.keys import (
    COSIGN_PEM_TYPE,
    SIGSTORE_PEM_TYPE,
    PrivateKeySigner,
    decrypt_pem,
    encrypt_pem,
    generate,
    get_password,
    load_private_key,
    load_public_key,
    load_signer,
    register_key_provider,
    write_key_pair,
)

# Known-answer vectors of go-securesystemslib's `encrypted` package (the code
# cosign uses for cosign.key), from its encrypted_test.go: passphrase
# "supersecret", plaintext "reallyimportant".  GO_DECRYPT is a plain
# Encrypt() output with cosign's parameters; the Legacy/Standard vectors come
# from Marshal(), which JSON-encodes the plaintext first.
GO_DECRYPT = b'{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"N9a7x5JFGbrtB2uBR81jPwp0eiLR4A7FV3mjVAQrg1g="},"cipher":{"name":"nacl/secretbox","nonce":"2h8HxMmgRfuYdpswZBQaU3xJ1nkA/5Ik"},"ciphertext":"SEW6sUh0jf2wfdjJGPNS9+bkk2uB+Cxamf32zR8XkQ=="}'
GO_LEGACY = b'{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"WO3mVvyTwJ9vwT5/Tk5OW5WPIBUofMjcpEfrLnfY4uA="},"cipher":{"name":"nacl/secretbox","nonce":"tCy7HcTFr4uxv4Nrg/DWmncuZ148U1MX"},"ciphertext":"08n43p5G5yviPEZpO7tPPF4aZQkWiWjkv4taFdhDBA0tamKH4nw="}'
GO_STANDARD = b'{"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"FhzPOt9/bJG4PTq6lQ6ecG6GzaOuOy/ynG5+yRiFlNs="},"cipher":{"name":"nacl/secretbox","nonce":"aw1ng1jHaDz/tQ7V2gR9O2+IGQ8xJEuE"},"ciphertext":"HycvuLZL4sYH0BrYTh4E/H20VtAW6u5zL5Pr+IBjYLYnCPzDkq8="}'
GO_BAD_PARAMS = b'{"kdf":{"name":"scrypt","params":{"N":99,"r":99,"p":99},"salt":"cZFcQJdwPhPyhU1R4qkl0qVOIjZd4V/7LYYAavq166k="},"cipher":{"name":"nacl/secretbox","nonce":"7vhRS7j0hEPBWV05skAdgLj81AkGeE7U"},"ciphertext":"6WYU/YSXVbYzl/NzaeAzmjLyfFhOOjLc0d8/GFV0aBFdJvyCcXc="}'


def _pem_body(pem: bytes) -> bytes:
    lines = pem.decode().strip().splitlines()
    return base64.b64decode("".join(lines[1:-1]))


def test_decrypts_go_securesystemslib_vectors() -> None:
    assert decrypt_pem(GO_DECRYPT, b"supersecret") == b"reallyimportant"
    for vector in (GO_LEGACY, GO_STANDARD):
        marshalled = decrypt_pem(vector, b"supersecret")
        assert base64.b64decode(json.loads(marshalled)) == b"reallyimportant"
    with pytest.raises(SigningError, match="wrong password"):
        decrypt_pem(GO_DECRYPT, b"supersecreT")


def test_refuses_unsupported_scrypt_parameters_before_any_work() -> None:
    with pytest.raises(SigningError, match="unsupported scrypt parameters N=99 r=99 p=99"):
        decrypt_pem(GO_BAD_PARAMS, b"supersecret")


def test_encrypted_key_format_is_cosigns() -> None:
    signer = generate()
    pem = encrypt_pem(signer.pkcs8(), b"pw")
    text = pem.decode()
    assert text.startswith(f"-----BEGIN {SIGSTORE_PEM_TYPE}-----\n") and text.endswith(f"-----END {SIGSTORE_PEM_TYPE}-----\n")
    assert all(len(line) <= 64 for line in text.splitlines())
    doc = _pem_body(pem)
    # field order and values exactly as go-securesystemslib marshals them
    assert doc.startswith(b'{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"')
    obj = json.loads(doc)
    assert list(obj) == ["kdf", "cipher", "ciphertext"]
    assert obj["cipher"]["name"] == "nacl/secretbox"
    assert len(base64.b64decode(obj["kdf"]["salt"])) == 32
    assert len(base64.b64decode(obj["cipher"]["nonce"])) == 24
    assert decrypt_pem(doc, b"pw") == signer.pkcs8()


@pytest.mark.parametrize("pem_type", [SIGSTORE_PEM_TYPE, COSIGN_PEM_TYPE])
def test_reads_both_encrypted_pem_types(pem_type: str) -> None:
    signer = generate()
    loaded = load_private_key(encrypt_pem(signer.pkcs8(), b"secret", pem_type), b"secret", "k")
    assert loaded.public_key.der() == signer.public_key.der()


def test_wrong_password_is_one_clear_line() -> None:
    pem = encrypt_pem(generate().pkcs8(), b"right")
    with pytest.raises(SigningError) as exc:
        load_private_key(pem, b"wrong", "cosign.key")
    assert exc.value.diagnostics() == "cosign.key: cannot decrypt the private key: wrong password or corrupt key"
    assert "right" not in str(exc.value) and "wrong" not in str(exc.value).split(":")[0]


def test_empty_password_is_allowed_like_cosign() -> None:
    pem = encrypt_pem(generate().pkcs8(), b"")
    assert load_private_key(pem, b"", "k").sign(b"x")


@pytest.mark.parametrize("algorithm", ["ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "ed25519", "rsa-2048"])
def test_sign_verify_every_algorithm(algorithm: str) -> None:
    signer = generate(algorithm)
    sig = signer.sign(b"payload")
    assert signer.public_key.verify(b"payload", sig)
    assert not signer.public_key.verify(b"payload!", sig)
    assert not generate(algorithm).public_key.verify(b"payload", sig)
    assert signer.public_key.algorithm == algorithm


@pytest.mark.parametrize(
    "pem_format",
    ["PKCS8", "TraditionalOpenSSL"],
)
@pytest.mark.parametrize("algorithm", ["ecdsa-p256", "rsa-2048"])
def test_reads_plain_pem_private_keys(pem_format: str, algorithm: str) -> None:
    from cryptography.hazmat.primitives import serialization

    signer = generate(algorithm)
    pem = signer.key.private_bytes(serialization.Encoding.PEM, getattr(serialization.PrivateFormat, pem_format), serialization.NoEncryption())
    loaded = load_private_key(pem, None, "plain.pem")  # no password asked for
    assert loaded.public_key.verify(b"m", loaded.sign(b"m"))


def test_reads_password_protected_pkcs8() -> None:
    from cryptography.hazmat.primitives import serialization

    signer = generate("ed25519")
    pem = signer.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw"))
    assert load_private_key(pem, b"pw", "k").public_key.der() == signer.public_key.der()
    with pytest.raises(SigningError, match="wrong password"):
        load_private_key(pem, b"nope", "k")


def test_rejects_small_rsa_and_unsupported_curves() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = small.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(SigningError, match="1024 bits is too small"):
        load_private_key(pem, None, "small.pem")
    k1 = ec.generate_private_key(ec.SECP256K1())
    pem = k1.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(SigningError, match="unsupported elliptic curve secp256k1"):
        load_private_key(pem, None, "k1.pem")


def test_ed25519_signs_ed25519ph_by_default_and_verifies_both() -> None:
    # RFC 8032 section 7.3, test vector "Ed25519ph" (message "abc")
    seed = bytes.fromhex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42")
    expected = bytes.fromhex(
        "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406"
    )
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    ph = PrivateKeySigner(key, "rfc8032")
    assert ph.sign(b"abc") == expected
    pure = PrivateKeySigner(key, "rfc8032", ed25519ph=False)
    assert ph.public_key.verify(b"abc", expected)
    assert ph.public_key.verify(b"abc", pure.sign(b"abc"))  # older cosign: pure Ed25519
    assert not ph.public_key.verify(b"abd", expected)


def test_p384_signs_sha384_and_accepts_older_sha256_signatures() -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    signer = generate("ecdsa-p384")
    sig = signer.sign(b"m")
    signer.key.public_key().verify(sig, b"m", ec.ECDSA(hashes.SHA384()))  # raises if not SHA-384
    old = signer.key.sign(b"m", ec.ECDSA(hashes.SHA256()))
    assert signer.public_key.verify(b"m", old)
    assert not signer.public_key.verify(b"m", b"\x30\x02garbage")


def test_public_key_files(tmp_path: Path) -> None:
    signer = generate()
    pub = tmp_path / "cosign.pub"
    pub.write_bytes(signer.public_key.pem())
    assert load_public_key(str(pub)).der() == signer.public_key.der()
    assert signer.public_key.pem().startswith(b"-----BEGIN PUBLIC KEY-----\n")
    broken = tmp_path / "broken.pub"
    broken.write_bytes(signer.public_key.pem().replace(b"\n-----END", b"=1\n-----END"))
    with pytest.raises(SigningError, match="broken.pub: cannot decode public key"):
        load_public_key(str(broken))
    priv = tmp_path / "cosign.key"
    priv.write_bytes(encrypt_pem(signer.pkcs8(), b"x"))
    with pytest.raises(SigningError, match="not a public key \\(pass the .pub file"):
        load_public_key(str(priv))
    with pytest.raises(SigningError, match="missing.pub: public key file not found"):
        load_public_key(str(tmp_path / "missing.pub"))


def test_public_key_from_certificate(tmp_path: Path) -> None:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    signer = generate()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "assay test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(signer.key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(signer.key, hashes.SHA256())
    )
    path = tmp_path / "cert.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    assert load_public_key(str(path)).verify(b"m", signer.sign(b"m"))


def test_password_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_password(False, {"ASSAY_PASSWORD": "a", "COSIGN_PASSWORD": "c"}) == b"a"
    assert get_password(False, {"COSIGN_PASSWORD": "c"}) == b"c"
    assert get_password(False, {"COSIGN_PASSWORD": ""}) == b""
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(SigningError, match="set ASSAY_PASSWORD"):
        get_password(False, {})


def test_prompt_asks_twice_when_confirming(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["one", "two"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(SigningError, match="passwords do not match"):
        get_password(True, {})


def test_write_key_pair(tmp_path: Path) -> None:
    prefix = str(tmp_path / "release")
    files = write_key_pair(prefix, b"pw")
    assert stat.S_IMODE(os.stat(files.private_path).st_mode) == 0o600
    key = load_private_key(Path(files.private_path).read_bytes(), b"pw", files.private_path)
    assert load_public_key(files.public_path).verify(b"m", key.sign(b"m"))
    with pytest.raises(UsageError, match="release.key already exists"):
        write_key_pair(prefix, b"pw")
    again = write_key_pair(prefix, b"pw2", force=True)
    assert again.public_key.der() != files.public_key.der()


def test_reprs_never_show_key_material() -> None:
    signer = generate()
    assert "PrivateKeySigner(ecdsa-p256" in repr(signer)
    assert "key=" not in repr(signer) and "key=" not in repr(signer.public_key)


def test_key_provider_uris(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SigningError, match="key provider 'awskms' is not available"):
        load_signer("awskms://alias/release")
    with pytest.raises(SigningError, match="key provider 'pkcs11' is not available"):
        load_public_key("pkcs11:token=x;object=y")
    signer = generate()
    monkeypatch.setitem(keys._PROVIDERS, "testkms", lambda uri, pw: signer)
    assert load_signer("testkms://key/1") is signer
    assert load_public_key("testkms://key/1").der() == signer.public_key.der()
    register_key_provider("testkms2", lambda uri, pw: signer)
    try:
        assert load_signer("testkms2://k") is signer
    finally:
        keys._PROVIDERS.pop("testkms2")


def test_load_signer_reads_the_file_and_asks_for_the_password(tmp_path: Path) -> None:
    path = tmp_path / "cosign.key"
    path.write_bytes(encrypt_pem(generate().pkcs8(), b"hunter2"))
    asked = []
    signer = load_signer(str(path), lambda confirm: asked.append(confirm) or b"hunter2")
    assert asked == [False] and signer.sign(b"x")

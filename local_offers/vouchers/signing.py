"""The vouchers' signed tokens: compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037), the key id in the
header, so a venue verifies a QR offline with the published JWK set alone (`GET /api/v1/vouchers/public-key`)
and keys rotate by id.

Keys come from `settings.VOUCHER_SIGNING_KEYS` ("kid:base64url private key", the first signs, all are
published); without them a development key is generated once into `settings.VOUCHER_DEV_KEY_FILE`.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def jwk(self) -> dict[str, str]:
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url(self.public_raw),
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
        }


class BadToken(ValueError):
    """The token is malformed, signed by an unknown key, or its signature does not match."""


def _raw_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def _dev_key(path: Path) -> str:
    """The development key, generated once. Written whole to a file of this process, then linked into place
    (a link fails if the name exists): parallel test workers agree on one key, and none reads a file another
    has created but not yet written."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        private = Ed25519PrivateKey.generate()
        public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        kid = "dev-" + hashlib.sha256(public).hexdigest()[:8]
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(f"{kid}:{b64url(_raw_private(private))}\n")
        with contextlib.suppress(FileExistsError):  # another process linked its key first: use that one
            os.link(draft, path)
        draft.unlink()
    return path.read_text().strip()


def parse_key(entry: str) -> SigningKey:
    kid, _, secret = entry.strip().partition(":")
    if not kid or not secret:
        raise ImproperlyConfigured("VOUCHER_SIGNING_KEYS entries are 'kid:base64url private key'.")
    try:
        private = Ed25519PrivateKey.from_private_bytes(b64url_decode(secret))
    except ValueError as error:
        raise ImproperlyConfigured(
            f"VOUCHER_SIGNING_KEYS: key {kid!r} is not a 32-byte Ed25519 key."
        ) from error
    return SigningKey(kid=kid, private=private)


@functools.cache
def signing_keys() -> tuple[SigningKey, ...]:
    """Every configured key, the signing one first (cached for the process; tests clear the cache)."""
    entries = [e for e in settings.VOUCHER_SIGNING_KEYS if e.strip()]
    if not entries:
        if settings.VOUCHER_DEV_KEY_FILE is None:
            raise ImproperlyConfigured("Set VOUCHER_SIGNING_KEYS to sign vouchers (see the README).")
        entries = [_dev_key(Path(settings.VOUCHER_DEV_KEY_FILE))]
    keys = tuple(parse_key(e) for e in entries)
    if len({k.kid for k in keys}) != len(keys):
        raise ImproperlyConfigured("VOUCHER_SIGNING_KEYS: two keys share a kid.")
    return keys


def public_jwks() -> dict[str, Any]:
    return {"keys": [key.jwk() for key in signing_keys()]}


def _canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def sign(claims: dict[str, Any]) -> str:
    key = signing_keys()[0]
    header = b64url(_canonical({"alg": "EdDSA", "kid": key.kid, "typ": "reciproque-voucher"}))
    payload = b64url(_canonical(claims))
    signature = key.private.sign(f"{header}.{payload}".encode("ascii"))
    return f"{header}.{payload}.{b64url(signature)}"


def verify(token: str) -> dict[str, Any]:
    """The claims of a token signed by one of the configured keys; raises BadToken otherwise."""
    try:
        header_b64, payload_b64, signature_b64 = token.strip().split(".")
        header = json.loads(b64url_decode(header_b64))
        claims = json.loads(b64url_decode(payload_b64))
        signature = b64url_decode(signature_b64)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadToken("malformed") from error
    if not isinstance(header, dict) or header.get("alg") != "EdDSA" or not isinstance(claims, dict):
        raise BadToken("malformed")
    key = next((k for k in signing_keys() if k.kid == header.get("kid")), None)
    if key is None:
        raise BadToken("unknown key")
    public: Ed25519PublicKey = key.private.public_key()
    try:
        public.verify(signature, f"{header_b64}.{payload_b64}".encode("ascii"))
    except InvalidSignature as error:
        raise BadToken("bad signature") from error
    return claims

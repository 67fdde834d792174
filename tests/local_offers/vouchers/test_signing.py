"""The QR token verifies with the published JWK alone (only `cryptography`, no project code), a tampered token
fails, and keys rotate by id: a token signed by the previous key still verifies while it is published."""

import base64
import json
import multiprocessing

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.test import Client

from local_offers.vouchers import services, signing

pytestmark = pytest.mark.django_db


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_with_jwks(token: str, jwks: dict) -> dict:
    """What a venue's offline scanner does: pick the key by kid, verify the Ed25519 signature."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(_unb64(header_b64))
    assert header["alg"] == "EdDSA"
    jwk = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
    public = Ed25519PublicKey.from_public_bytes(_unb64(jwk["x"]))
    public.verify(_unb64(signature_b64), f"{header_b64}.{payload_b64}".encode())  # raises InvalidSignature
    return json.loads(_unb64(payload_b64))


def _key_entry(kid: str) -> str:
    raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return f"{kid}:{_b64(raw)}"


@pytest.fixture
def keys(settings):
    """Two configured keys, the new one first (rotation under way)."""
    settings.VOUCHER_SIGNING_KEYS = [_key_entry("2026-12"), _key_entry("2026-06")]
    signing.signing_keys.cache_clear()
    yield settings
    signing.signing_keys.cache_clear()


def test_a_voucher_token_verifies_with_the_public_jwk_alone(offer):
    voucher = offer.request()
    token = services.voucher_token(voucher)
    jwks = Client().get("/api/v1/vouchers/public-key").json()  # anonymous: anyone may verify
    claims = verify_with_jwks(token, jwks)
    assert claims["vid"] == voucher.pk
    assert claims["code"] == voucher.code
    assert claims["party"] == 2
    assert claims["fac"] == offer.facility.pk
    assert claims["to"] == voucher.last_day.isoformat()


@pytest.mark.parametrize("part", ["payload", "signature", "header"])
def test_a_tampered_token_fails(offer, part):
    token = services.voucher_token(offer.request())
    header_b64, payload_b64, signature_b64 = token.split(".")
    jwks = signing.public_jwks()
    if part == "payload":
        claims = json.loads(_unb64(payload_b64))
        claims["party"] = 9
        payload_b64 = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    elif part == "signature":
        raw = bytearray(_unb64(signature_b64))
        raw[0] ^= 1
        signature_b64 = _b64(bytes(raw))
    else:
        header = json.loads(_unb64(header_b64))
        header["typ"] = "other"
        header_b64 = _b64(json.dumps(header).encode())
    forged = f"{header_b64}.{payload_b64}.{signature_b64}"
    with pytest.raises(InvalidSignature):
        verify_with_jwks(forged, jwks)
    with pytest.raises(signing.BadToken):
        signing.verify(forged)


def test_keys_rotate_by_kid(offer, keys):
    old_only = [keys.VOUCHER_SIGNING_KEYS[1]]
    keys.VOUCHER_SIGNING_KEYS = old_only
    signing.signing_keys.cache_clear()
    voucher = offer.request()
    old_token = services.voucher_token(voucher)
    assert json.loads(_unb64(old_token.split(".")[0]))["kid"] == "2026-06"

    # The new key goes first: new tokens carry its kid, the old token still verifies (both published).
    keys.VOUCHER_SIGNING_KEYS = [_key_entry("2027-01"), *old_only]
    signing.signing_keys.cache_clear()
    jwks = Client().get("/api/v1/vouchers/public-key").json()
    assert [k["kid"] for k in jwks["keys"]] == ["2027-01", "2026-06"]
    new_token = services.voucher_token(voucher)
    assert json.loads(_unb64(new_token.split(".")[0]))["kid"] == "2027-01"
    assert verify_with_jwks(old_token, jwks)["vid"] == voucher.pk
    assert verify_with_jwks(new_token, jwks)["vid"] == voucher.pk

    # The old key retired: its tokens no longer verify.
    keys.VOUCHER_SIGNING_KEYS = keys.VOUCHER_SIGNING_KEYS[:1]
    signing.signing_keys.cache_clear()
    with pytest.raises(signing.BadToken):
        signing.verify(old_token)
    assert signing.verify(new_token)["vid"] == voucher.pk


def test_the_public_key_set_never_carries_a_private_part():
    for jwk in signing.public_jwks()["keys"]:
        assert set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"}
        assert len(_unb64(jwk["x"])) == 32


def test_parallel_processes_agree_on_one_development_key(tmp_path):
    """Test workers start together: each one reads the key the first link put in place, whole."""
    path = tmp_path / "keys" / "voucher.key"
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool:
        keys = pool.map(signing._dev_key, [path] * 8)
    assert len(set(keys)) == 1
    assert keys[0].startswith("dev-")
    assert ":" in keys[0]
    assert [p.name for p in path.parent.iterdir()] == ["voucher.key"]  # no draft left behind

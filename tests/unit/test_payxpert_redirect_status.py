"""The customer's return from PayXpert: the encrypted status, against PayXpert's own
sample.

PayXpert's C# client demo (PayXpert/connect2pay-csharp-client,
``TestRedirectEncryption``) publishes a ``data`` field and the merchant token that
encrypts it. The published ``data`` is cut short (849 characters, not whole base64),
so only its whole blocks are checked: with ECB, each 16-byte block decrypts on its
own. That is enough to prove the key (the merchant token, URL-safe base64 decoded)
and the mode (AES-128-ECB) are PayXpert's.
"""

from __future__ import annotations

import base64
import json

import pytest

from axokey.adapters.providers.payxpert_mapping import (
    decrypt_blocks,
    decrypt_redirect_status,
    encrypt_redirect_status,
    reference_from_return,
)

PAYXPERT_SAMPLE_MERCHANT_TOKEN = "W2n1yR8UXNJBrJxbsqOy3g"
# The first 176 characters (132 bytes: eight whole blocks) of the demo's ``data``.
PAYXPERT_SAMPLE_DATA_START = (
    "C1w0nrYb6B_2yc3mheyRX9vXvuIr2b3-OZSM8RKzKJqYVZlHOPa4seVUmBOeTJ49xqlPR9DoUskBQsyEzTs74rQY"
    "dEDqwYk0n4Vac4wF3t_FxkG-GNd2sBcTmrKaeJXLnRuKP1KHHEIi-fZTzwe5pNnOon4bgxJJF_L-PuSHq4xs2P6O"
)


def test_payxperts_own_sample_decrypts_with_the_merchant_token_as_key() -> None:
    key = base64.urlsafe_b64decode(PAYXPERT_SAMPLE_MERCHANT_TOKEN + "==")
    encrypted = base64.urlsafe_b64decode(PAYXPERT_SAMPLE_DATA_START)
    plain = decrypt_blocks(key, encrypted[: len(encrypted) // 16 * 16])
    assert plain.startswith(b'{"ctrlCustomData":"Give that back to me please !!"')
    assert b'"merchantToken":"W2n1yR8UXNJBrJxbsqOy3g"' in plain


def test_a_status_round_trips_and_names_its_payment() -> None:
    token = "JPhorvt8Zj8zH1eIrWNqmw"
    status = {"merchantToken": token, "status": "Authorized", "errorCode": "000"}
    data = encrypt_redirect_status(status, token)
    assert set(data) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert decrypt_redirect_status(data, token) == status
    assert (
        reference_from_return({"data": data, "customer": "x"}, ["Other0token0000000000A", token])
        == token
    )


def test_a_status_naming_another_payment_is_not_taken() -> None:
    token, other = "JPhorvt8Zj8zH1eIrWNqmw", "W2n1yR8UXNJBrJxbsqOy3g"
    data = encrypt_redirect_status({"merchantToken": other, "status": "Authorized"}, token)
    assert decrypt_redirect_status(data, token) is None


@pytest.mark.parametrize(
    "plain",
    [b"[]", b"not json", json.dumps({"status": "Authorized"}).encode()],
)
def test_what_is_not_a_status_of_this_payment_is_refused(plain: bytes) -> None:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    token = "JPhorvt8Zj8zH1eIrWNqmw"
    key = base64.urlsafe_b64decode(token + "==")
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    data = base64.urlsafe_b64encode(encryptor.update(padded) + encryptor.finalize()).decode()
    assert decrypt_redirect_status(data, token) is None

"""Redemption codes: signed QR tokens, key rotation, short codes and their check symbol."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from axokey.domain.errors import AxokeyError, NotFound, problem_of
from axokey.domain.identifiers import CROCKFORD_ALPHABET
from axokey.domain.redemption_codes import (
    CHECK_ALPHABET,
    DERIVED_KEY_ID,
    Keyring,
    MalformedCode,
    ReadCode,
    SigningKey,
    UnknownCode,
    UnverifiedToken,
    classify_code,
    derive_keyring,
    format_short_code,
    issue_token,
    keyring_from_settings,
    new_keyring_entry,
    new_reference,
    new_short_code,
    normalise_short_code,
    parse_keyring,
    read_code,
    verify_token,
)

SECRET_1 = "s1-" + "a" * 40
SECRET_2 = "s2-" + "b" * 40
KEYRING = parse_keyring(f"k1:{SECRET_1}")
TOKEN_PATTERN = re.compile(r"AXK1:[A-Z0-9]{1,8}:[A-Z2-7]{26}:[A-Z2-7]{26}")
QR_ALPHANUMERIC = set(string.digits + string.ascii_uppercase + " $%*+-./:")
BASE32_ALPHABET = string.ascii_uppercase + "234567"


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=")


# --- tokens ------------------------------------------------------------------


def test_token_round_trip_and_format() -> None:
    reference = new_reference()
    token = issue_token(KEYRING, reference)
    assert TOKEN_PATTERN.fullmatch(token)
    assert token.startswith("AXK1:K1:")
    assert set(token) <= QR_ALPHANUMERIC
    assert verify_token(KEYRING, token) == reference


def test_token_tag_is_truncated_hmac_of_signed_part_with_purpose_key() -> None:
    """Pins the documented construction, so the format cannot drift silently."""
    reference = bytes(range(16))
    token = issue_token(KEYRING, reference)
    signed_part, _, tag = token.rpartition(":")
    assert signed_part == f"AXK1:K1:{_b32(reference)}"
    purpose_key = hmac.new(SECRET_1.encode(), b"axokey/qr-token/v1", hashlib.sha256).digest()
    expected = hmac.new(purpose_key, signed_part.encode(), hashlib.sha256).digest()[:16]
    assert tag == _b32(expected)


def test_the_token_carries_nothing_but_version_key_id_reference_and_tag() -> None:
    reference = new_reference()
    version, key_id, reference_text, tag = issue_token(KEYRING, reference).split(":")
    assert (version, key_id) == ("AXK1", "K1")
    assert base64.b32decode(reference_text + "======") == reference
    assert len(base64.b32decode(tag + "======")) == 16


def test_issuing_with_a_reference_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError):
        issue_token(KEYRING, b"\x00" * 15)
    with pytest.raises(ValueError):
        issue_token(KEYRING, b"\x00" * 17)


def test_scanned_variants_verify_case_and_surrounding_whitespace() -> None:
    reference = new_reference()
    token = issue_token(KEYRING, reference)
    for variant in (token.lower(), f"  {token}\n", f"\t{token.lower()} ", token.swapcase()):
        assert verify_token(KEYRING, variant) == reference


def test_changing_any_single_character_fails() -> None:
    reference = new_reference()
    token = issue_token(KEYRING, reference)
    alphabet = BASE32_ALPHABET + "01:"
    tried = 0
    for position, original in enumerate(token):
        for replacement in alphabet:
            if replacement == original:
                continue
            tampered = token[:position] + replacement + token[position + 1 :]
            with pytest.raises(UnknownCode):
                verify_token(KEYRING, tampered)
            tried += 1
    assert tried > 60 * 30


def test_non_canonical_last_character_of_reference_or_tag_fails() -> None:
    """26 base32 characters hold 130 bits: the 2 spare bits must be zero.

    Otherwise a changed last character could decode to the same bytes and pass.
    """
    token = issue_token(KEYRING, new_reference())
    version, key_id, reference_text, tag = token.split(":")
    for index in (2, 3):
        parts = [version, key_id, reference_text, tag]
        value = BASE32_ALPHABET.index(parts[index][-1])
        assert value & 0b11 == 0
        for spare_bits in (1, 2, 3):
            parts_changed = list(parts)
            parts_changed[index] = parts[index][:-1] + BASE32_ALPHABET[value | spare_bits]
            assert base64.b32decode(parts_changed[index] + "======") == base64.b32decode(
                parts[index] + "======"
            )
            with pytest.raises(MalformedCode):
                verify_token(KEYRING, ":".join(parts_changed))


def test_a_wrong_key_fails() -> None:
    token = issue_token(KEYRING, new_reference())
    other_secret_same_id = parse_keyring(f"k1:{SECRET_2}")
    with pytest.raises(UnverifiedToken):
        verify_token(other_secret_same_id, token)


def test_key_rotation_old_tokens_verify_while_their_key_is_kept() -> None:
    reference = new_reference()
    old_token = issue_token(parse_keyring(f"k1:{SECRET_1}"), reference)

    rotated = parse_keyring(f"k2:{SECRET_2},k1:{SECRET_1}")
    new_token = issue_token(rotated, reference)
    assert new_token.startswith("AXK1:K2:")
    assert verify_token(rotated, old_token) == reference
    assert verify_token(rotated, new_token) == reference

    retired = parse_keyring(f"k2:{SECRET_2}")
    assert verify_token(retired, new_token) == reference
    with pytest.raises(UnverifiedToken):
        verify_token(retired, old_token)


def test_a_token_claiming_another_key_id_fails() -> None:
    rotated = parse_keyring(f"k2:{SECRET_2},k1:{SECRET_1}")
    token = issue_token(rotated, new_reference())
    relabelled = token.replace("AXK1:K2:", "AXK1:K1:", 1)
    with pytest.raises(UnverifiedToken):
        verify_token(rotated, relabelled)


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "   ",
        "AXK1",
        "AXK1:K1",
        "AXK1:K1:AAAA:BBBB",
        "AXK2:K1:" + "A" * 26 + ":" + "A" * 26,
        "AXK1::" + "A" * 26 + ":" + "A" * 26,
        "AXK1:TOOLONGID:" + "A" * 26 + ":" + "A" * 26,
        "AXK1:K1:" + "A" * 26 + ":" + "A" * 26 + ":",
        "AXK1:K1:" + "A" * 25 + "1:" + "A" * 26,
        "AXK1:K1:" + "A" * 26 + ":" + "A" * 26 + "==",
        "AXK1:K1:" + "A" * 25 + "É:" + "A" * 26,
        "AXK1 K1 " + "A" * 26 + " " + "A" * 26,
        "A" * 129,
        " " * 200,
    ],
)
def test_malformed_payloads_are_refused(payload: str) -> None:
    with pytest.raises(MalformedCode):
        verify_token(KEYRING, payload)


def test_every_failure_looks_the_same_from_outside() -> None:
    token = issue_token(KEYRING, new_reference())
    failures: list[UnknownCode] = []
    for payload in ("garbage", token[:-2] + "AA", token.replace(":K1:", ":K9:")):
        with pytest.raises(UnknownCode) as caught:
            verify_token(KEYRING, payload)
        failures.append(caught.value)
    with pytest.raises(UnknownCode) as caught_short:
        normalise_short_code("0000000000Z")
    failures.append(caught_short.value)
    failures.append(UnknownCode())  # what a service raises for an authentic but unknown code
    problems = {
        (problem.status, problem.code, problem.title, problem.detail, tuple(problem.errors))
        for problem in map(problem_of, failures)
    }
    assert len(problems) == 1
    ((status, code, _title, detail, _errors),) = problems
    assert (status, code) == (404, "unknown_code")
    assert "garbage" not in detail
    assert all(isinstance(failure, NotFound) for failure in failures)
    assert issubclass(UnknownCode, AxokeyError)


@settings(max_examples=200)
@given(st.binary(min_size=16, max_size=16))
def test_property_any_reference_round_trips(reference: bytes) -> None:
    assert verify_token(KEYRING, issue_token(KEYRING, reference)) == reference


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_property_random_strings_never_verify(payload: str) -> None:
    with pytest.raises(UnknownCode):
        verify_token(KEYRING, payload)


@settings(max_examples=300)
@given(
    st.sampled_from(["K1", "K2", "A1", "ZZZZZZZZ"]),
    st.binary(min_size=16, max_size=16),
    st.binary(min_size=16, max_size=16),
)
def test_property_well_formed_tokens_with_random_tags_never_verify(
    key_id: str, reference: bytes, tag: bytes
) -> None:
    payload = f"AXK1:{key_id}:{_b32(reference)}:{_b32(tag)}"
    assert TOKEN_PATTERN.fullmatch(payload)
    with pytest.raises(UnverifiedToken):
        verify_token(KEYRING, payload)


# --- keyrings ----------------------------------------------------------------


def test_parse_keyring_first_entry_signs_and_ids_are_upper_cased() -> None:
    keyring = parse_keyring(f" k2 : {SECRET_2} , K1:{SECRET_1}")
    assert [key.key_id for key in keyring.keys] == ["K2", "K1"]
    assert keyring.signing_key.key_id == "K2"
    assert keyring.signing_key.secret == SECRET_2.encode()
    assert keyring.find("K1") is not None
    assert keyring.find("K3") is None


def test_secrets_may_contain_colons() -> None:
    keyring = parse_keyring("k1:" + "a:b" * 12)
    assert keyring.signing_key.secret == ("a:b" * 12).encode()


@pytest.mark.parametrize(
    "setting",
    [
        "",
        "k1",
        "k1:" + "x" * 31,
        f"k1:{SECRET_1},",
        f"k1:{SECRET_1},k1:{SECRET_2}",
        f"k1:{SECRET_1},K1:{SECRET_2}",
        f"k-1:{SECRET_1}",
        f"toolongid:{SECRET_1}",
        f":{SECRET_1}",
    ],
)
def test_bad_keyring_settings_are_refused(setting: str) -> None:
    with pytest.raises(ValueError):
        parse_keyring(setting)


def test_short_secret_error_does_not_echo_the_secret() -> None:
    with pytest.raises(ValueError) as caught:
        parse_keyring("k1:hunter2-is-my-password")
    assert "hunter2" not in str(caught.value)


def test_secrets_do_not_appear_in_reprs() -> None:
    assert SECRET_1 not in repr(KEYRING)
    assert SECRET_1 not in repr(KEYRING.signing_key)


def test_an_empty_keyring_is_refused() -> None:
    with pytest.raises(ValueError):
        Keyring(())
    with pytest.raises(ValueError):
        Keyring((SigningKey("K1", b"short"),))


def test_derive_keyring_is_deterministic_hkdf_and_distinct_per_material() -> None:
    material = "axk_admin_" + "q" * 43
    keyring = derive_keyring(material)
    assert keyring == derive_keyring(material)
    assert keyring.signing_key.key_id == DERIVED_KEY_ID
    # RFC 5869 HKDF-SHA256, one output block.
    prk = hmac.new(b"axokey/derive-keyring/v1", material.encode(), hashlib.sha256).digest()
    okm = hmac.new(prk, b"signing-key\x01", hashlib.sha256).digest()
    assert keyring.signing_key.secret == okm
    assert material.encode() not in keyring.signing_key.secret

    other = derive_keyring("axk_admin_" + "r" * 43)
    token = issue_token(keyring, new_reference())
    with pytest.raises(UnverifiedToken):
        verify_token(other, token)


def test_derive_keyring_refuses_short_material() -> None:
    with pytest.raises(ValueError):
        derive_keyring("x" * 31)


def test_keyring_from_settings_prefers_explicit_keys() -> None:
    admin_key = "axk_admin_" + "z" * 43
    assert keyring_from_settings(f"k1:{SECRET_1}", admin_key) == KEYRING
    assert keyring_from_settings(None, admin_key) == derive_keyring(admin_key)
    assert keyring_from_settings("", admin_key) == derive_keyring(admin_key)
    with pytest.raises(ValueError):
        keyring_from_settings(None, None)


def test_new_keyring_entry_is_a_valid_random_setting() -> None:
    first, second = new_keyring_entry("k3"), new_keyring_entry("k3")
    assert first != second
    assert first.startswith("K3:")
    keyring = parse_keyring(f"{first},k1:{SECRET_1}")
    assert len(keyring.signing_key.secret) >= 32
    with pytest.raises(ValueError):
        new_keyring_entry("bad id!")


def test_new_references_are_16_random_bytes() -> None:
    references = {new_reference() for _ in range(1000)}
    assert len(references) == 1000
    assert {len(reference) for reference in references} == {16}


# --- short codes -------------------------------------------------------------


def _check(data: str) -> str:
    value = 0
    for character in data:
        value = value * 32 + CROCKFORD_ALPHABET.index(character)
    return CHECK_ALPHABET[value % 37]


def test_new_short_code_shape() -> None:
    codes = {new_short_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 11
        assert all(character in CROCKFORD_ALPHABET for character in code[:10])
        assert code[10] == _check(code[:10])
        assert normalise_short_code(code) == code


def test_short_codes_use_all_50_bits() -> None:
    """Each of the 10 data positions takes every one of the 32 symbols."""
    codes = [new_short_code() for _ in range(3000)]
    for position in range(10):
        assert {code[position] for code in codes} == set(CROCKFORD_ALPHABET)


def test_check_symbol_known_values() -> None:
    assert CHECK_ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U"
    # 0 → 0; 36 = "14" in base 32 → "U"; 32 = "10" → "*"; 37 = "15" → "0".
    assert normalise_short_code("0000000000" + "0") == "00000000000"
    assert normalise_short_code("0000000014" + "U") == "0000000014U"
    assert normalise_short_code("0000000010" + "*") == "0000000010*"
    assert normalise_short_code("0000000015" + "0") == "00000000150"


def test_format_short_code_groups_by_four() -> None:
    assert format_short_code("7K3QM9XD2VN") == "7K3Q-M9XD-2VN"
    assert normalise_short_code("7K3Q-M9XD-2VN") == "7K3QM9XD2VN"


@pytest.mark.parametrize(
    "typed",
    [
        "7K3Q-M9XD-2VN",
        "7k3q-m9xd-2vn",
        "7K3Q M9XD 2VN",
        " 7k3qm9xd2vn\n",
        "7K3Q--M9XD - 2VN",
        "7K3QM9XD2VN",
    ],
)
def test_typed_variants_normalise(typed: str) -> None:
    assert normalise_short_code(typed) == "7K3QM9XD2VN"


def test_crockford_look_alikes_are_read_as_digits() -> None:
    code = "10" + "0" * 7 + "1"
    code += _check(code)
    for typed in ("IO" + "o" * 7 + "l", "lo" + "O" * 7 + "I", "io-ooo0-000L"):
        assert normalise_short_code(typed + code[-1]) == code


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "7K3QM9XD2V",
        "7K3QM9XD2VNN",
        "7K3QM9XD2VA",  # wrong check symbol
        "7K3QM9XD2U" + "N",  # U is a check symbol only
        "7K3QM9XD2*N",
        "7K3Q_M9XD_2VN",
        "7K3QM9XD2VÑ",
        "7" * 200,
    ],
)
def test_bad_short_codes_are_refused(typed: str) -> None:
    with pytest.raises(MalformedCode):
        normalise_short_code(typed)


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=2**50 - 1), st.data())
def test_property_check_symbol_catches_every_single_substitution(
    value: int, data: st.DataObject
) -> None:
    digits = []
    for _ in range(10):
        value, remainder = divmod(value, 32)
        digits.append(CROCKFORD_ALPHABET[remainder])
    code = "".join(reversed(digits))
    code += _check(code)
    assert normalise_short_code(code) == code
    position = data.draw(st.integers(min_value=0, max_value=10))
    alphabet = CROCKFORD_ALPHABET if position < 10 else CHECK_ALPHABET
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != code[position]]))
    typo = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(MalformedCode):
        normalise_short_code(typo)


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=2**50 - 1), st.integers(min_value=0, max_value=9))
def test_property_check_symbol_catches_every_adjacent_transposition(
    value: int, position: int
) -> None:
    digits = []
    for _ in range(10):
        value, remainder = divmod(value, 32)
        digits.append(CROCKFORD_ALPHABET[remainder])
    code = "".join(reversed(digits))
    code += _check(code)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    if swapped == code:
        return  # two equal characters: nothing was swapped
    with pytest.raises(MalformedCode):
        normalise_short_code(swapped)


def test_every_substitution_and_transposition_of_one_code_exhaustively() -> None:
    code = new_short_code()
    for position in range(11):
        alphabet = CROCKFORD_ALPHABET if position < 10 else CHECK_ALPHABET
        for replacement in alphabet:
            if replacement != code[position]:
                with pytest.raises(MalformedCode):
                    normalise_short_code(code[:position] + replacement + code[position + 1 :])
    for position in range(10):
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
        if swapped != code:
            with pytest.raises(MalformedCode):
                normalise_short_code(swapped)


# --- telling codes apart -----------------------------------------------------


def test_classify_code() -> None:
    token = issue_token(KEYRING, new_reference())
    assert classify_code(token) == "token"
    assert classify_code(f" {token.lower()}\n") == "token"
    assert classify_code("garbage:with:colons") == "token"
    code = new_short_code()
    assert classify_code(code) == "short_code"
    assert classify_code(format_short_code(code).lower()) == "short_code"
    with pytest.raises(MalformedCode):
        classify_code("x" * 129)


def test_read_code_verifies_before_anything_is_looked_up() -> None:
    reference = new_reference()
    token = issue_token(KEYRING, reference)
    assert read_code(KEYRING, token) == ReadCode(kind="token", reference=reference)
    code = new_short_code()
    assert read_code(KEYRING, format_short_code(code).lower()) == ReadCode(
        kind="short_code", short_code=code
    )
    with pytest.raises(UnverifiedToken):
        read_code(parse_keyring(f"k1:{SECRET_2}"), token)
    with pytest.raises(MalformedCode):
        read_code(KEYRING, code[:-1] + ("0" if code[-1] != "0" else "1"))

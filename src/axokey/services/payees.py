"""Payees: a party's payout details (IBAN, BIC, postal address) and their history.

A party changes its own details (``PATCH /v1/me``); the operator any party's. A
changed IBAN is recorded with its date and who changed it: a changed IBAN is the
classic payout fraud, so it stays visible in the party's history.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pycountry

from axokey.adapters.db import party_repository, payee_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain.audit import Action
from axokey.domain.errors import FieldError, Forbidden, NotFound, ValidationFailed
from axokey.domain.parties import IbanChange, Party, PostalAddress, Principal, Role
from axokey.services import audit
from axokey.services.context import ServiceContext
from axokey.services.parties import normalise_bank_details, read_party


@dataclass(frozen=True)
class PayoutDetailsChange:
    """What a PATCH names; a field left out (``*_given`` False) stays as it is."""

    iban: str | None = None
    iban_given: bool = False
    bic: str | None = None
    bic_given: bool = False
    address: PostalAddress | None = None
    address_given: bool = False


def validate_country(address: PostalAddress | None, field: str = "address.country") -> None:
    if address is None or address.country is None:
        return
    if pycountry.countries.get(alpha_2=address.country) is None:
        raise ValidationFailed(
            "invalid country",
            code="invalid_country",
            errors=[FieldError(field, "an ISO 3166-1 alpha-2 code, e.g. FR")],
        )


def _target(principal: Principal, party_id: str | None) -> str:
    """Whose details the caller may change: its own; the operator anyone's."""
    if party_id is None:
        if principal.party_id is None:
            raise NotFound("the admin key belongs to no party", code="no_party")
        return principal.party_id
    if principal.is_admin or principal.party_id == party_id:
        return party_id
    raise Forbidden("a party changes its own payout details only", code="not_your_party")


def update_payout_details(
    context: ServiceContext,
    principal: Principal,
    change: PayoutDetailsChange,
    *,
    party_id: str | None = None,
) -> Party:
    """Change a party's IBAN, BIC or address (``party_id`` None: the caller's own)."""
    if party_id is not None and not principal.is_admin and principal.party_id != party_id:
        read_party(context, principal, party_id)  # 404 unless the caller may see it
    target = _target(principal, party_id)
    iban, bic = normalise_bank_details(
        change.iban if change.iban_given else None, change.bic if change.bic_given else None
    )
    validate_country(change.address)
    now = context.now()
    changed_by = Role.ADMIN.value if principal.is_admin else "party"

    def change_payout_details(connection: Connection) -> Party:
        current = payee_repository.lock_payout_details(connection, target)
        if current is None:
            raise NotFound(f"party {target} not found", code="party_not_found")
        details = current
        if change.iban_given:
            details = replace(details, iban=iban)
        if change.bic_given:
            details = replace(details, bic=bic)
        if change.address_given:
            details = replace(
                details, address=change.address or PostalAddress(None, None, None, None)
            )
        payee_repository.save_payout_details(
            connection,
            target,
            details,
            previous_iban=current.iban,
            changed_by=changed_by,
            now=now,
        )
        audit.record(
            connection,
            context,
            principal,
            Action.PAYOUT_DETAILS_CHANGED,
            object_id=target,
            subject_party_id=target,
            details={
                # Never a full IBAN in the trail: its last four characters.
                "iban_changed": details.iban != current.iban,
                "iban_last4": details.iban[-4:] if details.iban else None,
                "bic_changed": details.bic != current.bic,
                "address_changed": details.address != current.address,
            },
        )
        party = party_repository.get_party(connection, target)
        assert party is not None
        return party

    try:
        return context.database.run(change_payout_details)
    finally:  # the party as authentication gives it (``key_cache``) is read again
        context.key_cache.clear()


def iban_history(context: ServiceContext, principal: Principal, party_id: str) -> list[IbanChange]:
    """Who set which IBAN when, oldest first (the party itself and the operator)."""
    if not principal.is_admin and principal.party_id != party_id:
        read_party(context, principal, party_id)  # 404 unless visible
        raise Forbidden("a party reads its own IBAN history only", code="not_your_party")
    with context.database.read() as connection:
        if party_repository.get_party(connection, party_id) is None:
            raise NotFound(f"party {party_id} not found", code="party_not_found")
        return payee_repository.iban_history(connection, party_id)

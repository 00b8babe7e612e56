"""Parties: onboarding and look-up. (Authentication: ``services/api_keys.py``.)"""

from __future__ import annotations

import pycountry

from axokey.adapters.db import party_repository, payee_repository
from axokey.adapters.db.transaction import Connection
from axokey.domain.audit import Action
from axokey.domain.errors import FieldError, Forbidden, NotFound, ValidationFailed
from axokey.domain.identifiers import new_id
from axokey.domain.parties import Party, PostalAddress, Principal, Role
from axokey.services import api_keys, audit
from axokey.services.context import ServiceContext

# Kept here for the callers that authenticate through ``parties``.
authenticate = api_keys.authenticate


def normalise_bank_details(iban: str | None, bic: str | None) -> tuple[str | None, str | None]:
    """Validate an IBAN and BIC with schwifty; return their compact forms."""
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    errors: list[FieldError] = []
    iban_compact: str | None = None
    bic_compact: str | None = None
    if iban is not None:
        try:
            parsed = IBAN(iban)
            iban_compact = parsed.compact
        except SchwiftyException as error:
            errors.append(FieldError("iban", f"invalid IBAN: {error}"))
    if bic is not None:
        try:
            bic_compact = BIC(bic).compact
        except SchwiftyException as error:
            errors.append(FieldError("bic", f"invalid BIC: {error}"))
    if errors:
        raise ValidationFailed("invalid bank details", code="invalid_bank_details", errors=errors)
    return iban_compact, bic_compact


def create_party(
    context: ServiceContext,
    *,
    role: Role,
    name: str,
    email: str | None = None,
    iban: str | None = None,
    bic: str | None = None,
    address: PostalAddress | None = None,
    merchant_id: str | None = None,
    principal: Principal | None = None,
) -> tuple[Party, str]:
    """Onboard a party. Returns it with its first API key, which is never shown
    again. ``principal``: who does it (the command line when None), for the audit
    trail."""
    actor = principal or api_keys.command_line_principal()
    if role is Role.ADMIN:
        raise ValidationFailed(
            "role must be merchant, supplier, courier or store", code="invalid_role"
        )
    iban, bic = normalise_bank_details(iban, bic)
    address = address or PostalAddress(None, None, None, None)
    if address.country is not None and pycountry.countries.get(alpha_2=address.country) is None:
        raise ValidationFailed(
            "invalid country",
            errors=[FieldError("address.country", "an ISO 3166-1 alpha-2 code, e.g. FR")],
        )
    party_id = new_id("pty")
    now = context.now()

    def onboard_party(connection: Connection) -> tuple[Party, str]:
        if role is Role.STORE:
            if merchant_id is None:
                raise ValidationFailed(
                    "a store names its merchant",
                    code="merchant_required",
                    errors=[FieldError("merchant_id", "required for a store")],
                )
            if party_repository.role_of(connection, merchant_id) is not Role.MERCHANT:
                raise NotFound(
                    f"merchant {merchant_id} not found",
                    code="unknown_merchant",
                    errors=[FieldError("merchant_id", "no merchant with this id")],
                )
        elif merchant_id is not None:
            raise ValidationFailed(
                "only a store names a merchant",
                errors=[FieldError("merchant_id", "only for role store")],
            )
        party = Party(
            id=party_id,
            role=role,
            name=name,
            email=email,
            iban=iban,
            bic=bic,
            address=address,
            merchant_id=merchant_id,
            created_at=now,
        )
        party_repository.insert_party(connection, party)
        if iban is not None:
            payee_repository.record_iban(connection, party_id, None, iban, Role.ADMIN.value, now)
        stored = party_repository.get_party(connection, party_id)
        assert stored is not None
        audit.record(
            connection,
            context,
            actor,
            Action.PARTY_CREATED,
            object_id=party_id,
            subject_party_id=party_id,
            details={"role": role.value, "name": name, "merchant_id": merchant_id},
        )
        api_key = api_keys.issue_first_key(connection, context, actor, party_id, role)
        return stored, api_key

    return context.database.run(onboard_party)


def read_party(context: ServiceContext, principal: Principal, party_id: str) -> Party:
    """A party as the caller may see it: the operator sees all; a party itself;
    a merchant its own stores. Anything else is 404 (no existence leak)."""
    with context.database.read() as connection:
        party = party_repository.get_party(connection, party_id)
    if party is None:
        raise NotFound(f"party {party_id} not found")
    if principal.is_admin or principal.party_id == party.id:
        return party
    if principal.role is Role.MERCHANT and party.merchant_id == principal.party_id:
        return party
    raise NotFound(f"party {party_id} not found")


def party_acted_for(
    principal: Principal,
    named_party_id: str | None,
    *,
    field: str,
    operator_must_name: str,
    operator_must_name_code: str,
    only_own: str,
    only_own_code: str | None = None,
) -> str:
    """The party a use case acts for: the operator names it (``field``); a party
    acts for itself, and naming another is forbidden."""
    if principal.is_admin:
        if named_party_id is None:
            # 403, not 422: the key, not the request's shape, makes the field needed.
            raise Forbidden(
                operator_must_name,
                code=operator_must_name_code,
                errors=[FieldError(field, "required with the admin key")],
            )
        return named_party_id
    assert principal.party_id is not None
    if named_party_id is not None and named_party_id != principal.party_id:
        raise Forbidden(only_own, code=only_own_code)
    return principal.party_id


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        allowed = ", ".join(role.value for role in roles)
        raise Forbidden(f"this action is for: {allowed}", code="role_not_allowed")

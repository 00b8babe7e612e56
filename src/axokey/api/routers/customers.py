"""The customer's rights, for the operator who answers them: what is held about an
email (export), and its erasure (pseudonymisation where the law allows)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import EmailStr

from axokey.api.deps import ContextDep, PrincipalDep
from axokey.api.schemas.customers import CustomerData, CustomerErase, ErasureReport
from axokey.services import personal_data

router = APIRouter(tags=["customers"])


@router.get("/v1/customers/data", response_model=CustomerData)
def customer_data(
    email: Annotated[EmailStr, Query(max_length=254)],
    context: ContextDep,
    principal: PrincipalDep,
) -> CustomerData:
    """Everything held about the customer of this email (operator only)."""
    return CustomerData(**personal_data.export_customer_data(context, principal, email))


@router.post("/v1/customers/erase", response_model=ErasureReport)
def erase_customer(
    body: CustomerErase, context: ContextDep, principal: PrincipalDep
) -> ErasureReport:
    """Pseudonymise the customer of this email where no obligation requires keeping
    their data, and say what was kept and why (operator only)."""
    return ErasureReport(**personal_data.erase_customer(context, principal, body.email))

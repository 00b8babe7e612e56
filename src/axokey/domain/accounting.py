"""The ledger in the French chart of accounts (Plan comptable général), for the FEC.

Each ledger account maps to a general account (``CompteNum``) and, for a party's
account, an auxiliary account (``CompAuxNum`` = the party's id):

==========================  ==========  ==========================================
ledger account               CompteNum   label
==========================  ==========  ==========================================
clearing (provider)          5121xxxx    payment provider's clearing (512 sub-account)
escrow (per order)           46710000    customers' money held in escrow (467)
payable, supplier / courier  40100000    suppliers (aux: the party)
payable, merchant / store    46720000    merchants' commissions to pay (aux: the party)
refunds                      41100000    customers: refunds to pay
settlement                   51200000    bank: the settlement account
operator revenue (fees)      70600000    commissions (no ledger account yet)
anything else                47100000    suspense account (never silently dropped)
==========================  ==========  ==========================================
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from axokey.domain import accounts
from axokey.domain.money import currency_exponent

PROVIDER_CLEARING = {"payxpert": "51211000", "sandbox": "51219000"}
# The FEC's 18 columns, in order (article A47 A-1 of the Livre des procédures fiscales).
FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
JOURNAL_CODE = "AXK"
JOURNAL_LABEL = "Séquestre AXOKEY"
MOVEMENT_LABELS = {
    "capture": "Encaissement carte",
    "hold": "Mise sous séquestre",
    "release": "Libération du séquestre",
    "refund": "Remboursement décidé",
    "refund_out": "Remboursement versé",
    "payout": "Virement au bénéficiaire",
    "void": "Annulation",
    "expire": "Expiration",
}


@dataclass(frozen=True)
class GeneralAccount:
    number: str
    label: str
    auxiliary_number: str
    auxiliary_label: str


def general_account(
    account_id: str, party_role: str | None, party_name: str | None
) -> GeneralAccount:
    """Where a ledger account goes in the French chart."""
    kind = accounts.kind_of_account_id(account_id)
    if kind == accounts.CLEARING:
        provider = account_id[len("acc_clearing_") :].rsplit("_", 1)[0]
        number = PROVIDER_CLEARING.get(provider, "51210000")
        return GeneralAccount(number, f"Prestataire de paiement {provider}", "", "")
    if kind == accounts.ESCROW:
        return GeneralAccount("46710000", "Fonds clients sous séquestre", "", "")
    if kind == accounts.REFUNDS:
        return GeneralAccount("41100000", "Clients - remboursements à verser", "", "")
    if kind == accounts.SETTLEMENT:
        return GeneralAccount("51200000", "Banque - compte de règlement", "", "")
    if kind == accounts.PAYABLE:
        party_id = account_id[len("acc_payable_") :].rsplit("_", 1)[0]
        name = party_name or party_id
        if party_role in ("merchant", "store"):
            return GeneralAccount("46720000", "Marchands - commissions à reverser", party_id, name)
        return GeneralAccount("40100000", "Fournisseurs", party_id, name)
    return GeneralAccount("47100000", "Compte d'attente", "", "")


def party_of_account(account_id: str) -> str | None:
    if accounts.kind_of_account_id(account_id) == accounts.PAYABLE:
        return account_id[len("acc_payable_") :].rsplit("_", 1)[0]
    return None


@functools.cache
def _exponent(currency: str) -> int:
    return currency_exponent(currency)


def decimal_comma(amount_minor: int, currency: str) -> str:
    """``123456`` EUR → ``1234,56`` (decimal comma, no thousands separator)."""
    exponent = _exponent(currency)
    sign = "-" if amount_minor < 0 else ""
    units, fraction = divmod(abs(amount_minor), 10**exponent)
    return f"{sign}{units},{fraction:0{exponent}d}" if exponent else f"{sign}{units}"


_FIELD_SAFE = str.maketrans({"|": "/", "\r": " ", "\n": " "})


def fec_field(value: str) -> str:
    """A field without the separator or line breaks."""
    return value.translate(_FIELD_SAFE)

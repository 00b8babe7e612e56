"""The domain: plain Python rules of money, the ledger, orders and redemption.

Nothing here imports FastAPI or SQLAlchemy: the services load state, call these
rules, and persist what they decide.
"""

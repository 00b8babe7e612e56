"""The customer's link token never reaches the access log."""

from __future__ import annotations

import logging

from axokey.cli import _LinkTokenFilter


def test_the_customer_link_token_is_hidden_in_access_log_lines() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/orders/ord_1/secrettoken?x=1", "1.1", 200),
        None,
    )
    assert _LinkTokenFilter().filter(record)
    assert "secrettoken" not in record.getMessage()
    assert "/orders/ord_1/…?x=1" in record.getMessage()
    other = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/v1/orders/ord_1", "1.1", 200),
        None,
    )
    _LinkTokenFilter().filter(other)
    assert "/v1/orders/ord_1" in other.getMessage()


def test_settings_never_show_their_secrets() -> None:
    from axokey.config import Settings

    settings = Settings(
        admin_key="axk_admin_" + "a" * 43,
        signing_keys="k1:" + "b" * 43,
        payxpert_password="c" * 20,
    )
    shown = repr(settings) + str(settings.model_dump())
    assert "a" * 43 not in shown and "b" * 43 not in shown and "c" * 20 not in shown
    assert settings.secret("admin_key") == "axk_admin_" + "a" * 43

"""Payment providers behind one port (``base.PaymentProvider``)."""

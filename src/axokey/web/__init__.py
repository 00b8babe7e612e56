"""Server-rendered pages: the customer's order page, the sandbox's hosted card and
3-D Secure pages, and the professionals' scanner and dashboard (which talk to the
JSON API from the browser with the caller's own API key)."""

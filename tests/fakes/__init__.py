"""Fakes: external services in process, reached through their real HTTP APIs
(``connect2pay``), and the repositories in memory (``repositories``)."""

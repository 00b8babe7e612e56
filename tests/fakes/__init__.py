"""In-process fakes of external services, reached through their real HTTP APIs."""

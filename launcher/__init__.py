"""Local launcher for `make run` and the test suite: embedded PostgreSQL/Redis, llama-server processes, and a
small process supervisor. Production uses compose.yaml instead; the service commands are the same."""

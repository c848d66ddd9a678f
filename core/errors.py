"""Errors every service can raise and every entry point turns into a one-line message.

Services raise these, never an HTTP error: the API maps each kind to a status code in one place
(`api.errors.install_handlers`), and a worker or the command line can show the same message.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses. The message is shown to the user as is: say what is wrong, not why in code."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing does not exist — or belongs to someone else, which callers must not be able to tell apart."""


class Conflict(DomainError):
    """The request contradicts the current state (an interview already finished, a generation already running)."""


class RateLimited(DomainError):
    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ConfigError(Exception):
    """Bad or unusable configuration. The message names the setting (environment variable) at fault."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


def config_error_from_validation(exc: Exception) -> ConfigError:
    """Turn pydantic-settings' ValidationError into a ConfigError naming the environment variable."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError) and exc.errors():
        err = exc.errors()[0]
        variable = "__".join(str(part) for part in err["loc"]).upper()
        message = str(err["msg"]).removeprefix("Value error, ")
        return ConfigError(variable, message)
    return ConfigError("configuration", str(exc))

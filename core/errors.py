"""Errors every service can raise and every entry point turns into a one-line message."""

from __future__ import annotations


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

"""Text fields that can be stored: PostgreSQL `text` rejects NUL characters and UTF-8 cannot encode lone surrogates
(both are valid in JSON), so either would otherwise surface as a 500 deep in the database driver or the hasher."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (unpaired surrogate)") from None
    return value


StorableStr = Annotated[str, AfterValidator(_storable)]

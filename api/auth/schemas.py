from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from api.text import StorableStr


class SignUpIn(BaseModel):
    email: EmailStr
    password: StorableStr = Field(min_length=8, max_length=256)
    display_name: StorableStr = Field(default="", max_length=100)
    locale: Literal["ko", "en"] = "ko"


class SignInIn(BaseModel):
    email: EmailStr
    password: StorableStr = Field(min_length=1, max_length=256)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str
    locale: Literal["ko", "en"]

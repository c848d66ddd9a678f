"""Résumé PDF upload: text extracted server-side (in a thread), nothing of the file kept."""

from __future__ import annotations

import io
import re

import anyio
from fastapi import APIRouter, HTTPException, UploadFile, status
from pydantic import BaseModel

from api.deps import CurrentUser, SettingsDep
from api.errors import responses

router = APIRouter(prefix="/uploads", tags=["uploads"])

MAX_PAGES = 30


class ResumeText(BaseModel):
    text: str
    pages: int
    chars: int
    truncated: bool


def _extract(data: bytes, max_chars: int) -> ResumeText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "the PDF is password-protected")
        pages = reader.pages
        if len(pages) > MAX_PAGES:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, f"the PDF has more than {MAX_PAGES} pages")
        text = "\n".join((page.extract_text() or "") for page in pages)
    except HTTPException:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY, f"could not read the PDF: {type(exc).__name__}"
        ) from None
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if not text:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY, "the PDF contains no extractable text (scanned image?)"
        )
    truncated = len(text) > max_chars
    return ResumeText(text=text[:max_chars], pages=len(pages), chars=min(len(text), max_chars), truncated=truncated)


@router.post("/resume", response_model=ResumeText, responses=responses(401, 413, 415, 422))
async def upload_resume(file: UploadFile, user: CurrentUser, settings: SettingsDep) -> ResumeText:
    """Extract the text of a résumé PDF (at most `MAX_UPLOAD_BYTES`). The file itself is not stored."""
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise HTTPException(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, f"the file is larger than {settings.max_upload_bytes // 1024} KiB"
        )
    if not data.startswith(b"%PDF-"):
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "only PDF files are accepted")
    return await anyio.to_thread.run_sync(_extract, data, settings.max_text_chars)

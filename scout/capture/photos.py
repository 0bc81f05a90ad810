"""Photos of places: checked by content, resized, stripped of metadata, stored on disk.

The file name a browser sends and its declared content type are never trusted: Pillow must
recognise the bytes as JPEG, PNG or WebP. The stored image is re-encoded from its pixels
alone, so EXIF (GPS position, camera serial), XMP and comments are not carried over. Files
live in ``app.config["UPLOAD_FOLDER"]`` under a random name; a :class:`Photo` row records
each one.

A file is flushed to disk (``fsync``, and its folder) before the transaction that adds its row
commits, so an acknowledged photo survives a power cut; if that transaction does not commit
(a conflict, the database gone mid-save), the files it wrote are removed again.
"""

from __future__ import annotations

import io
import logging
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from scout.errors import BadRequest
from scout.extensions import db
from scout.models import Photo, Place, User
from scout.paths import write_durably

logger = logging.getLogger(__name__)

MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 1600
MAX_PIXELS = 50_000_000  # refuse decompression bombs before decoding
# Pillow format → (content type, file extension, save options)
FORMATS: dict[str, tuple[str, str, dict[str, object]]] = {
    "JPEG": ("image/jpeg", "jpg", {"quality": 85, "optimize": True}),
    "PNG": ("image/png", "png", {"optimize": True}),
    "WEBP": ("image/webp", "webp", {"quality": 85}),
}


class PhotoRejected(BadRequest):
    """A file that is not an acceptable photo; the message names the file."""


@dataclass(frozen=True, slots=True)
class PreparedPhoto:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def prepare(stream: IO[bytes], filename: str = "") -> PreparedPhoto:
    """Check and re-encode one uploaded file. Raises :class:`PhotoRejected`."""
    name = filename or "?"
    raw = stream.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise PhotoRejected(_l("%(name)s is larger than 8 MB.", name=name))
    not_a_photo = _l("%(name)s is not a JPEG, PNG or WebP photo.", name=name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(raw))
            fmt = probe.format
            if fmt not in FORMATS or probe.width * probe.height > MAX_PIXELS:
                raise PhotoRejected(not_a_photo)
            probe.verify()
            image = Image.open(io.BytesIO(raw))
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise PhotoRejected(not_a_photo) from None
    content_type, extension, options = FORMATS[fmt]
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    image = _pixels_only(image, fmt)
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return PreparedPhoto(out.getvalue(), content_type, extension, image.width, image.height)


def _pixels_only(image: Image.Image, fmt: str) -> Image.Image:
    """A new image holding only the pixels: no EXIF, XMP, comments or text chunks."""
    if fmt == "JPEG":
        mode = "L" if image.mode in ("L", "1") else "RGB"
    else:
        mode = image.mode if image.mode in ("RGB", "RGBA", "L", "LA") else "RGBA"
    if image.mode != mode:
        image = image.convert(mode)
    return Image.frombytes(mode, image.size, image.tobytes())


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


PENDING = "photo_files_pending"


def store(place: Place, photos: list[PreparedPhoto], user: User | None) -> list[Photo]:
    """Write the files and add their rows (flushes, does not commit). The files are on disk
    before the commit; if the session's transaction ends without committing, they are removed."""
    rows = []
    folder = upload_folder()
    pending = db.session.info.setdefault(PENDING, [])
    for photo in photos:
        filename = f"{uuid.uuid4().hex}.{photo.extension}"
        pending.append(folder / filename)
        write_durably(folder / filename, photo.data)
        row = Photo(
            place=place,
            filename=filename,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            size_bytes=len(photo.data),
            created_by_id=user.id if user else None,
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's release is not the commit
        session.info.pop(PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted_files(session: Session, transaction: SessionTransaction) -> None:
    # After a commit the list is gone (above); any other end of the outermost transaction
    # (rollback, a lost connection, a session closed without commit) leaves no file behind.
    if transaction.parent is not None:
        return
    for path in session.info.pop(PENDING, []):
        path.unlink(missing_ok=True)
        logger.info("photo file of an uncommitted save removed")


def path_of(photo: Photo) -> Path:
    return upload_folder() / photo.filename

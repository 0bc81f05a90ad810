"""Photos of places: checked by content, resized, stripped of metadata, stored on disk.

The file name a browser sends and its declared content type are never trusted: Pillow must
recognise the bytes as JPEG, PNG or WebP. The stored image is re-encoded from its pixels
alone, so EXIF (GPS position, camera serial), XMP and comments are not carried over. Files
live in ``app.config["UPLOAD_FOLDER"]`` under a random name; a :class:`Photo` row records
each one.
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

from scout.errors import BadRequest
from scout.extensions import db
from scout.models import Photo, Place, User

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


def store(place: Place, photos: list[PreparedPhoto], user: User | None) -> list[Photo]:
    """Write the files and add their rows (flushes, does not commit)."""
    rows = []
    folder = upload_folder()
    for photo in photos:
        filename = f"{uuid.uuid4().hex}.{photo.extension}"
        (folder / filename).write_bytes(photo.data)
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


def path_of(photo: Photo) -> Path:
    return upload_folder() / photo.filename

"""Photos: checked by content (not name or declared type), at most 8 MB, resized, stored
without EXIF/GPS, outside the database with a row in it."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from scout.capture import photos
from scout.extensions import db
from scout.models import Photo, Place, Role
from tests.capture.test_scout import JSON, place_data, scout_client


@pytest.fixture
def scout(app, login, make_user, monkeypatch):
    return scout_client(app, login, make_user(Role.SCOUT), monkeypatch)


@pytest.fixture
def in_request(app):
    with app.test_request_context():
        yield


GPS_IFD = 0x8825


def jpeg_with_gps(size=(640, 480)) -> bytes:
    """A JPEG whose EXIF holds a GPS position (Via Padova) and a camera model."""
    image = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    exif[0x0110] = "Scout Tablet 3000"  # Model
    exif[GPS_IFD] = {
        1: "N",
        2: (45.0, 29.0, 49.2),
        3: "E",
        4: (9.0, 13.0, 37.6),
    }
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the fixture has GPS
    return data


def png(size=(300, 200), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200)).save(
        out, "PNG"
    )
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.usefixtures("in_request")
def test_prepare_strips_gps_and_camera_metadata():
    prepared = photos.prepare(io.BytesIO(jpeg_with_gps()), "gps.jpg")
    stored = Image.open(io.BytesIO(prepared.data))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert b"Exif" not in prepared.data
    assert b"Scout Tablet" not in prepared.data


@pytest.mark.usefixtures("in_request")
def test_prepare_resizes_large_photos():
    prepared = photos.prepare(io.BytesIO(png((3200, 1800), "RGB")), "big.png")
    assert (prepared.width, prepared.height) == (1600, 900)
    assert prepared.content_type == "image/png"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (PDF, "photo.jpg"),
        (b"GIF89a" + b"\0" * 100, "anim.gif"),
        (b"not an image at all", "x.png"),
        (b"", "empty.jpg"),
    ],
)
@pytest.mark.usefixtures("in_request")
def test_prepare_refuses_what_is_not_a_photo(data, name):
    with pytest.raises(photos.PhotoRejected) as exc:
        photos.prepare(io.BytesIO(data), name)
    assert name in exc.value.message


@pytest.mark.usefixtures("in_request")
def test_prepare_refuses_more_than_8_mb():
    with pytest.raises(photos.PhotoRejected):
        photos.prepare(io.BytesIO(b"\xff\xd8\xff" + os.urandom(8 * 1024 * 1024)), "huge.jpg")


def multipart(data, files):
    """A multipart body built in memory (the test client would spool a large one to an
    unclosed temporary file)."""
    fields = MultiDict(data)
    for content, name, ctype in files:
        fields.add("photos", FileStorage(io.BytesIO(content), name, content_type=ctype))
    boundary, body = encode_multipart(fields)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def _upload(scout, files, url="/scout/places/new", **kw):
    return scout.post(url, headers=JSON, **multipart(place_data(**kw), files))


def test_place_photo_is_stored_without_gps(scout, app):
    response = _upload(scout, [(jpeg_with_gps(), "IMG_0001.jpg", "image/jpeg")])
    assert response.status_code == 201, response.json
    place = db.session.get(Place, response.json["id"])
    (photo,) = place.photos
    assert photo.content_type == "image/jpeg"
    assert photo.filename.endswith(".jpg")
    assert "IMG_0001" not in photo.filename
    path = Path(app.config["UPLOAD_FOLDER"]) / photo.filename
    with Image.open(path) as stored:
        assert not stored.getexif().get_ifd(GPS_IFD)
        assert not stored.getexif()
    served = scout.get(f"/scout/photos/{photo.id}")
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    assert served.data == path.read_bytes()
    served.close()


def test_20_mb_file_is_refused_with_a_message(scout):
    big = b"\xff\xd8\xff\xe0" + b"\0" * (20 * 1024 * 1024)
    response = _upload(scout, [(big, "big.jpg", "image/jpeg")])
    assert response.status_code == 422
    assert "big.jpg" in response.json["errors"]["photos"][0]
    assert db.session.scalar(select(Place).where(Place.name == "Trattoria Da Gino")) is None


def test_renamed_pdf_is_refused_with_a_message(scout):
    response = _upload(scout, [(PDF, "menu.jpg", "image/jpeg")])
    assert response.status_code == 422
    assert "menu.jpg" in response.json["errors"]["photos"][0]


def test_at_most_five_photos_per_place(scout, make_place):
    files = [(png(), f"p{i}.png", "image/png") for i in range(6)]
    response = _upload(scout, files)
    assert response.status_code == 422
    assert "photos" in response.json["errors"]


def test_photos_added_when_editing_count_towards_the_limit(scout, make_place):
    place = make_place("Bar Sport")
    for i in range(5):
        db.session.add(
            Photo(
                place=place,
                filename=f"x{i}.png",
                content_type="image/png",
                width=1,
                height=1,
                size_bytes=1,
            )
        )
    db.session.commit()
    response = _upload(
        scout,
        [(png(), "one-more.png", "image/png")],
        url=f"/scout/places/{place.id}/edit",
        name=place.name,
        version=str(place.version),
        client_key=None,
        position_source="stored",
        accuracy_m=None,
    )
    assert response.status_code == 422
    assert "photos" in response.json["errors"]


def test_png_keeps_its_format_and_transparency(scout, app):
    response = _upload(scout, [(png(), "logo.png", "image/png")])
    place = db.session.get(Place, response.json["id"])
    with Image.open(Path(app.config["UPLOAD_FOLDER"]) / place.photos[0].filename) as stored:
        assert stored.format == "PNG"
        assert stored.mode == "RGBA"

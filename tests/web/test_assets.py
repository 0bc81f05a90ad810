"""Static files on a bad connection: pages link them with a content version, browsers keep a
versioned file for a year, text files come compressed, and an old version is not cached."""

from __future__ import annotations

import gzip
import re

from scout.paths import STATIC


def _linked(html: str, name: str) -> str:
    match = re.search(rf'(/static/{re.escape(name)}\?v=[0-9a-f]{{10}})"', html)
    assert match, f"{name} is not linked with a version"
    return match.group(1)


def test_pages_link_versioned_files_cached_for_a_year_and_compressed(client):
    html = client.get("/").get_data(as_text=True)
    url = _linked(html, "css/scout.css")
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == (STATIC / "css" / "scout.css").read_bytes()
    assert int(response.headers["Content-Length"]) < (STATIC / "css" / "scout.css").stat().st_size
    response.close()


def test_an_outdated_or_missing_version_is_revalidated_not_kept(client):
    for url in ("/static/css/scout.css?v=0000000000", "/static/css/scout.css"):
        response = client.get(url)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")
        assert response.headers.get("ETag")
        response.close()


def test_a_file_change_changes_its_url(app, tmp_path, monkeypatch):
    from scout import assets

    (tmp_path / "x.css").write_text("a{}")
    monkeypatch.setattr(assets, "STATIC", tmp_path)
    monkeypatch.setattr(assets, "_versions", {})
    first = assets.version("x.css")
    (tmp_path / "x.css").write_text("b{}")
    monkeypatch.setattr(assets, "_versions", {})
    assert assets.version("x.css") != first
    assert assets.version("../etc/passwd") is None

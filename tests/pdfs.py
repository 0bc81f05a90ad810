"""Reading a PDF as a screen reader does: its structure tree (tags), language, title and text."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from pypdf import PdfReader


def structure_tags(node: Any) -> list[str]:
    """Every structure type (``/H1``, ``/P``, ``/L``…) under ``node``, in reading order."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        return [tag for child in node for tag in structure_tags(child)]
    if not hasattr(node, "get"):
        return []  # a marked-content id: the leaf that points into the page's text
    tags = [str(node["/S"])] if "/S" in node else []
    return tags + (structure_tags(node["/K"]) if "/K" in node else [])


def tagged_pdf(data: bytes, lang: str) -> tuple[PdfReader, list[str], str]:
    """Check that ``data`` is a tagged PDF in ``lang`` with a title, and return the reader, its
    structure tags and its text (extracted in reading order)."""
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog, "untagged PDF: no structure tree"
    assert bool(catalog["/MarkInfo"]["/Marked"]), "not marked as tagged"
    assert catalog["/Lang"] == lang
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title
    tags = structure_tags(catalog["/StructTreeRoot"])
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, tags, text


def assert_reads(text: str, phrases: Iterable[str]) -> None:
    missing = [p for p in phrases if p not in text]
    assert not missing, f"not in the PDF's text: {missing}"

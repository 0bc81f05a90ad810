"""The decoders of the compressed answers, each format's own library (by ``Content-Encoding``)."""

from __future__ import annotations

import gzip

import brotli
from backports import zstd

DECODERS = {"zstd": zstd.decompress, "br": brotli.decompress, "gzip": gzip.decompress}

"""The self-hosted basemap: vector tiles from the app's own data (``tiles``) and the reference
layers shipped for it in geodata/ (``reference``: main roads, metro stations)."""

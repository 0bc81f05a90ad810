"""The graph and the place index held once per machine: files written at import, memory-mapped
by every process, the same answers as a graph built from the database rows."""

from __future__ import annotations

import mmap
import shutil

import numpy as np

from scout import walking
from scout.extensions import db
from scout.walking import graphfiles, store
from scout.walking.placeindex import published_index
from tests.walking import test_engine
from tests.walking.test_engine import grid_point

grid = test_engine.grid  # the fixture: an imported grid


def _mapped(array) -> bool:
    """Whether ``array`` is a view of a file's mapping."""
    while array is not None:
        if isinstance(array, (np.memmap, mmap.mmap)):
            return True
        array = getattr(array, "base", None)
    return False


def _fresh_graph():
    store._graphs.clear()  # as a new worker: nothing loaded yet
    return walking.network()


def test_import_writes_the_files_every_process_maps(grid, make_place):
    report = grid(cols=6, rows=5, steps=((1, 1, "h"),))
    graph = _fresh_graph()
    folder = graph.arrays.folder
    assert folder is not None
    assert folder.name.startswith(f"{report.network_id}-")
    assert (folder / "meta.json").is_file()
    # Mapped read-only from the files, not copies.
    for array in (graph.src, graph.xy, graph.views[0].matrix.data, graph.views[1].matrix.indices):
        assert _mapped(array)
        assert not array.flags.writeable

    # The same answers as a graph built straight from the rows, in memory.
    rows = store._build(db.session, report.network_id)
    built = walking.graph.Graph(rows)
    place = make_place(lon=grid_point(4, 3).lon, lat=grid_point(4, 3).lat)
    for origin in (grid_point(0, 0), grid_point(2.5, 1.2)):
        for stroller in (False, True):
            a = graph.snap_origin(origin, stroller, walking.MAX_SNAP_M)
            b = built.snap_origin(origin, stroller, walking.MAX_SNAP_M)
            assert (a.edge, a.pos, a.dist) == (b.edge, b.pos, b.dist)
            target = [(place.id, grid_point(4, 3).lon, grid_point(4, 3).lat)]
            assert graph.distances(a, target, 2000, 250, cache=False) == built.distances(
                b, target, 2000, 250, cache=False
            )
    # A search writes its point's entries in the thread's private mapping, never the file.
    before = (folder / "v0_data.npy").read_bytes()
    walking.reach(grid_point(1, 1), 15)
    assert (folder / "v0_data.npy").read_bytes() == before


def test_missing_files_are_rebuilt_and_older_networks_removed(grid):
    grid(cols=4, rows=4)
    first = _fresh_graph().arrays.folder
    shutil.rmtree(first)
    again = _fresh_graph()
    assert again.arrays.folder == first
    assert (first / "meta.json").is_file()
    grid(cols=5, rows=4)  # a new import: its own folder, the old one removed
    second = _fresh_graph().arrays.folder
    assert second != first
    assert second.is_dir()
    assert not first.exists()


def test_place_index_files_follow_the_places_token(grid, make_place):
    grid(cols=4, rows=4)
    make_place(lon=grid_point(1, 0).lon, lat=grid_point(1, 0).lat)
    graph = walking.network()
    index = published_index(db.session, store.versions(db.session)[1], graph)
    assert index.arrays.folder is not None
    assert index.network_id == graph.network_id
    assert index.snaps(0, np.arange(len(index)))[0].min() >= 0  # every place snapped
    moved = make_place(lon=grid_point(2, 3).lon, lat=grid_point(2, 3).lat)
    renewed = published_index(db.session, store.versions(db.session)[1], graph)
    assert renewed.arrays.folder != index.arrays.folder
    assert moved.id in renewed.ids.tolist()
    assert graphfiles.open_folder(renewed.arrays.folder) is not None

"""The API served as `python -m app` serves it, over an in-memory store holding the benchmark's cells.

Usage: python -m bench._memory_app PORT
"""

import sys

from app.deps import get_store
from app.main import create_app
from app.serve import run
from app.store import MemoryCellStore
from bench._city import city_cells

if __name__ == "__main__":
    store = MemoryCellStore()
    for cell in city_cells():
        store.put(cell)
    app = create_app()
    app.dependency_overrides[get_store] = lambda: store
    sys.exit(run(app, "127.0.0.1", int(sys.argv[1]), log_level="warning"))

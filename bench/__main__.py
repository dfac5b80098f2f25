"""Run every benchmark module in this package (or those named on the command line)."""

import importlib
import pkgutil
import sys
import time

import bench


def main(names: list[str]) -> int:
    modules = names or sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )
    for name in modules:
        module = importlib.import_module(f"bench.{name}")
        print(
            f"== {name}: {(module.__doc__ or '').strip().splitlines()[0] if module.__doc__ else ''}",
            flush=True,
        )
        started = time.perf_counter()
        module.run()
        print(f"   ({time.perf_counter() - started:.1f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

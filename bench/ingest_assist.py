"""Ingestion benchmark: the full ASSISTments 2009 lpp import into a fresh embedded server.

    .venv/bin/python bench/ingest_assist.py [--data ../shared/data] [--batch 5000]

Prints one table: parse time, each write phase, total, attempts/s, then the re-import (which
must store nothing new) and a restart (AOF snapshot load). Target: >= 50,000 attempts/s and
<= 15 s for the 278,336 attempts.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from graph import maps as km
from graph.embedded import EmbeddedServer
from graph.falkordb_store import FalkorStore
from graph.ingest import ingest
from services import imports as sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("KGTUTOR_DATA", "../shared/data")))
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kgt-bench-") as tmp:
        server = EmbeddedServer(Path(tmp) / "graph")
        server.start()
        try:
            _run(server, args.data / "assist2009" / "lpp", args.batch)
        finally:
            server.stop()


def _run(server: EmbeddedServer, lpp: Path, batch: int) -> None:
    t0 = time.perf_counter()
    data, _ = sources.assist_source(lpp, "assist2009")
    parse_s = time.perf_counter() - t0
    store = FalkorStore(server.client(), "bench")
    store.ensure_schema()
    t1 = time.perf_counter()
    first = ingest(store, data, batch_size=batch)
    write_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    again = ingest(store, data, batch_size=batch)
    reimport_s = time.perf_counter() - t2
    stats = km.graph_stats(store)
    store.close()
    t3 = time.perf_counter()
    server.compact()
    server.stop()
    server.start()
    restart_s = time.perf_counter() - t3
    n = len(data.attempts)
    total = parse_s + write_s
    rows = [
        ("attempts in files", f"{n:,}"),
        ("attempts stored", f"{stats['attempts']:,}"),
        ("parse (s)", f"{parse_s:.2f}"),
        ("write nodes (s)", f"{first.seconds['nodes']:.2f}"),
        ("write attempts (s)", f"{first.seconds['attempts']:.2f}"),
        ("refresh mastery (s)", f"{first.seconds['mastery']:.2f}"),
        ("total import (s)", f"{total:.2f}"),
        ("attempts/s, whole import", f"{n / total:,.0f}"),
        ("attempts/s, attempt phase", f"{n / first.seconds['attempts']:,.0f}"),
        ("re-import: new attempts", f"{again.attempts_new:,}"),
        ("re-import (s)", f"{reimport_s:.2f}"),
        ("compact + stop + start (s)", f"{restart_s:.2f}"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value:>12}")


if __name__ == "__main__":
    main()

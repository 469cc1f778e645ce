"""Evidence check speed: a report of ``--paragraphs`` numbered paragraphs (drafted from the demo store's values, so
every paragraph holds figures to match) checked against the demo mission, and the real Secretary-General report in
``../shared/seeds`` (173 numbered paragraphs) when it is there.

Times the load of the store's series once and the matching of every paragraph (what ``cpas report check`` adds to
reading the file). Last line: ``report_check: paragraphs=N load_s=… match_s=… per_paragraph_ms=… sg_report_s=…``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from cpas_kit import demo
from cpas_kit.core.periods import Period
from cpas_kit.council.check import check_report
from cpas_kit.council.draft import draft_paragraphs
from cpas_kit.council.matching import Matcher
from cpas_kit.council.sources import load_series
from cpas_kit.store import Store

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--paragraphs", type=int, default=500)
    ap.add_argument("--sg-report", default=None, help="a real report to check (default: ../shared/seeds/003_*.txt)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/bench.sqlite")
        demo.load_demo(store)
        _, paras = draft_paragraphs(store, demo.MISSION, "2023/24-Q3")
        texts = [" ".join(s.text for s in sentences) for _, sentences in paras if sentences]
        texts = (texts * (args.paragraphs // len(texts) + 1))[:args.paragraphs]
        started = time.perf_counter()
        series = load_series(store, demo.MISSION, "en")
        load_s = time.perf_counter() - started
        matcher = Matcher(series, language="en", cycle=Period.parse("2023/24-Q3"))
        started = time.perf_counter()
        classes = [matcher.paragraph(t).cls for t in texts]
        match_s = time.perf_counter() - started
        assert classes.count("informed") == len(texts), "a drafted paragraph was not found informed"
        sg = Path(args.sg_report) if args.sg_report else next(iter(sorted((SHARED / "seeds").glob("003_*.txt"))), None)
        sg_s = float("nan")
        if sg is not None and sg.exists():
            started = time.perf_counter()
            check = check_report(store, sg, demo.MISSION)
            sg_s = time.perf_counter() - started
            print(f"real report {sg.name}: {check.summary()['paragraphs']} paragraphs checked in {sg_s:.2f} s")
        store.close()
    print(f"report_check: paragraphs={len(texts)} load_s={load_s:.2f} match_s={match_s:.2f} "
          f"per_paragraph_ms={1000 * match_s / len(texts):.1f} sg_report_s={sg_s:.2f}")


if __name__ == "__main__":
    main()

"""Building packs: running the pack notebook via papermill, and every output of a mission and cycle.

``build_pack(PackParameters(mission="UN-DEMO", cycle="2023/24-Q4"))`` executes
``notebooks/impact_assessment_pack.ipynb`` into ``outputs/<MISSION>/<CYCLE>/notebooks/`` and
exports ``outputs/<MISSION>/<CYCLE>/pack.html`` (offline, no code cells).

File names per language, so that English and French packs of one cycle live side by side: English keeps the
names it always had (``pack.html``, ``impact_report.docx``, ``factsheet.html``/``.pdf``, ``tracker.xlsx``,
``notebooks/impact_assessment_pack.ipynb``); French adds ``_fr`` before the extension (``pack_fr.html``, …).

Every output is written to a hidden temporary file in its own folder and renamed into place only when all of a
mission's outputs are ready (:class:`Staged`), so a crash or a failing step never leaves half a file nor a
folder mixing new and old outputs; the executed notebook, the record of the run, is kept even when a cell
fails, so that it shows where.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cpas_kit.core.i18n import t
from cpas_kit.core.settings import PackParameters
from cpas_kit.packs.data import check_cycle, load_pack_data
from cpas_kit.packs.factsheet import build_factsheet
from cpas_kit.packs.impact_report import build_impact_report
from cpas_kit.packs.offline import export_html, partial_path, run_notebook
from cpas_kit.packs.pdf import PdfError, PdfPrinter, pdf_route
from cpas_kit.store import Store
from cpas_kit.tracker.export import export_xlsx

if TYPE_CHECKING:
    from cpas_kit.packs.engine import WarmKernel

PACK_NOTEBOOK = "impact_assessment_pack.ipynb"
PACK_HTML, IMPACT_REPORT, FACTSHEET_HTML, FACTSHEET_PDF, TRACKER_XLSX = (
    "pack.html", "impact_report.docx", "factsheet.html", "factsheet.pdf", "tracker.xlsx")
PDF_FALLBACK = "open factsheet.html in a browser and print it to PDF (A4, no headers and footers)"


def output_name(name: str, language: str) -> str:
    """The file name of an output in ``language``: English as ever (``pack.html``), others ``pack_fr.html``."""
    if language == "en":
        return name
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}_{language}.{suffix}" if dot else f"{name}_{language}"


def pack_file(params: PackParameters, name: str = PACK_HTML) -> Path:
    """Where an output of ``params`` goes, e.g. ``outputs/UN-DEMO/2023-24-Q4/pack_fr.html`` for French."""
    return params.out_dir() / output_name(name, params.language)


def executed_notebook(params: PackParameters) -> Path:
    """Where the executed pack notebook of ``params`` is kept (``notebooks/`` below the pack's folder)."""
    return params.out_dir() / "notebooks" / output_name(PACK_NOTEBOOK, params.language)


@dataclass
class Staged:
    """A mission's outputs written aside (hidden ``.partial`` files beside their final names), not yet in place."""

    params: PackParameters
    pending: list[tuple[Path, Path]] = field(default_factory=list)  # (partial, final), in the order written
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    pdf_job: tuple[Path, Path] | None = None  # (factsheet HTML partial, PDF final): printed before commit

    def partial(self, final: Path) -> Path:
        """A temporary name for ``final``, remembered for :meth:`commit` (or :meth:`discard`)."""
        tmp = partial_path(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        self.pending.append((tmp, final))
        return tmp

    def print_pdf(self, printer: PdfPrinter | None) -> None:
        """Print the factsheet PDF (with the batch's one browser when given); a failure becomes a note."""
        if self.pdf_job is None:
            return
        html, final = self.pdf_job
        started = time.perf_counter()
        route = pdf_route()
        if not route.available:
            self.notes.append(f"factsheet HTML written, but {route}; to get a PDF, {PDF_FALLBACK}")
            return
        pdf = partial_path(final)
        after = next((i + 1 for i, (tmp, _) in enumerate(self.pending) if tmp == html), len(self.pending))
        self.pending.insert(after, (pdf, final))  # the files in reading order: the PDF after its HTML
        own = printer is None  # cpas pack: a browser for this pack's PDF, closed after
        try:
            (printer or (printer := PdfPrinter())).print(html, pdf)
        except PdfError as exc:
            self.pending.remove((pdf, final))
            pdf.unlink(missing_ok=True)
            self.notes.append(f"factsheet HTML written, but the PDF failed: {exc}")
        finally:
            if own and printer is not None:
                printer.close()
        self.timings["factsheet PDF"] = time.perf_counter() - started

    def commit(self) -> list[Path]:
        """Rename every output into place (each rename is atomic); return the final paths."""
        for tmp, final in self.pending:
            tmp.replace(final)
        done = [final for _, final in self.pending]
        self.pending = []
        return done

    def discard(self) -> None:
        """Remove the temporary files: the previous outputs stay as they were."""
        for tmp, _ in self.pending:
            tmp.unlink(missing_ok=True)
        self.pending = []


def remove_stale_partials(folder: Path) -> None:
    """Delete the hidden partial files a killed earlier build left in ``folder``."""
    for stale in (*folder.glob(".*.partial.*"), *folder.glob("notebooks/.*.partial.*")):
        stale.unlink(missing_ok=True)


def _check_cycle(params: PackParameters) -> None:
    store = Store(params.db_url or None)
    try:  # fail early with a clear sentence rather than inside the notebook
        check_cycle(store, params.mission, params.cycle)  # refuses a cycle before the first framework
    finally:
        store.close()


def stage_outputs(params: PackParameters, *, documents: bool = True,
                  kernel: "WarmKernel | None" = None) -> Staged:
    """Build a mission's outputs aside: the pack (notebook + HTML) and, with ``documents``, the Word report,
    the factsheet HTML (its PDF is printed by :meth:`Staged.print_pdf`) and the tracker workbook."""
    _check_cycle(params)
    staged = Staged(params)
    remove_stale_partials(params.out_dir())
    try:
        started = time.perf_counter()
        executed = run_notebook(PACK_NOTEBOOK, params.out_dir(), params.model_dump(), what="the pack notebook",
                                kernel=kernel, executed=executed_notebook(params))
        if kernel is not None:
            staged.timings.update(kernel.timings)
        else:
            staged.timings["notebook"] = time.perf_counter() - started
        started = time.perf_counter()
        title = f"{params.mission} {params.cycle} — {t('pack_title', params.language)}"
        export_html(executed, staged.partial(pack_file(params)), title, language=params.language)
        staged.timings["HTML export"] = time.perf_counter() - started
        if documents:
            _stage_documents(staged)
    except BaseException:
        staged.discard()
        raise
    return staged


def _stage_documents(staged: Staged) -> None:
    params = staged.params
    clock = time.perf_counter()

    def lap(what: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        staged.timings[what] = now - clock
        clock = now

    ctx = load_pack_data(params)
    if ctx.no_data_note:
        staged.notes.append(ctx.no_data_note)
    lap("documents: loading the store")
    build_impact_report(ctx, staged.partial(pack_file(params, IMPACT_REPORT)))
    lap("documents: impact report")
    html = staged.partial(pack_file(params, FACTSHEET_HTML))
    build_factsheet(ctx, html, None)
    staged.pdf_job = (html, pack_file(params, FACTSHEET_PDF))
    lap("documents: factsheet")
    store = Store(params.db_url or None)
    try:
        export_xlsx(store, params.mission, staged.partial(pack_file(params, TRACKER_XLSX)), cycle=params.cycle,
                    language=params.language, on=ctx.reporting_date)
    finally:
        store.close()
    lap("documents: tracker")


def build_pack(params: PackParameters, *, kernel: "WarmKernel | None" = None) -> Path:
    """Execute the pack notebook with ``params`` and export the offline HTML pack; return its path."""
    staged = stage_outputs(params, documents=False, kernel=kernel)
    return staged.commit()[0]


def build_outputs(params: PackParameters, *, documents: bool = True, kernel: "WarmKernel | None" = None,
                  printer: PdfPrinter | None = None) -> dict[str, Any]:
    """Every output of a mission and cycle: pack.html, impact_report.docx, factsheet.html (+ .pdf), tracker.xlsx
    (French: ``pack_fr.html``, …; see :func:`output_name`).

    Returns ``{"files": [paths], "notes": [sentences], "timings": {step: seconds}}``; a missing PDF route is a
    note, not a failure. ``documents=False`` builds the HTML pack only. Nothing is put in place unless every
    output was built.
    """
    staged = stage_outputs(params, documents=documents, kernel=kernel)
    try:
        staged.print_pdf(printer)
    except BaseException:
        staged.discard()
        raise
    return {"files": staged.commit(), "notes": list(staged.notes), "timings": dict(staged.timings)}

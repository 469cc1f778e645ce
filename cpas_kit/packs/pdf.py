"""HTML to PDF with headless Chromium, offline: the factsheet's print route.

:func:`pdf_route` says which browser would be used (or why none can be); :func:`html_to_pdf` prints a local
HTML file to PDF with it and returns ``None`` when there is no browser, so a caller can still hand out the
HTML (which prints to PDF from any browser). The browser is ``$CPAS_CHROMIUM`` when set (and then only that),
else ``chromium``, ``chromium-browser`` on the ``PATH``, else ``/usr/bin/chromium``.

The page size comes from the page's own CSS (``@page { size: A4 }``); Chromium's default is Letter.

:class:`PdfPrinter` keeps **one** browser for many PDFs (a batch prints every factsheet with it; ``cpas pack``
starts it once): Playwright drives the same Chromium (``executable_path``), started on the first PDF and
closed with the printer. Without Playwright it falls back to :func:`html_to_pdf`, one browser run per PDF.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from cpas_kit.core.errors import CpasError

BROWSER_ENV = "CPAS_CHROMIUM"
BROWSER_NAMES = ("chromium", "chromium-browser")
BROWSER_FALLBACK = "/usr/bin/chromium"
DEFAULT_TIMEOUT = 90.0  # seconds; a factsheet prints in about 2 s
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--no-pdf-header-footer", "--virtual-time-budget=10000",
)
INSTALL_HINT = "install Chromium (Debian/Ubuntu: apt-get install -y chromium)"


class PdfError(CpasError):
    """A browser was found but could not print the page to PDF."""


@dataclass(frozen=True)
class PdfRoute:
    """How PDFs would be made here: the browser's path, or ``None`` and the reason there is none."""

    browser: str | None
    description: str

    @property
    def available(self) -> bool:
        """True when a browser was found."""
        return self.browser is not None

    def __str__(self) -> str:
        return self.description


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def pdf_route() -> PdfRoute:
    """Which browser :func:`html_to_pdf` would use, or why no PDF can be made on this machine."""
    override = os.environ.get(BROWSER_ENV, "").strip()
    if override:
        found = override if _executable(override) else shutil.which(override)
        if found:
            return PdfRoute(found, f"PDF through headless Chromium at {found} (from {BROWSER_ENV})")
        return PdfRoute(None, f"no PDF: {BROWSER_ENV} is set to {override!r}, which is not an executable "
                              f"browser; correct or unset {BROWSER_ENV}, or {INSTALL_HINT}")
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return PdfRoute(found, f"PDF through headless Chromium at {found} "
                                   f"(set {BROWSER_ENV} to use another)")
    if _executable(BROWSER_FALLBACK):
        return PdfRoute(BROWSER_FALLBACK, f"PDF through headless Chromium at {BROWSER_FALLBACK}")
    looked = ", ".join((*BROWSER_NAMES, BROWSER_FALLBACK))
    return PdfRoute(None, f"no PDF: no Chromium browser found (looked for {looked}); {INSTALL_HINT} or set "
                          f"{BROWSER_ENV} to the path of a Chromium or Chrome browser")


def html_to_pdf(html_path: "str | Path", pdf_path: "str | Path", *,
                timeout: float = DEFAULT_TIMEOUT) -> Path | None:
    """Print a local HTML file to ``pdf_path``; ``None`` when no browser exists (``pdf_route()`` says why).

    Raises :class:`PdfError` when the browser fails or takes longer than ``timeout`` seconds. The PDF
    appears only when complete (written aside, then renamed), so a reader never opens half a file.
    """
    route = pdf_route()
    if route.browser is None:
        return None
    html = Path(html_path).resolve()
    if not html.is_file():
        raise PdfError(f"cannot make a PDF of {html}: the HTML file does not exist")
    out = Path(pdf_path).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.{uuid.uuid4().hex[:8]}.pdf")
    try:
        with tempfile.TemporaryDirectory(prefix="cpas-chromium-") as profile:
            log = Path(profile) / "chromium.log"
            _run(route.browser, html, partial, Path(profile), log, timeout)
            if not partial.is_file() or partial.read_bytes()[:5] != b"%PDF-":
                tail = _tail(log)
                raise PdfError(f"Chromium ({route.browser}) wrote no PDF for {html}"
                               + (f": {tail}" if tail else ""))
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def _run(browser: str, html: Path, pdf: Path, profile: Path, log: Path, timeout: float) -> None:
    """Run Chromium in its own process group with a private profile; kill the whole group on timeout."""
    cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile / 'user-data'}", f"--print-to-pdf={pdf}",
           html.as_uri()]
    env = {**os.environ, "XDG_CONFIG_HOME": str(profile), "XDG_CACHE_HOME": str(profile)}
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise PdfError(f"Chromium ({browser}) did not finish printing {html.name} within {timeout:.0f} s "
                           "and was stopped. Try again, or open the HTML in a browser and print it to PDF "
                           "(A4).") from None
    _kill_group(proc)  # helpers the browser left behind
    if code != 0:
        tail = _tail(log)
        raise PdfError(f"Chromium ({browser}) failed (exit code {code}) printing {html.name}"
                       + (f": {tail}" if tail else ""))


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _tail(log: Path, lines: int = 3) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:] if line.strip())


class PdfPrinter:
    """One headless Chromium kept open for every PDF printed through it (see the module docstring).

    Use as a context manager, or call :meth:`close`; the browser is started on the first :meth:`print`.
    """

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self.printed = 0
        self._playwright = None
        self._browser = None
        self._context = None

    def __enter__(self) -> "PdfPrinter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open(self, browser: str) -> bool:
        """Start the browser; ``False`` when Playwright is not installed (then each PDF runs its own browser)."""
        if self._browser is not None:
            return True
        try:
            from playwright.sync_api import sync_playwright  # only when a PDF is printed: it starts a driver
        except ImportError:
            return False
        try:
            asyncio.get_running_loop()
            return False  # inside an event loop (a notebook) Playwright's sync API cannot run
        except RuntimeError:
            pass
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=browser, headless=True, timeout=self.timeout * 1000,
                args=[flag for flag in CHROMIUM_FLAGS if flag not in ("--headless", "--virtual-time-budget=10000")])
            self._context = self._browser.new_context()
        except Exception as exc:  # noqa: BLE001 - Playwright's errors are many; all mean "this browser won't start"
            self.close()
            raise PdfError(f"Chromium ({browser}) could not be started to print PDFs: "
                           f"{str(exc).splitlines()[0]}") from None
        return True

    def print(self, html_path: "str | Path", pdf_path: "str | Path") -> Path | None:
        """Print a local HTML file to ``pdf_path`` (written aside, then renamed); ``None`` without a browser."""
        route = pdf_route()
        if route.browser is None:
            return None
        if not self._open(route.browser):
            return html_to_pdf(html_path, pdf_path, timeout=self.timeout)
        html = Path(html_path).resolve()
        if not html.is_file():
            raise PdfError(f"cannot make a PDF of {html}: the HTML file does not exist")
        out = Path(pdf_path).resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.stem}.{uuid.uuid4().hex[:8]}.pdf")
        page = self._context.new_page()
        try:
            page.goto(html.as_uri(), wait_until="load", timeout=self.timeout * 1000)
            page.pdf(path=str(partial), prefer_css_page_size=True, print_background=True)
            if not partial.is_file() or partial.read_bytes()[:5] != b"%PDF-":
                raise PdfError(f"Chromium ({route.browser}) wrote no PDF for {html}")
            partial.replace(out)
        except PdfError:
            raise
        except Exception as exc:  # noqa: BLE001 - a page that will not print is a PdfError sentence
            raise PdfError(f"Chromium ({route.browser}) could not print {html.name}: "
                           f"{str(exc).splitlines()[0]}") from None
        finally:
            page.close()
            partial.unlink(missing_ok=True)
        self.printed += 1
        return out

    def close(self) -> None:
        """Close the browser (and Playwright's driver)."""
        for thing in (self._context, self._browser):
            try:
                if thing is not None:
                    thing.close()
            except Exception:  # noqa: BLE001 - closing what may already be gone
                pass
        if self._playwright is not None:
            try:
                self._playwright.stop()
            except Exception:  # noqa: BLE001
                pass
        self._playwright = self._browser = self._context = None


_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def pdf_page_count(pdf_path: "str | Path") -> int:
    """Number of pages of a PDF as Chromium writes it (counts ``/Type /Page`` objects; no parser needed)."""
    return len(_PAGE.findall(Path(pdf_path).read_bytes()))


__all__ = ["PdfError", "PdfPrinter", "PdfRoute", "html_to_pdf", "pdf_page_count", "pdf_route"]

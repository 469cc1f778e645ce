"""Every app opens on the same one-sentence message the CLI would print when it cannot open (issue 15 item 5),
never on Voila's generic "There was an error when executing cell"; and the shared app helpers (issue 13)."""

from __future__ import annotations

import sqlite3

import pytest
from ipywidgets import HTML

from cpas_kit.core.apps import app_parameters, message_html, url_parameters
from cpas_kit.core.errors import ParametersError
from cpas_kit.core.periods import Period
from cpas_kit.stakeholders.app import ContextParameters, context_page
from cpas_kit.store import Store
from cpas_kit.tracker.app import tracker_page
from cpas_kit.workshop.facilitator import facilitator_page
from cpas_kit.workshop.participant import participant_page
from tests.voila_support import find_widgets

PAGES = {
    "tracker": lambda **kw: tracker_page(**kw),
    "context": lambda **kw: context_page(**kw),
    "participant": lambda **kw: participant_page(**kw),
    "facilitator": lambda **kw: facilitator_page(**kw),
}


def _page_text(widget) -> str:
    """The HTML a page shows when it cannot open (and fails when it opened instead)."""
    (box,) = find_widgets(widget, "cpas-app-cannot-open")
    return "".join(child.value for child in box.children if isinstance(child, HTML))


@pytest.mark.parametrize("app", list(PAGES))
def test_a_misspelt_mission_shows_the_cli_sentence(app, demo_sqlite_url):
    cycle = {} if app == "tracker" else {"cycle": "2023/24-Q4"}
    page = PAGES[app](mission="UN-DEM", **cycle, language="", db_url=demo_sqlite_url, query="")
    text = _page_text(page)
    assert "mission &#x27;UN-DEM&#x27; has no results framework in this store" in text
    assert "missions in the store: " in text and "UN-DEMO" in text
    assert "This page cannot open" in text and "Traceback" not in text


@pytest.mark.parametrize("app", ["tracker", "context"])
def test_an_empty_store_shows_the_cli_sentence(app, tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    Store(url).close()  # upgraded, but no mission in it
    page = PAGES[app](mission="UN-DEMO", language="", db_url=url, query="language=fr")
    text = _page_text(page)
    assert "missions in the store: none yet" in text
    assert "Cette page ne peut pas s&#x27;ouvrir" in text  # the address's language for the heading


def test_a_store_file_without_tables_is_named_not_shown_as_a_database_error(tmp_path):
    path = tmp_path / "blank.sqlite"
    sqlite3.connect(path).close()  # an empty file: the workshop pages do not upgrade the store
    text = _page_text(participant_page(session="K7QM2P", db_url=f"sqlite:///{path}", query=""))
    assert "holds no CPAS data yet" in text and "OperationalError" not in text


@pytest.mark.parametrize("app", list(PAGES))
def test_a_bad_address_parameter_is_named(app, demo_sqlite_url):
    page = PAGES[app](mission="UN-DEMO", language="", db_url=demo_sqlite_url, query="language=de")
    text = _page_text(page)
    assert "the page address: language" in text


def test_a_good_address_opens_the_app(demo_sqlite_url):
    page = tracker_page(mission="UN-DEMO", language="en", db_url=demo_sqlite_url, query="mission=UN-DEMO")
    assert find_widgets(page, "cpas-app-cannot-open") == [] and find_widgets(page, "cpas-trk-app")


def test_shared_helpers_take_only_the_allowed_parameters_and_escape():
    assert url_parameters("?mission=A&db_url=sqlite:////etc/x&cycle=2023/24-Q1", ("mission", "cycle")) == {
        "mission": "A", "cycle": "2023/24-Q1"}
    with pytest.raises(ParametersError, match="^the page address: '2023/24-Q9' is not a reporting period"):
        app_parameters(ContextParameters, ("cycle",), query="cycle=2023/24-Q9", mission="X",
                       check=lambda p: Period.parse(p.cycle))
    box = message_html("refused", "<b>x</b>", ["<i>y</i>"], prefix="cpas-trk")
    assert 'class="cpas-trk-msg-refused cpas-app-msg-refused"' in box
    assert "&lt;b&gt;x&lt;/b&gt;" in box and "<li>&lt;i&gt;y&lt;/i&gt;</li>" in box

"""Missing is None from the store to every renderer (issue 15 item 1): the conversion, the Jinja environment, the
Word cell writer, and the store readers of the tracker and the workshop."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import pytest

from cpas_kit.core.frames import display_text, is_missing, missing_as_none, records
from cpas_kit.core.templates import environment


def test_missing_values_become_none_and_numbers_stay_numbers():
    frame = pd.DataFrame([{"text": "a", "lead": None, "n": 1.5}, {"text": None, "lead": None, "n": None}])
    assert pd.isna(frame.loc[1, "text"]) and frame.loc[1, "text"] is not None  # pandas 3 'str' column: NaN
    out = missing_as_none(frame)
    assert out.loc[1, "text"] is None and out.loc[0, "lead"] is None
    assert out["n"].dtype == "float64" and math.isnan(out.loc[1, "n"])  # numeric columns keep NaN for arithmetic
    rows = records(out)
    assert rows[1] == {"text": None, "lead": None, "n": None}
    assert not [v for r in rows for v in r.values() if isinstance(v, float) and math.isnan(v)]


@pytest.mark.parametrize("value, shown", [(None, "—"), (float("nan"), "—"), (pd.NA, "—"), (pd.NaT, "—"),
                                          (3.0, "3"), (2.5, "2.5"), ("text", "text"), (0, "0"),
                                          (date(2024, 6, 30), "2024-06-30"),
                                          (datetime(2024, 6, 30, 14, 5, 7, 123456), "2024-06-30 14:05")])
def test_display_text(value, shown):
    assert display_text(value, "—") == shown


def test_is_missing_is_false_for_real_values():
    assert not any(is_missing(v) for v in (0, "", "nan text", [1], (None,), False))


def test_templates_print_nothing_for_missing_values():
    tpl = environment().from_string("[{{ a }}|{{ b or '' }}|{{ c }}|{{ d }}]")
    assert tpl.render(a=None, b=float("nan"), c=pd.NaT, d="ok") == "[|||ok]"


def test_a_word_table_cell_takes_missing_values(tmp_path):
    from cpas_kit.packs.impact_report import _Writer

    class _Ctx:  # the writer only needs these
        language = "en"
        framework = type("F", (), {"indicators": staticmethod(lambda: iter(()))})()

    w = _Writer(_Ctx())
    w.table(["a", "b", "c"], [["text", float("nan"), None]])
    cells = [c.text for c in w.doc.tables[0].rows[1].cells]
    assert cells == ["text", "—", "—"]

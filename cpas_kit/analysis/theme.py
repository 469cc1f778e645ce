"""The one Altair theme of CPAS Workbench (UN blue, readable in print and on small screens)."""

from __future__ import annotations

import altair as alt

UN_BLUE = "#009EDB"
STATUS_COLOURS = {"on track": "#2E7D32", "off track": "#C62828", "no data": "#9E9E9E", "not rated": "#6D6D6D"}
TARGET_COLOUR = "#F57C00"
BASELINE_COLOUR = "#616161"
SEQUENTIAL_SCHEME = "blues"
FONT = "Helvetica, Arial, sans-serif"
THEME_NAME = "cpas"


@alt.theme.register(THEME_NAME, enable=False)
def cpas_theme() -> alt.theme.ThemeConfig:
    """Theme config: fonts, sizes and the UN-blue category palette."""
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": 420, "continuousHeight": 180},
            "axis": {"labelFontSize": 11, "titleFontSize": 11, "gridColor": "#E6E6E6", "domainColor": "#9E9E9E"},
            "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom"},
            "title": {"fontSize": 13, "anchor": "start", "subtitleFontSize": 11, "subtitleColor": "#555555"},
            "range": {"category": [UN_BLUE, "#F57C00", "#7B1FA2", "#2E7D32", "#C62828", "#5D4037", "#455A64"]},
            "line": {"strokeWidth": 2.5},
        }
    }


def use_theme() -> None:
    """Enable the CPAS theme for charts built after this call."""
    alt.theme.enable(THEME_NAME)

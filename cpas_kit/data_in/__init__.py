"""Data coming in: indicator observations (import, data-entry workbooks, verification, their store queries) and
external files (ACLED, UCDP, World Bank, HXL, UN peacekeeping fatalities) with admin-1 matching."""

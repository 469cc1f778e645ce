"""CPAS Workbench: plan, collect, assess and report for UN peacekeeping missions, offline.

The package holds the logic; notebooks in ``notebooks/`` narrate and display. Start with
:mod:`cpas_kit.core.periods`, :mod:`cpas_kit.framework.model` and :class:`cpas_kit.store.Store`.
"""

__version__ = "0.1.0"

"""The live impact-assessment workshop: sessions and rating scales, ratings and proposals in the store, the
outcome views, the participant and facilitator apps, and ``cpas workshop serve``."""

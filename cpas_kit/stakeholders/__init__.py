"""Context mapping: a mission's stakeholder register, one snapshot per cycle, its diff, its views and the
context-mapping app."""

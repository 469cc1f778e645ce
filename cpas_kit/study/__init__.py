"""Cross-mission studies of common mandated areas (aggregates in the database, the study document) and the
A4P+ monitoring page."""

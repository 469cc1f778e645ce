"""A mission's results framework: the model (priorities → outcomes → indicators), its checks, standard
indicator catalogues, admin-1 geography, edits, and the Excel authoring workbook. Imports only ``core``."""

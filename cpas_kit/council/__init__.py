"""Reports to the Security Council: the evidence check of a report's figures against the mission's store, the share
of paragraphs informed by data over the mission's reports, and traceable draft paragraphs (``cpas report``).

Modules: :mod:`~cpas_kit.council.paragraphs` (a report as numbered paragraphs, headings, footnotes),
:mod:`~cpas_kit.council.figures` (figures and time references, English and French), :mod:`~cpas_kit.council.sources`
(the store as series of values), :mod:`~cpas_kit.council.matching` (figures against series, paragraph classes),
:mod:`~cpas_kit.council.check` and :mod:`~cpas_kit.council.outputs` (the check and its files),
:mod:`~cpas_kit.council.draft` (the Word draft), :mod:`~cpas_kit.council.store` (checked reports in the store).
"""

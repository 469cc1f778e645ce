"""What a cycle produces for one mission: the pack's data and sections, the impact report (Word), the
factsheet (HTML and PDF), offline HTML export, and batches over many missions."""

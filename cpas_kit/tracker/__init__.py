"""The recommendations tracker: the rules of a recommendation's life, its event history in the store, tracker
files in and out (Excel, Word), follow-up, and the tracker app."""

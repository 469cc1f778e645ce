"""One mission's store as one file, and merging that file into a shared (headquarters) store, checked whole
before anything is written."""

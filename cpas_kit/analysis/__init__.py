"""What the data of a cycle shows: indicator status and change, conflict hotspots, the chart builders and their
theme, and one indicator's view — shared by the packs and the workshop's outcome views."""

"""Per-update plumbing: who is writing, in which language, how often, and what gets logged."""

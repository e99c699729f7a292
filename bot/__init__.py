"""facexplain conversation service: platform-free dialogue, store, jobs, settings, CLI."""

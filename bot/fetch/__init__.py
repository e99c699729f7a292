"""Fetching model packs and data sets by explicit command: a registry of what is published
where (with the sizes and checksums known), resumable downloads with progress, checksum
checks and safe unpacking. Nothing here runs unless a ``facexplain models``/``data`` command
asks for it."""

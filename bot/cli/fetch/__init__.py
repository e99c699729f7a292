"""The ``facexplain models`` and ``facexplain data`` sub-commands (fetch, list, verify)."""

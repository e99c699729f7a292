"""The ``facexplain`` command line."""

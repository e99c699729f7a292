"""Top-level ``facexplain`` commands, one module each (module name = command name)."""

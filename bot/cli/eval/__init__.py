"""``facexplain eval`` sub-commands, one module each."""

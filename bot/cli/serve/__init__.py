"""``facexplain serve`` sub-commands, one module each: ``telegram``, ``slack``."""

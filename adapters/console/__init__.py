"""The console adapter: ``facexplain chat`` on the same dialogue as the chat platforms."""

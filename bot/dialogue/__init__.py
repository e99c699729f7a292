"""The conversation service's dialogue: what to do with a photo, a question, a command.

``Dialogue(runner, store, answerer, config).handle(incoming, send)`` is the one entry point
every adapter calls, through ``DialoguePort``; ``bot.composition.build_service`` builds it
from settings.
"""

from bot.dialogue.context import ConsentMode, DialogueConfig
from bot.dialogue.dialogue import Dialogue
from bot.dialogue.port import DialoguePort

__all__ = ["ConsentMode", "Dialogue", "DialogueConfig", "DialoguePort"]

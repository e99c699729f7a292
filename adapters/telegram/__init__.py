"""The Telegram adapter (python-telegram-bot): Telegram updates in, neutral messages to the
dialogue; neutral replies out, Bot API calls back. ``TelegramBot(config, dialogue)`` runs it;
``facexplain serve telegram`` (``bot.cli.serve.telegram``) builds the service and runs the bot
through the entry layer's lifecycle (``bot.cli.lifecycle``).

Modules: ``incoming`` and ``outgoing`` (the two translations), ``router`` (each update once,
each chat in order, each user within a rate), ``service`` (the PTB Application, polling or
webhook), ``webhook`` (the checked HTTP endpoint), ``files`` (capped downloads), ``formatting``
(HTML escaping and Telegram's length limits), ``delivery`` (flood control), ``albums``,
``callbacks``, ``config`` (what a mode needs; the settings are
``bot.platform_settings.TelegramSettings``); the token is kept
out of every log line by ``bot.ops.logging`` (the settings' secrets).
"""

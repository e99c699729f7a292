"""The Slack assistant (slack-bolt, asyncio): direct messages and @mentions in channels, one
conversation per thread, review buttons for teams.

- ``incoming``: Slack events and button presses -> neutral messages (``parse_event``,
  ``to_incoming``); ``download``: shared photos fetched with the bot token, capped.
- ``outgoing``: neutral replies -> Web API calls (``Outgoing.deliver``); ``blocks``: Block Kit.
- ``app``: ``SlackAssistant``, the Bolt app (ack first, work in the background in the
  conversation's turn, each event once); ``reviews``: the review buttons (verdicts go through the dialogue).
- ``http``: the guarded HTTP endpoint; ``serve``: Socket Mode or HTTP (``SlackService``).

Nothing here runs at import; ``facexplain serve slack`` (``bot.cli.serve.slack``) builds the
service and runs ``SlackService`` through the entry layer's lifecycle (``bot.cli.lifecycle``).
The settings are ``bot.platform_settings.SlackSettings``.
"""

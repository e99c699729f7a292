"""Platform adapters (Telegram, Slack, console): translation at the edge, nothing else."""

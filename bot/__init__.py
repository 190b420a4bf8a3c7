"""libbot: a Telegram and VK bot for a public library and the NKO resource centre it runs."""

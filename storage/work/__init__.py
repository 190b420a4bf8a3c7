"""The resource centre's work done outside the bot, recorded by staff (issue #25)."""

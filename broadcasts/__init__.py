"""Delivery of messages the bot sends on its own initiative: staff notices now,
scheduled announcements and reminders as they arrive."""

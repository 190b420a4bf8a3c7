"""Persistence: the database, its migrations, and the operations on people and activity."""

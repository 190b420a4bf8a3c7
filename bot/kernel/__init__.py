"""The shared kernel: what every layer may use and what uses nothing of libbot.

Settings types and their loading (`config`), the texts (`i18n`), dates and opening hours,
messenger limits and the registry of messengers, process metrics, the log format. It
imports no other part of libbot: `storage`, `broadcasts`, `handlers` and the app above
them all stand on it (see the layer contract in pyproject.toml).
"""

"""The library's own frequently asked questions («Частые вопросы»): what staff answer
once and the bot answers from then on, whatever the reader asks about (opening a card,
Wi-Fi, ЛитРес…). The consultations' per-topic FAQ is `storage.consultations.directory`."""

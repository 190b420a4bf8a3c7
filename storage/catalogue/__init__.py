"""The catalogue index: the library's own records, imported, searchable in milliseconds.

It answers «есть ли у вас…?» from our database, so it keeps working when the
library system is down; live loans and holds go through the library-system
connectors instead.
"""

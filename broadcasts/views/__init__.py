"""What a message looks like, drawn once for the conversation and for the notices alike:
callback data (the buttons' protocol), keyboards, and the cards of an event, a reader's
loans and a consultation request. Below both the handlers and the notices, above storage.
"""

"""Ratings after a service (#26): the rating asked after an event someone came to, and the
reader's refusal to be asked again. Consultation and librarian ratings stay on their request
(`storage.consultations`); `storage.ratings.results` reads both as one list."""

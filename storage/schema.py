"""All models in one metadata: what Alembic and the drift test compare against."""

from storage import identity, outbox, subscriptions
from storage.catalogue import models as catalogue_models
from storage.circulation import models as circulation_models
from storage.consultations import models as consultation_models
from storage.events import models as event_models
from storage.faq import models as faq_models
from storage.grants import models as grant_models
from storage.models import Base
from storage.ratings import models as rating_models

metadata = Base.metadata
MODULES = (
    catalogue_models,
    subscriptions,
    outbox,
    circulation_models,
    event_models,
    consultation_models,
    faq_models,
    identity,
    grant_models,
    rating_models,
)
# Dialect-specific tables made by hand in migrations, not described by models.
UNMODELLED_TABLES = frozenset({"catalogue_search"})

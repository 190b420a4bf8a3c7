"""Resource-centre reports: the quarterly and yearly accounting, built from the activity log
and the tables behind it (events, requests, broadcasts)."""

"""`mlarch interview`: ask only the facts whose answers would change the recommendation."""

"""Storage of the service: the database (SQLAlchemy 2 + Alembic) and the content-addressed blobs."""

"""Database: ORM models and Alembic migrations."""

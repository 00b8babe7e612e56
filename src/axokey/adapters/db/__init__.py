"""The database adapter: tables, engine, unit of work, repositories, migrations."""

"""粤法助手 knowledge base: divisions, legal sources, service guides, eligibility rules, offices.

Pure Python + SQLAlchemy; nothing here imports Rasa. The public surface is `knowledge.api`;
`knowledge.loader.build_database()` builds the database from `knowledge/seed/`.
"""

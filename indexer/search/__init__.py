"""The search side: a query parsed, planned, evaluated over the engine's postings, reranked and
paged (pipeline.py), behind the KnowledgeBase facade (knowledgebase.py) that web/ and cli/ use."""

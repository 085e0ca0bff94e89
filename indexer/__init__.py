"""Language analysis, the Whoosh index of the knowledge base, and search over it."""

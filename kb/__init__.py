"""The clinic's knowledge base: content files loaded into entries (no search here)."""

"""The `kb` command line: the one place that wires the knowledge base (kb), its index and search
(indexer) and its web pages (web) together. Commands live in cli.main and the modules it loads."""
from cli.main import main

__all__ = ["main"]

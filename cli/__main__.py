"""`python -m cli` is the `kb` command."""
from cli.main import main

main(prog_name="kb")

"""`kb concepts …`: the concept files and what the learned bridges propose for them."""
from __future__ import annotations

import click

from .main import handle_errors, index_option, settings_for


@click.group()
def concepts():
    """The medical concept files (data/concepts/)."""


@concepts.command()
@index_option
@handle_errors
def suggest(index_dir):
    """Print, as concept-file TOML, the entries the index's learned bridges propose (with their
    evidence), for review. Writes nothing."""
    from indexer import store
    from indexer.analysis import Analysis
    from indexer.bridges import Bridges
    from indexer.concepts import ConceptMatcher
    from indexer.bridges.suggest import proposals, to_toml

    from kb.concepts import load_concepts

    settings = settings_for(index_dir)
    gen, _ = store.open_current(settings.index_dir)
    bridges = Bridges.load(gen, facts=True)
    if bridges is None:
        raise click.UsageError("the index has no learned bridges: run kb index --full")
    concept_set = load_concepts(settings.concepts_dir)
    analysis = Analysis()
    matcher = ConceptMatcher(concept_set, analysis) if len(concept_set) else None
    click.echo(to_toml(proposals(bridges, matcher, analysis), {c.id for c in concept_set}), nl=False)

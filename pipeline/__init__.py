"""FedNAS Atlas: a living knowledge graph for systematic reviews of Federated NAS.

Data flows one way: sources (parse) -> nlp/embed -> propose -> store -> curate
-> report/serve. ``eval_fednas`` adds replication evidence to the same store.
"""

__version__ = "0.1.0"
SCHEMA_VERSION = 2  # see pipeline/store/schema.py for what each version changed

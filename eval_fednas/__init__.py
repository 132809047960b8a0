"""eval_fednas: rerun FedNAS adaptation techniques at small scale and record verdicts.

Layers (bottom-up): ``data`` (offline datasets, client partitions), ``models``
(functional CNN / super-net with MAC counting), ``accounting`` and ``clock``
(exact bytes and MACs, simulated wall clock), ``engines`` (built-in vectorised,
per-client loop, Flower), ``strategy`` (the round loop with small hooks),
``fednas`` (Xu et al.'s search), ``experiments`` (registered by name),
``verdicts``/``graph``/``report`` (results on disk and in the graph).
"""

__version__ = "0.1.0"

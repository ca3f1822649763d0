"""lineage: trace near-duplicate and syndicated text and infer who copied whom.

>>> import lineage
>>> isinstance(lineage.__version__, str)
True
"""

__version__ = "0.1.0"

from lineage.errors import ConfigError, InputError, LineageError, OutputError, TruthError
from lineage.model import Alignment, Document, LineageEdge, Passage, Skipped

__all__ = [
    "Alignment",
    "ConfigError",
    "Document",
    "InputError",
    "LineageEdge",
    "LineageError",
    "OutputError",
    "Passage",
    "Skipped",
    "TruthError",
    "__version__",
]

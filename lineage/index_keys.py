"""What matching needs from one document: its prepared form, LSH band keys and fingerprints.

The keys follow trace's candidate stage exactly: the same MinHash signature
(from :func:`lineage.pipeline.prepare`), one key per band standing for the
band's values (``lsh_pairs`` groups documents whose band values are equal),
and the same 1-in-``sample`` fingerprints chosen by hash value.

>>> from lineage.model import Document
>>> from lineage.pipeline import Config
>>> keys = document_keys(Document("a", "one two three four five six seven eight", "a"), Config())
>>> len(keys.bands), keys.words, keys.unique.dtype
(32, 8, dtype('uint64'))
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from lineage.index_lineage import quiet
from lineage.model import Document
from lineage.pipeline import Config, Prepared, prepare
from lineage.signatures import EMPTY, signatures
from lineage.store import document_digest


@dataclass(frozen=True, slots=True)
class DocumentKeys:
    """What matching needs from one document: its prepared form and index keys."""

    prepared: Prepared  # prepare([doc]): tokens, positional and unique shingle hashes
    digest: str
    bands: np.ndarray  # uint64 LSH band keys (none for a document without shingles)
    fingerprints: np.ndarray  # uint64, the 1-in-`sample` shingles

    @property
    def unique(self) -> np.ndarray:
        return self.prepared.unique[0]

    @property
    def words(self) -> int:
        words = self.prepared.words
        return int(words[0]) if words is not None else len(self.prepared.tokens[0])


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per LSH band: equal keys mean equal band values (as in ``lsh_pairs``).

    >>> sig = np.arange(8, dtype=np.uint64)
    >>> bool((band_keys(sig, 2, 4) == band_keys(sig.copy(), 2, 4)).all()), len(band_keys(sig, 2, 4))
    (True, 2)
    """
    if np.all(sig == EMPTY):  # no shingles: trace never pairs such a document by LSH
        return np.zeros(0, dtype=np.uint64)
    keys = [
        int.from_bytes(hashlib.blake2b(band.to_bytes(2, "little") + sig[band * rows : (band + 1) * rows].tobytes(),
                                       digest_size=8).digest(), "little")
        for band in range(bands)
    ]
    return np.array(keys, dtype=np.uint64)


def document_keys(doc: Document, config: Config) -> DocumentKeys:
    """Prepare one document and compute its band keys and fingerprints."""
    prepared = prepare([doc], config, quiet)
    unique = prepared.unique[0]
    sigs = prepared.signatures
    sig = sigs[0] if sigs is not None else signatures([unique], num_perm=config.num_perm, seed=config.seed)[0]
    return DocumentKeys(prepared, document_digest(doc), band_keys(sig, config.bands, config.rows),
                        unique[unique % np.uint64(config.sample) == 0])

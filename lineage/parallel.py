"""Worker processes for the heavy stages, and the batch functions they run.

The batch functions are top-level, take everything they need as arguments
and return plain values (arrays, frozen dataclasses), so the same functions
can run in forked worker processes here (:func:`run_batches`) and in a distributed engine
later: :func:`shingle_batch` (tokenise, shingle, sign a batch of texts) and
:func:`verify_batch` (re-tokenise the documents of a batch of candidate
pairs and verify each pair). Results never depend on the number of workers
or the batch size: batches are returned in order and ``workers=1`` runs the
same functions in-process.

>>> batch = shingle_batch(["the talks in moscow went well", "the talks in moscow"], k=5, num_perm=4, seed=1)
>>> batch.offsets.tolist(), batch.words.tolist(), batch.signatures.shape
([0, 2, 3], [6, 4], (2, 4))
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import pickle
import shutil
import tempfile
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

import numpy as np

from lineage.model import Document
from lineage.representatives import PackedSets, components, pack
from lineage.shingles import shingle_sets
from lineage.signatures import packed_signatures

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """The number of cores this process may use (all of them, by default).

    >>> default_workers() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_batches(func: Callable[[T], R], batches: Sequence[T], workers: int) -> Iterator[R]:
    """``func`` over ``batches``, results in batch order, on up to ``workers`` processes.

    One batch, or one worker, runs in this process (no process to start).
    Where processes fork, this process is one of the ``workers``: it forks
    ``workers - 1`` children and all of them, itself included, take the next
    batch not yet taken until none is left (:func:`_forked_batches`). A batch
    this process runs is neither pickled nor sent anywhere, nor is its result;
    the children inherit ``func`` and ``batches`` (copy on write) and hand
    each result over in a file in memory (:func:`spill_folder`). Elsewhere a
    ``multiprocessing`` pool of ``workers`` processes runs them.

    >>> list(run_batches(abs, [-1, 2, -3], workers=2))
    [1, 2, 3]
    """
    if workers > 1 and len(batches) > 1 and "fork" not in multiprocessing.get_all_start_methods():
        with multiprocessing.Pool(min(workers, len(batches))) as pool:
            yield from pool.imap(func, batches)
        return
    try:
        if workers <= 1 or len(batches) <= 1:
            for batch in batches:
                yield func(batch)
        else:
            yield from _forked_batches(func, batches, min(workers, len(batches)))
    finally:
        release_free_memory()  # what the batches run here left free in the C heap


def release_free_memory() -> None:
    """Give the free pages of the C heap back to the system (glibc's ``malloc_trim``); elsewhere nothing.

    A batch run in this process allocates and frees short-lived arrays between the results
    it keeps: the heap is left with free holes the allocator keeps, and fills later. At
    100,000 documents the main process held 0.36 GB more at the end, and the trace peaked
    at 3.7 GB instead of 3.2: while the drawing child of ``write_outputs`` runs, every page
    this process writes is copied, and the holes were written again (trimmed: 3.2 GB).

    >>> release_free_memory()
    """
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL(None).malloc_trim  # the C library of this process
        except (AttributeError, OSError, TypeError):  # not glibc (musl, macOS, Windows)
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None


def _forked_batches(func: Callable[[T], R], batches: Sequence[T], workers: int) -> Iterator[R]:
    """:func:`run_batches` where processes fork: this process and ``workers - 1`` forked children
    take batches from one shared counter; results are yielded in batch order.

    With a pool of two workers on two cores, this process spent its time unpickling the
    workers' results (half a million verified pairs at 100,000 documents, several seconds)
    while they ran; now half the batches are never pickled at all. A child that fails sends
    its error, which is raised here; one that dies without a word (killed, out of memory)
    is reported with its exit code. The children are stopped when the iteration ends,
    however it ends.

    >>> list(_forked_batches(len, ["a", "bb", "ccc", "dddd"], workers=3))
    [1, 2, 3, 4]
    """
    context = multiprocessing.get_context("fork")
    taken = context.RawValue("q", 0)  # the next batch nobody has taken
    lock = context.Lock()

    def take() -> int:
        with lock:
            index = taken.value
            taken.value = index + 1
        return index

    children: dict = {}  # receiving end -> process
    # the C heap's free pages given back first: a child writing into one the parent still maps
    # copies it, and so does the parent (at 100,000 documents, 0.2 GB less during direction)
    release_free_memory()
    with spill_folder() as folder:
        try:
            # the children's collectors never walk, nor copy the pages of, what they inherit
            with _frozen_for_children():
                for _ in range(workers - 1):
                    receive, send = context.Pipe(duplex=False)
                    process = context.Process(target=_batch_child, args=(func, batches, take, send, folder), daemon=True)
                    process.start()
                    send.close()  # the child holds the sending end: its exit reads as EOF here
                    children[receive] = process
            done: dict[int, object] = {}
            for index in range(len(batches)):
                while index not in done:
                    ours = take()
                    if ours < len(batches):
                        done[ours] = func(batches[ours])
                        _collect(children, done, block=False)
                    else:  # all taken: wait for the children's
                        _collect(children, done, block=True)
                yield done.pop(index)  # type: ignore[misc]
        finally:
            for process in children.values():
                if process.is_alive():
                    process.terminate()
                process.join()
            for receive in children:
                receive.close()


def _collect(children: dict, done: dict[int, object], *, block: bool) -> None:
    """Receive all that the children have sent into ``done`` (by batch index); ``block``: wait
    for something first (a result, an error, or a child's end)."""
    from multiprocessing.connection import wait

    if block and not children:  # nobody left to send what is missing
        raise RuntimeError("the worker processes ended before their batches were done")
    timeout = None if block else 0
    while children and (ready := wait(list(children), timeout=timeout)):
        timeout = 0
        for receive in ready:
            try:
                index, ok, value = receive.recv()
            except EOFError:  # the child has ended; had it failed, its error would have come first
                process = children.pop(receive)
                receive.close()
                process.join()
                if process.exitcode:
                    raise RuntimeError(f"a worker process ended with exit code {process.exitcode}") from None
                continue
            if not ok:
                raise value
            done[index] = value.load() if isinstance(value, _InFile) else value


def _batch_child(func: Callable, batches: Sequence, take: Callable[[], int], send, folder: str | None) -> None:
    """A forked child of :func:`_forked_batches`: takes batches until none is left."""
    index = -1
    try:
        while (index := take()) < len(batches):
            send.send((index, True, _handed(func(batches[index]), folder, index)))
    except BaseException as exc:  # handed to the parent, which raises it
        try:
            send.send((index, False, exc))
        except Exception:  # an error that does not pickle
            send.send((index, False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    send.close()


@dataclass(frozen=True)
class _InFile:
    """A batch result a child pickled to ``path`` (in the spill folder): :meth:`load` reads it and removes the file."""

    path: str

    def load(self) -> object:
        with open(self.path, "rb") as f:
            value = pickle.load(f)
        os.unlink(self.path)
        return value


def _handed(result: object, folder: str | None, index: int) -> object:
    """``result`` as a child sends it: pickled to a file in the spill folder when there is one (its
    pipe then carries a few bytes, so the child never waits for the parent to read), else itself."""
    if folder is None:
        return result
    path = os.path.join(folder, f"{os.getpid()}-{index}.pickle")
    try:
        with open(path, "wb") as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:  # shared memory full (a container's is often 64 MB): through the pipe, then
        with suppress(OSError):
            os.unlink(path)
        return result
    return _InFile(path)


@contextmanager
def _frozen_for_children():
    """Freeze this process's objects for the collector (``gc.freeze``) while the block forks:
    the children's collectors then never walk, nor copy the pages of, what they inherit (at
    100,000 documents millions of objects: the verified pairs). Thawed here when the block
    ends; a child keeps them frozen for its whole life."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class Forked:
    """The pending result of :func:`run_forked`: :meth:`result` waits for it (and re-raises its error)."""

    def __init__(self, run: Callable[[], object] | None = None, process=None, receive=None) -> None:
        self.run, self.process, self.receive = run, process, receive

    def result(self):
        if self.run is not None:
            return self.run()
        try:
            ok, value = self.receive.recv()
        except EOFError:  # the child died without a word (killed, out of memory)
            self.process.join()
            raise RuntimeError(f"a forked worker ended with exit code {self.process.exitcode}") from None
        self.process.join()
        if not ok:
            raise value
        return value


def run_forked(func: Callable[[T], R], arg: T, *, enabled: bool = True) -> Forked:
    """Start ``func(arg)`` in a forked process and return at once; ``.result()`` collects it.

    The child shares this process's memory (copy on write): ``arg`` is not
    pickled, only the return value or the exception comes back. Where
    forking is not available, or ``enabled`` is false, ``func(arg)`` runs in
    this process when ``.result()`` is asked for.

    >>> run_forked(abs, -3).result(), run_forked(abs, -4, enabled=False).result()
    (3, 4)
    """
    if not enabled or "fork" not in multiprocessing.get_all_start_methods():
        return Forked(lambda: func(arg))
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_forked_job, args=(func, arg, send), daemon=True)
    release_free_memory()  # as before the batch workers fork (see _forked_batches)
    # the drawing child of write_outputs, which needs the collector, walked the whole trace in
    # its first full collection (about 3 s at 100,000 documents) and copied every page it touched
    with _frozen_for_children():
        process.start()
    send.close()  # the child holds the sending end: its exit without a message reads as EOF here
    return Forked(process=process, receive=receive)


def _forked_job(func: Callable, arg: object, send) -> None:
    try:
        message = (True, func(arg))
    except BaseException as exc:  # handed to the parent, which raises it
        message = (False, exc)
    send.send(message)
    send.close()


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` cut into consecutive slices of at most ``size``.

    >>> chunks([1, 2, 3, 4, 5], 2)
    [[1, 2], [3, 4], [5]]
    """
    return [items[start : start + size] for start in range(0, len(items), size)]


def batch_size(total: int, workers: int, *, most: int, least: int = 1) -> int:
    """A batch size giving each worker several batches (load balance) but no tiny ones.

    >>> batch_size(10_000, 2, most=500), batch_size(100, 2, most=500, least=50)
    (500, 50)
    """
    return max(least, min(most, -(-total // max(1, 8 * workers))))


# ---------------------------------------------------------------- data the workers inherit

_SHARED: dict[str, object] = {}  # what a running stage's forked workers read instead of receiving it


@contextmanager
def shared_with_workers(name: str, value: object, workers: int):
    """Make ``value`` readable as ``_SHARED[name]`` by the workers a stage forks inside the block.

    Yields whether it is shared: with several workers, where processes fork (the workers
    are forked after this, so they see it without its being pickled: copy on write), and
    when no other stage of this process (another thread's) shares something by that name.
    Otherwise nothing is shared and the caller sends the data with its tasks. Batch
    functions themselves never read ``_SHARED`` (they stay pure, as a distributed engine
    calls them); the small task wrappers and :class:`Inherited` do.

    >>> with shared_with_workers("x", [1, 2], workers=2) as shared:
    ...     shared == ("fork" in multiprocessing.get_all_start_methods()), Inherited("x", [1])[1]
    (True, 2)
    >>> "x" in _SHARED
    False
    """
    # setdefault is atomic: of two threads, only the first shares the name; the other sends
    shared = (workers > 1 and "fork" in multiprocessing.get_all_start_methods()
              and _SHARED.setdefault(name, value) is value)
    try:
        yield shared
    finally:
        if shared:
            del _SHARED[name]


class Inherited(Mapping):
    """``{i: _SHARED[name][i] for i in indices}``, read when asked for, pickled as the indices alone.

    A batch's documents (or shingle sets) by global index, for a worker that inherited the
    whole corpus from the parent (:func:`shared_with_workers`): the task then carries a few
    kilobytes of indices instead of megabytes of texts.
    """

    def __init__(self, name: str, indices: Sequence[int]) -> None:
        self.name, self.indices = name, list(indices)
        self._at = set(self.indices)

    def __getitem__(self, index: int):
        if index not in self._at:
            raise KeyError(index)
        return _SHARED[self.name][index]  # type: ignore[index]

    def __iter__(self):
        return iter(self.indices)

    def __len__(self) -> int:
        return len(self.indices)

    def __reduce__(self):
        return Inherited, (self.name, self.indices)


def batch_of(name: str, values: Sequence, indices: Iterable[int], shared: bool) -> Mapping:
    """``{i: values[i] for i in indices}`` for a task; when ``values`` is shared with the workers
    as ``name`` (:func:`shared_with_workers`), the same as an :class:`Inherited` (indices only).

    >>> batch_of("x", ["a", "b", "c"], [2, 0], shared=False)
    {2: 'c', 0: 'a'}
    """
    indices = [int(i) for i in indices]
    return Inherited(name, indices) if shared else {i: values[i] for i in indices}


# ---------------------------------------------------------------- tokenise, shingle, sign


@dataclass(frozen=True)
class ShingleBatch:
    """What the bulk stages keep of a batch of texts: packed shingle sets, word counts, signatures."""

    values: np.ndarray  # sorted unique shingle hashes of every text, packed
    offsets: np.ndarray  # text i's set is values[offsets[i]:offsets[i + 1]]
    words: np.ndarray  # tokens per text
    signatures: np.ndarray  # (texts, num_perm) uint64
    shingle_seconds: float  # CPU time spent tokenising and shingling
    sign_seconds: float  # CPU time spent signing


def shingle_batch(texts: Sequence[str], *, k: int, num_perm: int, seed: int,
                  kernel: bool | None = None) -> ShingleBatch:
    """Tokenise, shingle and sign a batch of texts (one task of the prepare stage).

    ``kernel`` chooses the compiled signature kernel (None: by batch size; see
    :func:`lineage.signatures.packed_signatures`).
    """
    started = time.process_time()
    values, offsets, words = shingle_sets(list(texts), k=k)
    shingled = time.process_time()
    sigs = packed_signatures(values, offsets, num_perm=num_perm, seed=seed, kernel=kernel)
    return ShingleBatch(values, offsets, words, sigs, shingled - started, time.process_time() - shingled)


def _shingle_task(task: tuple[Sequence[str], int, int, int, bool]) -> ShingleBatch:
    texts, k, num_perm, seed, kernel = task
    return shingle_batch(texts, k=k, num_perm=num_perm, seed=seed, kernel=kernel)


# From about this many documents the compiled kernels' one-time load (~1 s) pays for itself.
KERNEL_MIN_DOCS = 10_000


def shingle_all(texts: Sequence[str], *, k: int, num_perm: int, seed: int, workers: int,
                progress: Callable[[int], None] | None = None) -> Iterable[ShingleBatch]:
    """:func:`shingle_batch` over all texts in batches, on ``workers`` processes, in order."""
    size = batch_size(len(texts), workers, most=1000, least=50)
    kernel = len(texts) >= KERNEL_MIN_DOCS
    if kernel:
        from lineage.kernels import load
        from lineage.shingles import COMBINE_KERNEL, TOKEN_KERNEL
        from lineage.signatures import _compiled_kernel

        # loaded here, so forked workers (of this stage and the later ones) inherit them; the
        # tokeniser and shingler give the same tokens and hashes as the NumPy path (lineage.shingles)
        load(*TOKEN_KERNEL)
        load(*COMBINE_KERNEL)
        kernel = _compiled_kernel() is not None
        if workers > 1:
            # a kernel's first call in a process reads its machine code from numba's cache (0.3 s
            # for the tokeniser): called here once, the code is inherited by the workers of this
            # stage and of the later ones (align and direction tokenise too), not read by each
            shingle_batch(["Warm up the kernels, once."], k=k, num_perm=num_perm, seed=seed, kernel=kernel)
    with shared_with_workers("texts", texts, workers) as shared:
        # shared: the workers read their slices of the texts from what they inherited (sending
        # each batch's texts kept the workers idle for a fifth of the stage while this process
        # pickled and wrote them)
        if shared:
            func, tasks = _shingle_slice, [(start, start + size, k, num_perm, seed, kernel)
                                           for start in range(0, len(texts), size)]
        else:
            func, tasks = _shingle_task, [(batch, k, num_perm, seed, kernel) for batch in chunks(texts, size)]
        done = 0
        for result in run_batches(func, tasks, workers):
            done += len(result.words)
            if progress is not None:
                progress(done)
            yield result


def _shingle_slice(task: tuple[int, int, int, int, int, bool]) -> ShingleBatch:
    start, stop, k, num_perm, seed, kernel = task
    return shingle_batch(_SHARED["texts"][start:stop], k=k, num_perm=num_perm, seed=seed, kernel=kernel)


# ---------------------------------------------------------------- results handed over in files in memory


@contextmanager
def spill_folder(enabled: bool = True) -> Iterator[str | None]:
    """A private folder in shared memory (``/dev/shm``) for workers' bulk results, removed on exit;
    None where there is none (or ``enabled`` is false): the results then go through the pipes.

    A batch of 1,000 texts returns about 6 MB of arrays, a batch of aligned pairs thousands
    of objects. Through a pipe (64 KB at a time) the child would wait until this process has
    read it all, which it does only between batches of its own (:func:`run_batches`); written
    to a file in memory it takes a few milliseconds, and the child goes on.

    >>> with spill_folder() as folder:
    ...     folder is None or os.path.isdir(folder)
    True
    """
    folder = None
    if enabled and os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        _remove_orphans("/dev/shm")
        try:
            folder = tempfile.mkdtemp(prefix=f"lineage-{os.getpid()}-", dir="/dev/shm")
        except OSError:
            folder = None
    try:
        yield folder
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def _remove_orphans(parent: str) -> None:
    """Remove the spill folders (``lineage-PID-*``) of processes that no longer run: a process
    killed outright (SIGKILL, SIGTERM) never ran the clean-up of its ``spill_folder``."""
    for entry in os.scandir(parent):
        pid = entry.name.split("-")[1] if entry.name.startswith("lineage-") else ""
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:  # alive, another user's
            pass


# ---------------------------------------------------------------- verify candidate pairs


@dataclass(frozen=True)
class VerifyTask:
    """A batch of candidate pairs with the documents they involve (by global index)."""

    docs: Mapping[int, Document]  # a dict, or Inherited("docs", ...) for forked workers
    pairs: np.ndarray  # (m, 2) document indices: one array, not a million tuples to make and pickle
    config: object  # lineage.pipeline.Config
    boilerplate: np.ndarray


def verify_batch(task: VerifyTask) -> list[object]:
    """Verify each pair of the batch; one result per pair (``None`` when it shares nothing).

    Each document is tokenised once per batch, here in the worker, instead of
    being held tokenised for the whole corpus (memory stays per document,
    and only documents in some candidate pair are tokenised again).
    """
    from lineage.pipeline import verify_pair  # the pipeline imports this module

    prepared = batch_prepared(task.docs, task.config.k, indexed=True)  # type: ignore[attr-defined]
    return [verify_pair(prepared, i, j, task.config, task.boilerplate)  # type: ignore[arg-type]
            for i, j in np.asarray(task.pairs, dtype=np.int64).reshape(-1, 2).tolist()]


def verify_batch_columns(task: VerifyTask) -> tuple[np.ndarray, object]:
    """:func:`verify_batch` with its results in columns: the positions (in the batch) of the pairs
    that share something, and those pairs as a :class:`lineage.verified.VerifiedPairs` (no ids).

    A worker hands over a few arrays instead of an object per pair and passage (see
    :mod:`lineage.verified`), and the main process keeps them as they come.
    """
    from lineage.verified import VerifiedPairs

    found = verify_batch(task)
    kept = [k for k, v in enumerate(found) if v is not None]
    return np.array(kept, dtype=np.int64), VerifiedPairs.of(found[k] for k in kept)


def batch_prepared(docs: dict[int, Document], k: int, sets: dict[int, np.ndarray] | None = None, *,
                   indexed: bool = False) -> object:
    """A :class:`lineage.pipeline.Prepared` of a batch's documents (by global index), tokenised here.

    ``sets`` adds documents known only by their sorted unique shingle hashes
    (a direction batch's witnesses: their sets are all it reads of them).
    ``indexed`` also makes each document's :func:`lineage.alignment.hash_index`
    (alignment reads it), and its unique set from that sort instead of another.

    >>> p = batch_prepared({7: Document("a", "the talks in moscow went on", "a.txt")}, 5)
    >>> len(p.tokens[7]), p.unique[7].tolist() == sorted(set(p.hashes[7].tolist()))
    (6, True)
    """
    from lineage.alignment import hash_index
    from lineage.pipeline import Prepared
    from lineage.shingles import distinct, shingle_hashes, tokenize_hashed, unique_sorted

    tokens = {i: tokenize_hashed(doc.text) for i, doc in docs.items()}
    hashes = {i: shingle_hashes(t, k=k) for i, t in tokens.items()}
    if not indexed:
        unique = dict(sets or {}) | {i: unique_sorted(h) for i, h in hashes.items()}
        return Prepared(docs, tokens, hashes, unique)  # type: ignore[arg-type]
    index = {i: hash_index(h) for i, h in hashes.items()}
    unique = dict(sets or {}) | {i: distinct(ordered) for i, (_, ordered) in index.items()}
    return Prepared(docs, tokens, hashes, unique, _index=index)  # type: ignore[arg-type]


def component_order(n: int, pairs: np.ndarray) -> np.ndarray:
    """The order in which to batch ``pairs`` (an ``(m, 2)`` array): by connected component, then pair.

    Pairs of one connected group end up in few batches, so each document is
    sent to (and tokenised in) few batches.

    >>> component_order(4, np.array([[2, 3], [0, 1], [1, 2]])).tolist()
    [1, 2, 0]
    """
    label = components(n, pairs)
    return np.lexsort((pairs[:, 1], pairs[:, 0], label[pairs[:, 0]]))


def locality_order(n: int, pairs: np.ndarray) -> np.ndarray:
    """The order in which to batch ``pairs`` (an ``(m, 2)`` array) so that a batch involves few documents.

    Candidate pairs of a large corpus form one giant connected group (stock
    phrases link unrelated stories), so :func:`component_order` leaves each
    batch's second documents scattered over the corpus. Here the documents are
    ranked by reverse Cuthill-McKee over the pair graph (a breadth-first order
    that keeps a document's partners close to it) and the pairs sorted by
    their lower rank, then the higher: consecutive pairs then share most of
    their documents. On a 25,000-document corpus, batches of 8,000 pairs
    tokenise each document 2.0 times on average instead of 4.6.

    >>> locality_order(5, np.array([[0, 4], [1, 2], [2, 4], [0, 3]])).tolist()
    [3, 0, 2, 1]
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    if not len(pairs):
        return np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n)).tocsr()
    rank = np.empty(n, dtype=np.int64)
    rank[reverse_cuthill_mckee((graph + graph.T).tocsr(), symmetric_mode=True)] = np.arange(n)
    ends = rank[pairs]
    return np.lexsort((ends.max(axis=1), ends.min(axis=1)))


def verify_tasks(docs: Sequence[Document], pairs: Sequence[tuple[int, int]] | np.ndarray, config: object,
                 boilerplate: np.ndarray, workers: int, *, shared: bool = False) -> tuple[list[VerifyTask], np.ndarray]:
    """Cut the pairs into batches of pairs sharing documents; and their positions.

    The pairs are ordered by :func:`locality_order`, which keeps each
    document's pairs in few batches, so it is re-tokenised few times.
    Returns the tasks and, for the concatenation of their pairs, each pair's
    index in ``pairs`` (to put results back in order). ``shared``: ``docs``
    is shared with the workers as ``"docs"`` (:func:`shared_with_workers`),
    so the tasks carry only the documents' indices.
    """
    n = len(docs)
    if len(pairs) == 0:
        return [], np.zeros(0, dtype=np.int64)
    arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    order = locality_order(n, arr)
    # up to 8,000 pairs: fewer re-tokenisations than small batches, bounded memory whatever the
    # corpus size (a batch of 5,629 documents peaked at 231 MB in tracemalloc, about 41 KB a
    # document held tokenised, with its hashes, hash index and set; most batches hold ~1,000)
    size = batch_size(len(pairs), workers, most=8000, least=100)
    tasks = []
    for start in range(0, len(order), size):
        part = arr[order[start : start + size]]
        needed = np.unique(part)
        tasks.append(VerifyTask(batch_of("docs", docs, needed.tolist(), shared), part, config, boilerplate))
    return tasks, order


# ---------------------------------------------------------------- orient verified pairs


@dataclass(frozen=True)
class OrientTask:
    """A batch of verified copy pairs to orient, each with its witnesses (by global index).

    ``docs`` holds the two documents of every pair (tokenised in the worker),
    ``sets`` the sorted unique shingle hashes of the witnesses that are not
    also a pair's document. ``pairs`` holds the batch's pairs in columns
    (:class:`lineage.verified.VerifiedPairs`, without ids: the worker reads
    them from ``docs``) and ``witnesses[k]`` pair ``k``'s witnesses: the
    worker makes a pair's objects when it orients it. Made as objects in the
    parent before the workers forked, they sat among the quote-only edges,
    and each worker's reading of them (reference counts) copied those pages:
    at 200,000 documents the worker's private memory grew by 0.5 GB.
    """

    docs: Mapping[int, Document]  # dicts, or Inherited("docs"/"sets", ...) for forked workers
    sets: Mapping[int, np.ndarray]
    pairs: object  # lineage.verified.VerifiedPairs
    witnesses: Sequence[Sequence[int]]  # a PackedSets of int64 indices, or lists
    config: object  # lineage.pipeline.Config
    neutral: np.ndarray  # boilerplate and site-template shingle hashes, sorted
    words: object = None  # the corpus's word frequencies (lineage.rarity.WordFrequencies), None: no rarity


class _IdsOf(Mapping):
    """``{i: docs[i].id}`` for the documents of a batch, read when asked for."""

    def __init__(self, docs: Mapping[int, Document]) -> None:
        self.docs = docs

    def __getitem__(self, index: int) -> str:
        return self.docs[index].id

    def __iter__(self):
        return iter(self.docs)

    def __len__(self) -> int:
        return len(self.docs)


def orient_batch(task: OrientTask) -> list[object]:
    """:func:`lineage.pipeline.orient_pair` on each pair of the batch; one edge per pair, in order."""
    from lineage.pipeline import orient_pair  # the pipeline imports this module

    prepared = batch_prepared(task.docs, task.config.k, task.sets)  # type: ignore[attr-defined]
    pairs = task.pairs.with_ids(_IdsOf(task.docs))  # type: ignore[attr-defined]
    return [orient_pair(prepared, v, task.config, task.neutral, [int(x) for x in w], task.words)  # type: ignore[arg-type]
            for v, w in zip(pairs, task.witnesses)]


def orient_tasks(docs: Sequence[Document], sets: Sequence[np.ndarray], pairs: object, witnesses: PackedSets,
                 config: object, neutral: np.ndarray, words: object, workers: int, *,
                 shared: bool = False) -> tuple[list[OrientTask], np.ndarray]:
    """Cut verified copy pairs (a :class:`lineage.verified.VerifiedPairs`) into batches, pairs of one
    copy cluster together; ``witnesses[k]`` are pair ``k``'s witnesses.

    ``sets[i]`` is document ``i``'s sorted unique shingle set (for
    witnesses). Returns the tasks and each batched pair's position in ``pairs``,
    as :func:`verify_tasks` does; ``shared`` as there (``docs`` shared as
    ``"docs"``, ``sets`` as ``"sets"``).
    """
    if not len(pairs):  # type: ignore[arg-type]
        return [], np.zeros(0, dtype=np.int64)
    arr = pairs.pairs  # type: ignore[attr-defined]
    order = component_order(len(docs), arr)
    # a pair's evidence costs several alignments' worth: smaller batches than verification's
    size = batch_size(len(arr), workers, most=2000, least=50)
    tasks = []
    for start in range(0, len(order), size):
        part = order[start : start + size]
        found = [witnesses[p] for p in part.tolist()]
        ends = np.unique(arr[part])
        others = np.setdiff1d(np.concatenate(found) if found else np.zeros(0, np.int64), ends)
        tasks.append(OrientTask(batch_of("docs", docs, ends.tolist(), shared),
                                batch_of("sets", sets, others.tolist(), shared), pairs.take(part),  # type: ignore[attr-defined]
                                pack(found, dtype=np.int64), config, neutral, words))
    return tasks, order


@contextmanager
def cyclic_gc_paused():
    """Pause the cyclic garbage collector for a block that builds many long-lived objects.

    Building the graph and the outputs makes hundreds of thousands of dicts that outlive the
    block; every full collection meanwhile walks all of them and everything the trace holds
    (at 25,000 documents, 85,000 edge dicts took 0.94 s with the collector, 0.22 s without).
    What such a block builds holds no reference cycles, so reference counting frees it; the
    collector is restored as it was, even on error. Forked children inherit the pause.

    >>> import gc
    >>> with cyclic_gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()

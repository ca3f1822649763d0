"""The storage interface, on both backends: atomic transactions, postings, frequencies, pairs, lineage."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.index_codec import dumps, loads
from lineage.model import Document, LineageEdge, Passage, Verified
from lineage.normalise import tokenize
from lineage.pipeline import Config, prepare, verify_pair
from lineage.store import (
    StoredDocument,
    StoredPair,
    StoreError,
    WriteConflict,
    context_digest,
    open_store,
    pack_hashes,
    unpack_hashes,
)
from tests.conftest_redis import location, redis_url  # noqa: F401  (fixtures)

H = lambda *v: np.array(v, dtype=np.uint64)  # noqa: E731
BIG = 2**64 - 5  # hashes use all 64 bits


def _doc(seq: int, doc_id: str, cluster: str | None = None) -> StoredDocument:
    return StoredDocument(seq, Document(doc_id, f"text of {doc_id}", f"{doc_id}.txt", title="T"), f"d{seq}", 3,
                          H(1, 2, BIG), cluster=cluster)


@pytest.fixture
def store(location):
    s = open_store(location[0], location[1], create=True)
    yield s
    s.close()


def test_documents_postings_and_pairs_round_trip(store):
    with store.transaction():
        store.insert_document(_doc(1, "a", cluster="a"), bands=H(10, BIG), fingerprints=H(4, 8))
        store.insert_document(_doc(2, "b", cluster="a"), bands=H(10), fingerprints=H(8))
        store.put_pairs([StoredPair(1, 2, b"\x01" * 16, '{"v":1}', "derived", None)])
        store.set_edges([(1, 2, '{"e":1}')])
    assert store.seqs_of(["a", "b", "c"]) == {"a": 1, "b": 2}
    got = store.documents([1, 2])
    assert got[1].document == Document("a", "text of a", "a.txt", title="T")
    assert got[1].shingles.tolist() == [1, 2, BIG] and got[2].cluster == "a"
    assert store.documents([1], text=False)[1].document.text == ""
    assert store.band_members(H(10)) == {1, 2} and store.band_members(H(BIG)) == {1}
    assert sorted(store.fingerprint_members(H(8, 4)).tolist()) == [1, 1, 2]
    assert store.pairs_of([2]) == [StoredPair(1, 2, b"\x01" * 16, '{"v":1}', "derived", '{"e":1}')]
    assert store.cluster_members("a") == [1, 2] and store.relation_counts() == {"derived": 1}
    with store.transaction():
        store.delete_document(store.documents([1])[1], bands=H(10, BIG), fingerprints=H(4, 8))
    assert store.all_seqs() == [2] and store.pairs_of([2]) == [] and store.band_members(H(BIG)) == set()
    assert store.fingerprint_members(H(4)).tolist() == [] and store.cluster_members("a") == [2]


def test_frequencies_and_the_heavy_list(store):
    for _ in range(3):
        with store.transaction():
            store.add_frequencies(H(5, BIG), +1, floor=2)
    with store.transaction():
        store.add_frequencies(H(7), +1, floor=2)
    assert store.frequencies(H(5, 7, 9, BIG)).tolist() == [3, 1, 0, 3]
    assert store.heavy(2).tolist() == [5, BIG] and store.heavy(3).tolist() == []
    with store.transaction():
        store.add_frequencies(H(5), -1, floor=2)
        store.add_frequencies(H(7), -1, floor=2)
    assert store.frequencies(H(5, 7)).tolist() == [2, 0] and store.heavy(2).tolist() == [BIG]
    assert store.counts()["shingles"] == 2


def test_a_failed_transaction_writes_nothing(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.insert_document(_doc(1, "a"), bands=H(10), fingerprints=H(4))
            store.add_frequencies(H(1, 2), +1, floor=50)
            store.put_meta({"count": "1"})
            raise RuntimeError("crash in the middle")
    assert store.all_seqs() == [] and store.frequencies(H(1)).tolist() == [0]
    assert store.band_members(H(10)) == set() and "count" not in store.get_meta()


def test_lineage_and_dirty_marks(store):
    with store.transaction():
        store.insert_document(_doc(1, "a"), bands=H(), fingerprints=H())
        store.insert_document(_doc(2, "b"), bands=H(), fingerprints=H())
        store.set_lineage([(1, None, "a", None), (2, "a", "a", None)])
        store.mark_dirty(["a"])
    assert store.dirty() == ["a"] and store.documents([2])[2].parent == "a"
    with store.transaction():
        store.set_lineage([(1, None, None, "a"), (2, None, None, "a")])
        store.mark_dirty(["a"], dirty=False)
    assert store.dirty() == [] and store.cluster_members("a") == []


def test_redis_writers_conflict_instead_of_overwriting(redis_url):  # noqa: F811
    import uuid

    name = f"c{uuid.uuid4().hex[:8]}"
    first, second = open_store(redis_url, name, create=True), open_store(redis_url, name, create=True)
    with pytest.raises(WriteConflict):
        with first.transaction():
            first.put_meta({"count": "1"})
            with second.transaction():  # commits while the first is still open
                second.put_meta({"count": "2"})
    assert second.get_meta()["count"] == "2"
    second.drop()
    first.close()
    second.close()


def test_opening_errors_say_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="no such index"):
        open_store(str(tmp_path / "missing.db"))
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        open_store(str(tmp_path / "junk.db"))
    with pytest.raises(StoreError, match="cannot reach Redis"):
        open_store("redis://127.0.0.1:1/0", "x")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), unique=True, max_size=40))
def test_hashes_pack_and_unpack(values):
    arr = np.sort(np.array(values, dtype=np.uint64))
    assert unpack_hashes(pack_hashes(arr)).tolist() == arr.tolist()


def test_context_digest_sees_only_boilerplate_inside_the_pair():
    a, b = H(1, 2, 3), H(3, 4)
    assert context_digest(H(2, 9), a, b) == context_digest(H(2), a, b) != context_digest(H(4), a, b)
    assert context_digest(H(), a, b) == context_digest(H(9), a, b)


def test_codec_round_trips_what_verification_produces():
    text = " ".join(f"Sentence {n} of the wire story says the talks went on." for n in range(30))
    docs = [Document("a", text, "a"), Document("b", text[:400] + " Comment: a note.", "b", published="2016-01-01")]
    config = Config()
    v = verify_pair(prepare(docs, config, lambda *a: None), 0, 1, config, H())
    assert isinstance(v, Verified) and loads(Verified, dumps(v)) == v
    e = LineageEdge("a", "b", "derived", "forward", 0.1 + 0.2, 1 / 3, 0.5, 1.0,
                    (Passage((0, 5), (1, 6), 2, True),), ("why",), tree=True)
    assert loads(LineageEdge, dumps(e)) == e  # floats exact, tuples restored
    assert len(tokenize(text)) > 0


def test_sqlite_recent_tables_merge_without_changing_what_is_read(tmp_path):
    def build(merge_rows: int) -> tuple:
        s = open_store(str(tmp_path / f"m{merge_rows}.db"), create=True)
        s.merge_rows = merge_rows
        with s.transaction():
            s.insert_document(_doc(1, "a"), bands=H(10, BIG), fingerprints=H(4, 8))
            s.add_frequencies(H(1, 2, BIG), +1, floor=1)
        with s.transaction():
            s.insert_document(_doc(2, "b"), bands=H(10), fingerprints=H(8))
            s.add_frequencies(H(1, 2, 3), np.array([1, 2, 1]), floor=1)
        with s.transaction():
            s.delete_document(s.documents([1])[1], bands=H(10, BIG), fingerprints=H(4, 8))
            s.add_frequencies(H(1, 2, BIG), -1, floor=1)
        got = (s.postings(), s.frequencies(H(1, 2, 3, BIG, 9)).tolist(), s.heavy(1).tolist(), s.counts()["shingles"],
               sorted(s.fingerprint_members(H(4, 8)).tolist()), s.band_members(H(10, BIG)),
               [k.tolist() for k in s.postings_of("band", H(10, BIG))])
        merged = s._db.execute("SELECT count(*) FROM df").fetchone()[0]
        s.close()
        return got, merged

    (always, merged), (never, kept) = build(0), build(10**9)
    assert always == never and merged > 0 and kept == 0
    assert always[1] == [1, 2, 1, 0, 0] and always[2] == [2] and always[3] == 3
    assert always[4] == [2] and always[5] == {2} and always[6] == [[10], [2]]

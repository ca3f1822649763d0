"""Generate a syndication corpus with known lineage from real articles (``lineage synth``).

Each *story* is a random copy tree (depth 1-3, branching 1-4) grown from one
base article: every child is made from its parent by operators seen in real
news (:mod:`lineage.synth_ops`): ``verbatim`` republishing, ``excerpt`` (lead
kept, tail cut at a paragraph boundary), ``expansion`` (1-3 paragraphs of a
base story with related vocabulary inserted after the lead, as a developing
story is updated), ``commentary`` (a marked "Comment:" / "Editor's note:"
paragraph), ``appended`` (an unrelated story pasted after the article),
``rewrite`` (new headline and first sentence), ``spin`` (synonym
substitution), ``copyedit`` (the child outlet's house style: US/UK spelling,
quote marks, numerals, "pct"/"per cent", "mln dlrs" -> "$ million") and
``credit`` (a closing "Source: ..." line). Each document is rendered by its
fake outlet, whose boilerplate (share lines, "Advertisement", bylines,
copyright footers) recurs in all of that outlet's documents.

20-40% of the originals and intermediates are *hidden*: in the truth, not in
the corpus (never one whose removal would leave two visible relatives with
under 30 shared words). *Negatives* are independent reports: a base story of
related vocabulary with 1-3 quotations of a tree's story (its own quotations
when it has any, else sentences put in quotation marks). *Distractors* are
untouched base stories. Every base article is used once, and bases sharing
8-word phrases with an already used one are skipped (Reuters-21578 holds real
re-runs), so documents of different trees share no text except boilerplate,
stock phrases (comment frames, separators, credit lines) and the negatives' quotations.

Output: ``OUT/docs/<id>.txt`` (random ids), ``OUT/metadata.jsonl`` (``id``,
``published``, ``outlet``, ``title``; publication lags minutes to days after
the parent, 10% missing, 10% wrong) and ``OUT/truth.json`` (format in
:mod:`lineage.evaluate`, plus ``params``, ``hidden`` ids, true ``published`` times and
``timestamp_noise``). The same seed gives byte-identical files.

>>> import tempfile, pathlib
>>> tmp = tempfile.TemporaryDirectory()
>>> base = pathlib.Path(tmp.name)
>>> rng = random.Random(0)
>>> for i in range(30):  # random words: distinct stories with six paragraphs each
...     _ = (base / f"s{i}.txt").write_text(f"Story {i}\\n\\n" + "\\n\\n".join(
...         " ".join(f"w{rng.randrange(9999)}" for _ in range(30)) + "." for _ in range(6)))
>>> summary = synthesize([base], base / "out", seed=1, stories=2, docs=12, min_words=40)
>>> summary.documents >= 12, sorted(p.name for p in (base / "out").iterdir())
(True, ['.lineage-synth', 'docs', 'metadata.jsonl', 'truth.json'])
>>> tmp.cleanup()
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from lineage import synth_ops as ops
from lineage.errors import ConfigError
from lineage.eval_truth import truth_forest, truth_pairs
from lineage.synth_base import Base, BasePool, load_bases
from lineage.synth_render import Outlet, make_outlets
from lineage.synth_text import Content, Writer, shared_words
from lineage.synth_write import Node, SynthSummary, write_corpus

__all__ = ["SynthSummary", "synthesize"]

_PRIMARY = (
    ("verbatim", 22),
    ("excerpt", 20),
    ("expansion", 14),
    ("commentary", 14),
    ("appended", 10),
    ("rewrite", 10),
    ("spin", 10),
)
_ORDER = ("rewrite", "excerpt", "expansion", "spin", "commentary", "appended")
# Words a parent and child (or two relatives joined only by hidden documents) must share.
_MIN_SHARED = 30
# An opening mark after a space or line start, a closing one before a non-letter: never the
# text between two quotations.
_QUOTE = re.compile(r"(?:^|(?<=[\s(]))\"(?=\S)[^\"]{30,400}(?<=\S)\"(?!\w)")
_SPEAKER = re.compile(r"^,?\s*((?:[A-Z][\w.'-]*\s?){1,4})\s(?:said|told|added)")


def _choose_ops(rng: random.Random) -> list[str]:
    names, weights = zip(*_PRIMARY)
    chosen = {rng.choices(names, weights)[0]} - {"verbatim"}
    if rng.random() < 0.3:
        chosen.add(rng.choice(("excerpt", "commentary", "appended", "rewrite", "expansion")))
    return [op for op in _ORDER if op in chosen]


def _aside(pool: BasePool, rng: random.Random) -> str | None:
    """One or two sentences of an unused base story, for a blogger's comment (None if none left)."""
    try:
        donor = pool.take(long=False)
    except ConfigError:
        return None
    sentences = [
        m.group(0)
        for para in donor.paragraphs[1:] or donor.paragraphs  # the lead holds the dateline
        for m in re.finditer(r"(?:^|(?<=[.!?] ))[A-Z][^.!?<>]{30,240}[.!?](?= |$)", para)
    ]
    if not sentences:
        return None
    start = rng.randrange(len(sentences))
    return " ".join(sentences[start : start + rng.randint(1, 2)])


def _outlet_for(names: list[str], outlets: dict[str, list[Outlet]], rng: random.Random) -> Outlet:
    if "spin" in names:
        return rng.choice(outlets["farm"])  # spinning is what content farms do
    if "commentary" in names:
        return rng.choice(outlets["blog"])
    kind = rng.choices(("site", "wire", "blog", "farm"), (60, 10, 15, 15))[0]
    return rng.choice(outlets[kind])


def _derive(
    parent: Node,
    root: Node,
    outlets: dict[str, list[Outlet]],
    rng: random.Random,
    pool: BasePool,
    tag: str,
) -> tuple[Content, str, Outlet]:
    """Make a child (content, label, outlet) from its parent, retrying operator sets that keep too little."""
    for attempt in range(5):
        names = _choose_ops(rng) if attempt < 4 else []
        content, applied = parent.content, []
        for name in names:
            new: Content | None = None
            if name == "excerpt":
                new = ops.excerpt(content, rng)
            elif name in ("expansion", "appended"):
                try:  # a small base set may run out of donors: then the operator is skipped
                    donor = (
                        pool.take_related(root.base)
                        if name == "expansion"
                        else pool.take(long=rng.random() < 0.5)
                    )
                except ConfigError:
                    continue
                if name == "expansion":
                    new = ops.expand(content, rng, donor.content().paragraphs)
                else:
                    new = ops.append_story(
                        content, rng, tag=f"{tag}a{attempt}", other=donor.content()
                    )
            elif name == "commentary":
                new = ops.add_commentary(
                    content, rng, tag=f"{tag}c{attempt}", aside=_aside(pool, rng)
                )
            elif name == "rewrite":
                new = ops.rewrite_lead(content, rng, tag=f"{tag}r{attempt}")
            else:
                new = ops.spin(content, rng, tag=f"{tag}s{attempt}", rate=rng.uniform(0.3, 0.7))
            if new is not None and new != content:
                content, applied = new, applied + [name]
        outlet = _outlet_for(applied, outlets, rng)
        if outlet.style != parent.outlet.style and rng.random() < 0.5:
            edited = ops.copyedit(content, outlet.style, tag=f"{tag}e{attempt}")
            if edited.texts != content.texts:
                content, applied = edited, applied + ["copyedit"]
        if rng.random() < 0.12:
            content = ops.add_credit(
                content, rng, tag=f"{tag}k{attempt}", outlet=parent.outlet.name
            )
            applied.append("credit")
        if shared_words(parent.content, content) >= _MIN_SHARED:
            return content, "+".join(applied) or "verbatim", outlet
    return parent.content, "verbatim", _outlet_for([], outlets, rng)


def _lag(rng: random.Random) -> timedelta:
    # Log-uniform between 5 minutes and 3 days: most copies come within hours.
    return timedelta(minutes=math.exp(rng.uniform(math.log(5), math.log(3 * 24 * 60))))


def _grow_tree(
    t: int,
    root_base: Base,
    nodes: list[Node],
    outlets: dict[str, list[Outlet]],
    rng: random.Random,
    pool: BasePool,
    when: datetime,
) -> list[int]:
    """Grow one copy tree (depth 1-3, the root with 1-4 children) into ``nodes``; return its members."""
    root = Node(
        "tree",
        t,
        None,
        root_base.content(),
        rng.choice(outlets["wire"]),
        root_base.published or when,
        base=root_base,
    )
    nodes.append(root)
    members, frontier, depth = [len(nodes) - 1], [len(nodes) - 1], rng.randint(1, 3)
    for level in range(depth):
        next_frontier = []
        for index in frontier:
            for _ in range(rng.randint(1, 4) if level == 0 else rng.choice((0, 1, 1, 2, 2, 3, 4))):
                if len(members) >= 30:
                    break
                parent = nodes[index]
                content, label, outlet = _derive(
                    parent, root, outlets, rng, pool, tag=f"t{t}n{len(members)}"
                )
                nodes.append(
                    Node("tree", t, index, content, outlet, parent.published + _lag(rng), label)
                )
                members.append(len(nodes) - 1)
                next_frontier.append(len(nodes) - 1)
        frontier = next_frontier
    return members


def _hide(members: list[int], nodes: list[Node], fraction: float, rng: random.Random) -> None:
    """Hide originals and intermediates, then unhide any that would cut two relatives apart."""
    internal = [i for i in members if any(nodes[j].parent == i for j in members)]
    for i in internal:
        nodes[i].hidden = rng.random() < fraction
    ids = {i: str(i) for i in members}
    while True:
        truth = {
            "nodes": [ids[i] for i in members if not nodes[i].hidden],
            "edges": [
                [ids[nodes[i].parent], ids[i], ""] for i in members if nodes[i].parent is not None
            ],
        }
        forest = truth_forest(truth)
        bad = [
            p
            for p in truth_pairs(forest)
            if p.kind != "direct"
            and shared_words(nodes[int(p.source)].content, nodes[int(p.target)].content)
            < _MIN_SHARED
        ]
        if not bad:
            return
        for p in bad[:1]:
            for v in (p.source, p.target):
                for h in forest.hidden_chain(v)[0]:
                    nodes[int(h)].hidden = False


def _negative(
    root: Node, pool: BasePool, rng: random.Random, outlets: dict[str, list[Outlet]], tag: str
) -> Node | None:
    """An independent report: a related base story carrying 1-3 quotations of the root story."""
    write = Writer(tag)
    candidates = []  # (words inside the quotation marks, speaker if the story names one)
    for para in root.content.paragraphs:
        piece = para[0]
        for m in _QUOTE.finditer(piece.text):
            inner = m.group(0)[1:-1].rstrip(",. ")
            speaker = _SPEAKER.match(piece.text[m.end() :])
            candidates.append(
                (
                    piece.cut(m.start() + 1, m.start() + 1 + len(inner)),
                    speaker.group(1).strip() if speaker else None,
                )
            )
    if not candidates:  # no quotations: quote whole sentences, as if the speaker had said them
        for para in root.content.paragraphs[1:]:
            for m in re.finditer(r"[A-Z][^.!?\"]{60,300}(?=[.!?](?:\s|$))", para[0].text):
                if not re.search(r"\b(?:said|says|told|added|according)\b", m.group(0)):
                    candidates.append((para[0].cut(m.start(), m.end()), None))
    if not candidates:
        return None
    try:
        donor = pool.take_related(root.base)
    except ConfigError:
        return None
    paragraphs = list(donor.content().paragraphs)
    for inner, speaker in rng.sample(candidates, rng.randint(1, min(3, len(candidates)))):
        who = (
            speaker
            if speaker and speaker.split()[0] not in ("He", "She", "They", "It")
            else ops.story_entity(root.content, rng)
        )
        if rng.random() < 0.5:
            ending = rng.choice(
                ("{w} said.", "{w} told reporters.", "said {w}.", "{w} said in a statement.")
            )
            pieces = (write('"'), inner, write(',"' + " " + ending.format(w=who)))
        else:
            opener = rng.choice(
                ("", "Meanwhile, ", "Separately, ", "Earlier, ", "Speaking to reporters, ")
            )
            pieces = (write(f'{opener}{who} said: "'), inner, write('."'))
        paragraphs.insert(rng.randint(1, len(paragraphs)), pieces)
    when = root.published + timedelta(hours=rng.uniform(-2, 30))
    return Node(
        "negative",
        root.tree,
        None,
        Content(donor.content().title, tuple(paragraphs)),
        rng.choice(outlets["site"]),
        when,
    )


def synthesize(
    base_paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    seed: int = 0,
    stories: int | None = None,
    docs: int = 200,
    hidden_fraction: tuple[float, float] = (0.2, 0.4),
    timestamps: bool = True,
    min_words: int = 150,
) -> SynthSummary:
    """Write a synthetic syndication corpus with its ground truth.

    Args:
        base_paths: folders of ``.txt`` articles (recursive) or the Reuters-21578 folder.
        out_dir: output folder; ``docs/``, ``metadata.jsonl`` and ``truth.json`` are written there.
        seed: the random seed; the same seed and inputs give byte-identical output.
        stories: number of copy trees; by default trees are grown until they fill ~60% of ``docs``.
        docs: target number of documents; negatives and distractors fill the rest.
        hidden_fraction: range the share of hidden originals/intermediates is drawn from.
        timestamps: write ``published`` in metadata.jsonl.
        min_words: smallest body a tree's base story may have.

    Returns:
        A :class:`SynthSummary` of the counts written.

    Raises:
        InputError: no usable base text. ConfigError: bad sizes, or the bases run out.
        OutputError: ``out_dir`` cannot be written or holds unrelated files.

    Example: see the module docstring.
    """
    if docs < 1 or (stories is not None and stories < 1):
        raise ConfigError(
            f"--docs {docs} / --stories {stories} must be positive", fix="use e.g. --docs 2000"
        )
    lo, hi = hidden_fraction
    if not 0.0 <= lo <= hi < 1.0:
        raise ConfigError(
            f"hidden fraction range {hidden_fraction} is not within [0, 1)",
            fix="use e.g. (0.2, 0.4)",
        )
    bases = load_bases(base_paths, min_words=min_words)
    rng = random.Random(seed)
    pool = BasePool(bases, random.Random(rng.getrandbits(64)), min_words=min_words)
    outlets = make_outlets(random.Random(rng.getrandbits(64)))
    fraction = rng.uniform(lo, hi)
    fallback = datetime(2016, 1, 1, tzinfo=timezone.utc)
    nodes: list[Node] = []
    trees: list[list[int]] = []
    visible = 0
    while (stories is None and visible < 0.6 * docs) or (
        stories is not None and len(trees) < stories
    ):
        when = fallback + timedelta(minutes=rng.randrange(8 * 365 * 24 * 60))
        members = _grow_tree(len(trees), pool.take(long=True), nodes, outlets, rng, pool, when)
        _hide(members, nodes, fraction, rng)
        trees.append(members)
        visible += sum(not nodes[i].hidden for i in members)
        if rng.random() < 0.5:
            for k in range(rng.randint(1, 2)):
                neg = _negative(nodes[members[0]], pool, rng, outlets, tag=f"t{len(trees)}q{k}")
                if neg:
                    nodes.append(neg)
                    visible += 1
    while visible < docs:
        base = pool.take(long=rng.random() < 0.6)
        when = base.published or fallback + timedelta(minutes=rng.randrange(8 * 365 * 24 * 60))
        nodes.append(
            Node(
                "distractor",
                -1,
                None,
                base.content(),
                rng.choice(outlets["wire"] + outlets["site"]),
                when,
            )
        )
        visible += 1
    return write_corpus(
        nodes,
        out_dir,
        rng=rng,
        timestamps=timestamps,
        params={
            "seed": seed,
            "stories": len(trees),
            "docs": docs,
            "hidden_fraction": round(fraction, 4),
            "timestamps": timestamps,
            "min_words": min_words,
            "base": [str(p) for p in base_paths],
        },
    )

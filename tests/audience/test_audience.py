"""The crowd: deterministic by seed, the declared statistics, two builders that agree, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from simulator.audience import build_audience
from simulator.audience.crowd import spec_from
from simulator.cli.main import main
from simulator.errors import BackfireError
from tests.conftest import mutate


def crowd(askjpm, seed=1, size=20_000, method="numpy"):
    return build_audience(askjpm, seed, size, method=method)


def fingerprint(a) -> str:
    import hashlib

    h = hashlib.sha256()
    for arr in (a.segment, a.stance, a.activity, a.graph.indptr, a.graph.indices, a.graph.brand_followers):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(json.dumps([a.identity(i).handle for i in range(0, a.size, 997)]).encode())
    return h.hexdigest()


def test_same_seed_same_crowd_across_processes(askjpm):
    here = fingerprint(crowd(askjpm, seed=5))
    code = (
        "from tests.audience.test_audience import fingerprint;"
        "from simulator.scenario import resolve;"
        "from simulator.audience import build_audience;"
        "print(fingerprint(build_audience(resolve('askjpm').scenario, 5, 20000, method='numpy')))"
    )
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert here == there


def test_other_seed_other_crowd(askjpm):
    a, b = crowd(askjpm, seed=1), crowd(askjpm, seed=2)
    assert fingerprint(a) != fingerprint(b)
    assert a.identity(10).handle != b.identity(10).handle or a.identity(11).handle != b.identity(11).handle


def test_identity_is_stable_and_hubs_use_their_declared_handles(askjpm):
    a = crowd(askjpm)
    assert a.identity(123) == a.identity(123)
    assert a.identity(a.hubs["occupy_hub"]).handle == "@OccupyTheBanks"
    assert a.identity(a.hubs["wire"]).name == "Market Wire"


def _pattern_regex(pattern: str):
    import re

    return re.compile("^" + re.sub(r"\\\{\w+\\\}", ".+", re.escape(pattern)) + "$")


@pytest.mark.parametrize("scenario_id", ["askjpm", "askseaworld", "askbg"])
def test_outlets_and_groups_are_named_from_their_segments_patterns(scenario_id):
    from simulator.scenario import resolve

    sc = resolve(scenario_id).scenario
    a = build_audience(sc, 3, 5_000)
    hubs = set(a.hubs.values())
    checked = 0
    for s, seg in enumerate(sc.audience.segments):
        if not seg.names:
            continue
        names = [_pattern_regex(p) for p in seg.names]
        bios = [_pattern_regex(p) for p in seg.bios]
        for i in range(int(a.seg_start[s]), int(a.seg_start[s + 1])):
            if i in hubs:
                continue
            ident = a.identity(i)
            assert any(r.match(ident.name) for r in names), (seg.id, ident.name)
            assert any(r.match(ident.bio) for r in bios), (seg.id, ident.bio)
            checked += 1
    assert checked > 100


def test_without_patterns_groups_get_plain_names_not_another_cases(askjpm):
    """The built-in group names carry no case (no 'Occupy' for an animal-rights crowd)."""
    seg = askjpm.audience.segments[[s.id for s in askjpm.audience.segments].index("activists")]
    plain = askjpm.model_copy(
        update={
            "audience": askjpm.audience.model_copy(
                update={
                    "segments": [
                        s if s is not seg else s.model_copy(update={"names": [], "bios": []})
                        for s in askjpm.audience.segments
                    ]
                }
            )
        }
    )
    a = build_audience(plain, 1, 5_000)
    s = [x.id for x in plain.audience.segments].index("activists")
    names = [a.identity(i).name for i in range(int(a.seg_start[s]), int(a.seg_start[s + 1])) if i not in a.hub_handles]
    assert names and not any(w in n for n in names for w in ("Occupy", "Bank", "Debt"))
    from simulator.audience.names import NAME_PATTERNS

    regs = [_pattern_regex(p) for p in NAME_PATTERNS["group"]]
    hubs = set(a.hubs.values())
    assert all(
        any(r.match(a.identity(i).name) for r in regs)
        for i in range(int(a.seg_start[s]), int(a.seg_start[s + 1]))
        if i not in hubs
    )


def test_declared_places_fill_cities_in_names_bios_and_posts():
    from simulator.audience.names import draw_word
    from simulator.scenario import resolve

    sc = resolve("askbg").scenario
    places = set(sc.audience.places)
    assert places
    a = build_audience(sc, 2, 5_000)
    s = [x.id for x in sc.audience.segments].index("campaigners")
    for i in range(int(a.seg_start[s]), int(a.seg_start[s]) + 200):
        if i in a.hub_handles:
            continue
        ident = a.identity(i)
        assert any(p in ident.name for p in places), ident.name
    rng = np.random.default_rng(0)
    drawn = {draw_word(rng, "city", tuple(sc.audience.places)) for _ in range(200)}
    assert drawn <= places and len(drawn) > 5


def test_segment_shares(askjpm):
    a = crowd(askjpm, size=10_000)
    for s, seg in enumerate(askjpm.audience.segments):
        assert abs((a.segment == s).mean() - seg.share) < 1e-3


def test_stance_and_activity_follow_the_declared_distributions(askjpm):
    a = crowd(askjpm, size=50_000)
    for s, seg in enumerate(askjpm.audience.segments):
        members = a.segment == s
        assert abs(a.stance[members].mean() - seg.stance.mean) < 0.03
        assert abs(a.activity[members].mean() - seg.activity.mean) < 0.05 * seg.activity.mean
    assert a.stance.min() >= -1 and a.stance.max() <= 1


def _mixing_without_hubs(a):
    g = a.graph
    src = g.sources()
    not_hub = ~np.isin(src, list(a.hubs.values()))
    segs = len(a.segment_ids)
    mix = np.zeros((segs, segs))
    np.add.at(mix, (a.segment[g.indices[not_hub]], a.segment[src[not_hub]]), 1)
    return mix / mix.sum(axis=1, keepdims=True)


@pytest.mark.parametrize(("method", "size", "tolerance"), [("numpy", 50_000, 0.04), ("networkx", 5_000, 0.09)])
def test_homophily_matches_declared_rates(askjpm, method, size, tolerance):
    a = crowd(askjpm, size=size, method=method)
    mix = _mixing_without_hubs(a)
    declared = spec_from(askjpm, a.size).follows
    # Repeated follows are dropped; in small segments (150 press accounts at 5,000) that
    # costs a few points of their inside share, less as the crowd grows.
    assert np.abs(mix - declared).max() < tolerance
    inside = np.diag(mix)
    assert np.all(inside > 0.5 * np.diag(declared))


def test_heavy_tail_and_hubs(askjpm):
    a = crowd(askjpm, size=50_000)
    followers = a.graph.followers_count()
    assert followers.max() > 100 * np.median(followers)
    top = set(np.argsort(-followers)[:5].tolist())
    assert set(a.hubs.values()) <= top


def test_brand_followers_as_declared(askjpm):
    a = crowd(askjpm, size=50_000)
    fol = a.graph.brand_followers
    assert np.all(np.diff(fol) > 0)
    for s, seg in enumerate(askjpm.segment_ids()):
        members = a.segment == s
        share = np.isin(np.flatnonzero(members), fol).mean()
        assert abs(share - askjpm.brand.followers.get(seg, 0)) < 0.02


def test_no_self_follows_or_repeats(askjpm):
    a = crowd(askjpm, size=20_000)
    g = a.graph
    src = g.sources()
    assert not np.any(src == g.indices)
    key = src.astype(np.int64) * a.size + g.indices
    assert len(np.unique(key)) == g.edges


@pytest.mark.parametrize("scenario_id", ["askjpm", "askseaworld", "whyistayed"])
def test_matching_segments_at_once_builds_the_same_graph(scenario_id):
    """Big crowds match two target segments at once (threads); the arrays are those of one at a time."""
    from simulator.audience.graph import build_numpy
    from simulator.scenario import resolve

    spec = spec_from(resolve(scenario_id).scenario, 30_000)
    graphs = [build_numpy(spec, np.random.default_rng(11), threads=threads) for threads in (1, 2, 3)]
    for graph, hubs in graphs[1:]:
        assert hubs == graphs[0][1]
        for mine, theirs in zip(
            (graph.indptr, graph.indices, graph.brand_followers),
            (graphs[0][0].indptr, graphs[0][0].indices, graphs[0][0].brand_followers),
            strict=True,
        ):
            np.testing.assert_array_equal(mine, theirs)
    assert graphs[0][0].edges > 30_000  # a real graph, not two empty ones


def test_the_two_builders_agree_statistically(askjpm):
    """networkx's configuration model and the numpy matcher implement one model."""
    size = 2_000
    stats = {}
    for method in ("networkx", "numpy"):
        per_seed = []
        for seed in range(4):
            a = build_audience(askjpm, seed, size, method=method)
            f = a.graph.followers_count()
            per_seed.append(
                (
                    a.graph.edges,
                    np.median(f),
                    np.percentile(f, 90),
                    _mixing_without_hubs(a),
                    len(a.graph.brand_followers),
                )
            )
        stats[method] = per_seed
    nx_edges = np.mean([s[0] for s in stats["networkx"]])
    np_edges = np.mean([s[0] for s in stats["numpy"]])
    assert abs(nx_edges - np_edges) / np_edges < 0.02
    assert abs(np.mean([s[1] for s in stats["networkx"]]) - np.mean([s[1] for s in stats["numpy"]])) <= 1
    assert abs(np.mean([s[2] for s in stats["networkx"]]) - np.mean([s[2] for s in stats["numpy"]])) <= 3
    mix_nx = np.mean([s[3] for s in stats["networkx"]], axis=0)
    mix_np = np.mean([s[3] for s in stats["numpy"]], axis=0)
    assert np.abs(mix_nx - mix_np).max() < 0.02
    # and the networkx builder really produced a DiGraph with those edges
    a = build_audience(askjpm, 0, size, method="networkx")
    g = a.to_networkx()
    assert g.number_of_edges() == a.graph.edges and g.is_directed()


def test_to_networkx_sample_is_induced(askjpm):
    a = crowd(askjpm, size=20_000)
    g = a.to_networkx(sample=500)
    assert g.number_of_nodes() == 500
    for u, v in list(g.edges())[:200]:
        assert v in a.graph.followers_of(u)


@pytest.mark.parametrize(
    ("old", "new", "size", "message"),
    [
        (None, None, -5, "must be a positive number"),
        ("      share: 0.03\n", "      share: 0.0000001\n", 1000, "less than one persona"),
    ],
)
def test_bad_parameters_are_clear_errors(askjpm, tmp_path, old, new, size, message):
    scenario = askjpm
    if old:
        from simulator.scenario import parse_scenario_text

        text = mutate(old, new).replace("    share: 0.50\n", "    share: 0.5299999\n")
        scenario = parse_scenario_text(text.replace("      share: 0.50\n", "      share: 0.5299999\n"), "x.yaml")
    with pytest.raises(BackfireError, match=message):
        build_audience(scenario, 1, size)


def test_unknown_follow_segment_names_the_field(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(mutate("      follows: {press: 0.60,", "      follows: {media: 0.60,"), encoding="utf-8")
    assert main(["audience", str(path)]) == 2
    err = capsys.readouterr().err
    assert "audience.segments[2].follows.media: unknown segment 'media'" in err


def test_follow_rates_that_cannot_be_met_at_a_size(askjpm):
    with pytest.raises(
        BackfireError,
        match=r"audience.segments.students.follows.students: members follow 16.8 accounts .* only 11 personas at size 100",
    ):
        build_audience(askjpm, 1, 100)


def test_follow_shares_that_do_not_sum(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(mutate("      follows: {press: 0.60,", "      follows: {press: 0.90,"), encoding="utf-8")
    assert main(["audience", str(path)]) == 2
    assert "audience.segments[2].follows: follow shares sum to 1.3, expected 1" in capsys.readouterr().err


def test_audience_command_json_and_export(tmp_path, capsys):
    out = tmp_path / "g.graphml"
    assert main(["audience", "askjpm", "--size", "3000", "--seed", "4", "--json", "--export", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["size"] == 3000 and data["seed"] == 4
    assert {r["segment"] for r in data["segments"]} == {
        "students",
        "aggrieved",
        "press",
        "activists",
        "snark",
        "loyalists",
        "public",
    }
    assert data["hubs"][0]["followers"] >= data["hubs"][-1]["followers"]
    import networkx as nx

    g = nx.read_graphml(out)
    assert g.number_of_nodes() == 3000 and g.number_of_edges() == data["edges"]
    assert g.nodes["0"]["segment"] == "students"


def test_size_flag_rejects_nonsense(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["audience", "askjpm", "--size", "-3"])
    assert exc.value.code == 2
    assert "the crowd size must be positive" in capsys.readouterr().err


def test_account_names_read_as_names():
    """`{Word}` draws from words a newsroom or group would use, never Faker's lorem ("Until Not Banks")."""
    from simulator.audience.names import _NAME_WORDS, identity

    names = {identity(1, i, "outlet", names=("The {Word} Ledger",)).name for i in range(300)}
    assert {n.removeprefix("The ").removesuffix(" Ledger") for n in names} <= set(_NAME_WORDS)
    assert len(names) > 10


def test_kept_word_lists_are_fakers_own(tmp_path, monkeypatch):
    """The kept copy of Faker's lists is used only while it matches the installed Faker; otherwise Faker is read."""
    from simulator.audience import wordlists

    live = wordlists.faker_lists()
    kept = wordlists.snapshot_lists()
    if kept is not None:  # the installed Faker's provider files are the ones the copy was read from
        assert kept == live
    stale = tmp_path / "faker_en_US.json"
    stale.write_text(json.dumps({"digest": "0" * 64, "lists": {**live, "first": ["Nobody"]}}), encoding="utf-8")
    monkeypatch.setattr(wordlists, "_SNAPSHOT", stale)
    assert wordlists.snapshot_lists() is None  # another Faker's lists: not used
    stale.write_text("{not json", encoding="utf-8")
    assert wordlists.snapshot_lists() is None
    monkeypatch.setattr(wordlists, "_SNAPSHOT", tmp_path / "fresh.json")
    wordlists.write_snapshot()
    assert wordlists.snapshot_lists() == live


def test_a_personas_words_follow_fakers_weights():
    """Names are drawn by Faker's weights: the commonest last name turns up about as often as its weight says."""
    from simulator.audience.names import identity, words

    w = words()
    top = w.last[int(np.argmax(w.last_p))]
    n = 20_000
    hits = sum(identity(5, i, "person").name.split(" ", 1)[1] == top for i in range(n))
    expected = n * float(w.last_p.max())
    assert abs(hits - expected) < 5 * np.sqrt(expected)
    assert identity(5, 42, "person") == identity(5, 42, "person") != identity(6, 42, "person")

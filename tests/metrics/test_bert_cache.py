"""BERTScore's embedding cache and one-pass layer sweep (bench.metrics.embed_cache, bertscore, bert_engine).

What must hold: a cache never changes a number (warm == cold, bit for bit;
cache on == cache off); a damaged entry is recomputed, never trusted;
concurrent writers agree on one stored value; options that do not touch
embeddings (idf, rescaling, multi-reference policy) embed nothing the second
time; a partly warm run equals the cold one bit for bit (embeddings do not
depend on their batch); ``layer=all`` equals bert-score's ``num_layers=k``
(``batch_size=1``) for every k and a k-layer run, bit for bit. Real data: the first 20 SummEval items (2
documents, 42 unique texts). Every model-loading test is marked slow; the
model loads once per process (bert_engine keeps it).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from bench.data.items import fingerprint
from bench.errors import BenchError
from bench.metrics import bert_engine, embed_cache
from bench.metrics.bertscore import BertScore, BertScoreSpec


N_ITEMS = 20


@pytest.fixture(scope="module")
def items(summeval_items):
    return summeval_items[:N_ITEMS]


def score(items, policy="max_each", **options):
    """name -> MetricResult."""
    metric = BertScore(BertScoreSpec(progress=False, **options))
    return {r.name: r for r in metric.score(items, policy, fingerprint(items))}


def entry_files(root):
    return sorted(p for p in root.rglob("*.safetensors"))


@pytest.fixture(scope="module")
def cold(items, tmp_path_factory):
    """(cache dir, results) of a first run at the default layer into an empty cache."""
    root = tmp_path_factory.mktemp("cold")
    return root, score(items, cache_dir=str(root))


def unique_texts(items):
    return len({t for it in items for t in (it.candidate, *it.references)})


# --- cache on/off, warm/cold ---------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.summeval
def test_warm_run_equals_cold_run_exactly(items, cold):
    root, first = cold
    n = unique_texts(items)
    assert first["bertscore"].notes["cache_miss_texts"] == n == first["bertscore"].notes["embedded_texts"]
    assert len(entry_files(root)) == n
    again = score(items, cache_dir=str(root))["bertscore"]
    assert again.per_item == first["bertscore"].per_item  # exact, not approximate
    assert again.signature == first["bertscore"].signature
    assert (again.notes["cache_hit_texts"], again.notes["cache_miss_texts"], again.notes["embedded_texts"]) == (n, 0, 0)


@pytest.mark.slow
@pytest.mark.summeval
def test_cache_off_writes_nothing_and_gives_the_same_numbers(items, cold, tmp_path):
    off = score(items, cache=False, cache_dir=str(tmp_path))["bertscore"]
    assert list(tmp_path.iterdir()) == []
    assert "cache_hit_texts" not in off.notes and off.notes["embedded_texts"] == unique_texts(items)
    assert off.per_item == cold[1]["bertscore"].per_item
    assert off.signature == cold[1]["bertscore"].signature


@pytest.mark.slow
@pytest.mark.summeval
@pytest.mark.parametrize(
    "policy, options",
    [("max_each", {"idf": True}), ("max", {}), ("mean", {"idf": True}), ("first", {}),
     ("max_each", {"rescale_with_baseline": True})],
    ids=["idf", "max", "mean-idf", "first", "rescale"],
)
def test_scoring_options_reuse_the_embeddings(items, cold, baseline_csv, tmp_path, policy, options):
    root, _ = cold
    if options.get("rescale_with_baseline"):
        options = {**options, "baseline_path": str(baseline_csv)}
    warm = score(items, policy, cache_dir=str(root), **options)["bertscore"]
    assert (warm.notes["cache_miss_texts"], warm.notes["embedded_texts"]) == (0, 0)
    uncached = score(items, policy, cache=False, **options)["bertscore"]
    assert warm.per_item == uncached.per_item


@pytest.fixture(scope="module")
def baseline_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("baseline") / "baseline.tsv"
    path.write_text("LAYER,P,R,F\n" + "".join(f"{k},{0.3 + 0.02 * k},{0.35 + 0.01 * k},{0.33 + 0.015 * k}\n" for k in range(7)))
    return path


# --- damaged entries ---------------------------------------------------------------------------------------------


def damage(files):
    """Five kinds of damage, one file each; returns how many files were damaged."""
    truncated, flipped, garbage, empty, swapped = files[:5]
    truncated.write_bytes(truncated.read_bytes()[:-100])
    data = bytearray(flipped.read_bytes())
    data[-7] ^= 0x01  # one bit of one float: only the checksum can tell
    flipped.write_bytes(bytes(data))
    garbage.write_bytes(b"\x00" * 64)
    empty.write_bytes(b"")
    swapped.write_bytes(files[5].read_bytes())  # a valid entry of another text
    return 5


@pytest.mark.slow
@pytest.mark.summeval
def test_damaged_entries_are_recomputed(items, cold, tmp_path):
    import shutil

    root = tmp_path / "cache"
    shutil.copytree(cold[0], root)
    expected = cold[1]["bertscore"].per_item
    n = damage(entry_files(root))
    twin = tmp_path / "twin"
    shutil.copytree(root, twin)
    repaired = score(items, cache_dir=str(root))["bertscore"]
    assert score(items, cache_dir=str(twin))["bertscore"].per_item == repaired.per_item  # partly warm: deterministic
    assert (repaired.notes["cache_damaged_texts"], repaired.notes["cache_miss_texts"], repaired.notes["embedded_texts"]) == (n, n, n)
    # The 5 texts were re-embedded in batches of their own, and still give exactly the cold run's bits.
    assert repaired.per_item == expected
    after = score(items, cache_dir=str(root))["bertscore"]
    assert after.per_item == repaired.per_item and after.notes["cache_damaged_texts"] == 0

    for path in entry_files(root):  # all damaged: re-embedded exactly as the cold run batched them
        path.write_bytes(path.read_bytes()[:50])
    rebuilt = score(items, cache_dir=str(root))["bertscore"]
    assert rebuilt.notes["cache_damaged_texts"] == unique_texts(items)
    assert rebuilt.per_item == expected


# --- the layer sweep ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep(items, tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    return root, score(items, cache_dir=str(root), layer="all")


@pytest.mark.slow
@pytest.mark.summeval
def test_sweep_matches_bert_score_at_every_layer(items, sweep, minilm_path):
    import bert_score

    _, results = sweep
    assert list(results) == [f"bertscore_L{k}" for k in range(1, 7)]
    cands, refs = [it.candidate for it in items], [list(it.references) for it in items]
    for k in range(1, 7):
        result = results[f"bertscore_L{k}"]
        assert result.signature.metric == result.name and result.signature.as_dict()["layer"] == str(k)
        with bert_engine.one_thread():
            p, r, f = bert_score.score(cands, refs, model_type=str(minilm_path), num_layers=k, batch_size=1, nthreads=0)
        expected = list(zip(p.tolist(), r.tolist(), f.tolist()))
        assert list(result.per_item) == expected, f"layer {k}: bench differs from bert_score.score(batch_size=1)"


@pytest.mark.slow
@pytest.mark.summeval
@pytest.mark.parametrize("layer", [1, 4, 6])
def test_one_layer_after_a_sweep_is_warm_and_identical(items, sweep, tmp_path, layer):
    root, results = sweep
    warm = score(items, cache_dir=str(root), layer=layer)["bertscore"]
    assert (warm.notes["cache_miss_texts"], warm.notes["embedded_texts"]) == (0, 0)
    assert warm.per_item == results[f"bertscore_L{layer}"].per_item
    # hidden_states[k] of the 6-layer model is bit for bit the k-layer model's output
    alone = score(items, cache_dir=str(tmp_path), layer=layer)["bertscore"]
    assert alone.per_item == warm.per_item
    assert alone.signature.diff(results[f"bertscore_L{layer}"].signature) == [f"metric: bertscore -> bertscore_L{layer}"]


@pytest.mark.slow
@pytest.mark.summeval
def test_a_sweep_after_one_layer_adds_the_other_layers(items, cold, sweep, tmp_path):
    import shutil

    root = tmp_path / "cache"
    shutil.copytree(cold[0], root)  # layer 5 only
    n = unique_texts(items)
    got = score(items, cache_dir=str(root), layer=[4, 5])
    assert (got["bertscore_L5"].notes["cache_hit_texts"], got["bertscore_L4"].notes["cache_miss_texts"]) == (n, n)
    assert all(got[name].per_item == sweep[1][name].per_item for name in got)
    assert len(entry_files(root)) == n  # still one file per text, now with both layers
    again = score(items, cache_dir=str(root), layer=[4, 5])
    assert all(r.notes["embedded_texts"] == 0 and r.per_item == got[name].per_item for name, r in again.items())


@pytest.mark.slow
@pytest.mark.summeval
def test_a_layer_list_sweeps_those_layers_warm(items, sweep):
    root, results = sweep
    got = score(items, cache_dir=str(root), layer=[5, 2])
    assert list(got) == ["bertscore_L2", "bertscore_L5"]
    assert all(r.notes["cache_miss_texts"] == 0 for r in got.values())
    assert all(got[name].per_item == results[name].per_item for name in got)


@pytest.mark.parametrize(
    "value, expected",
    [(None, None), (3, 3), ("all", "all"), ([5, 2, 5], (2, 5)), ((1,), (1,))],
)
def test_layer_option_values(value, expected):
    assert BertScoreSpec(layer=value).layer == expected


@pytest.mark.parametrize("value", [4.5, "four", True, [], [1, "2"], {"a": 1}])
def test_bad_layer_option(value):
    with pytest.raises(BenchError, match=r"metrics.bertscore.layer=.* is not a valid int, 'all' or list of ints"):
        BertScoreSpec(layer=value)


def test_sweep_layers_are_range_checked():
    with pytest.raises(BenchError, match="metrics.bertscore.layer=7 is out of range"):
        BertScore(BertScoreSpec(layer=[1, 7]))
    assert BertScore(BertScoreSpec(layer="all")).names() == tuple(f"bertscore_L{k}" for k in range(1, 7))
    assert BertScore(BertScoreSpec(layer=5)).names() == ("bertscore",)


@pytest.mark.parametrize(
    "override, expected",
    [("metrics.bertscore.layer=all", "all"), ("metrics.bertscore.layer=[3,1]", (1, 3)),
     ("metrics.bertscore.cache=false", None), ("metrics.bertscore.cache_dir=/tmp/x", None)],
)
def test_config_reaches_the_spec(run_config, override, expected):
    spec = run_config(override).metrics["bertscore"]
    assert spec.layer == expected
    assert (spec.cache, spec.cache_dir) == ((False, None) if "cache=" in override else (True, "/tmp/x" if "cache_dir" in override else None))


# --- the store itself, without a model ---------------------------------------------------------------------


def make_entry(seed=0, layers=(1,), n=7, dim=5, truncated=False):
    import torch

    gen = torch.Generator().manual_seed(seed)
    return embed_cache.Entry(torch.randn(len(layers), n, dim, generator=gen), tuple(layers), tuple(range(100, 100 + n)), truncated)


def same(a, b):
    import torch

    return a.layers == b.layers and torch.equal(a.embedding, b.embedding) and a.ids == b.ids and a.truncated == b.truncated


def test_entries_round_trip_bit_for_bit(tmp_path):
    from safetensors.torch import load

    cache = embed_cache.EmbeddingCache(tmp_path, {"k": "v"})
    entry = make_entry(3, layers=(3, 5), truncated=True)
    assert cache.get("text", [3, 5]) is None
    assert same(cache.put("text", entry), entry)
    got = cache.get("text", [5, 4, 3])  # layer 4 was never stored; the layers come in the order asked
    assert got.layers == (5, 3) and torch_equal(got.layer(5), entry.layer(5)) and torch_equal(got.layer(3), entry.layer(3))
    assert same(cache.get("text", [3, 5]), entry)
    assert cache.get("text", [4]) is None
    assert embed_cache.EmbeddingCache(tmp_path, {"k": "other"}).get("text", [3]) is None  # namespaces are separate
    path = cache.path(embed_cache.text_sha256("text"))
    assert path.parent.name == path.name[:2]
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind
    # a plain safetensors file: any safetensors reader opens it
    assert {k: v.shape for k, v in load(path.read_bytes()).items()} == {"ids": (7,), "L3": (7, 5), "L5": (7, 5)}


def torch_equal(a, b):
    import torch

    return torch.equal(a, b)


def test_consecutive_stored_layers_are_read_as_one_view(tmp_path):
    cache = embed_cache.EmbeddingCache(tmp_path, {})
    entry = make_entry(4, layers=(1, 2, 3, 4))
    cache.put("t", entry)
    together = cache.get("t", [2, 3, 4]).embedding  # back to back in the file: a view of the bytes read
    apart = cache.get("t", [1, 3]).embedding  # not adjacent: stacked
    assert together._base is not None and torch_equal(together, entry.embedding[1:])
    assert torch_equal(apart, entry.embedding[[0, 2]])
    together.mul_(2)  # the caller owns what it got (bertscore normalises in place)
    assert same(cache.get("t", [1, 2, 3, 4]), entry)


def test_a_new_layer_is_added_and_stored_layers_win(tmp_path):
    first, second = embed_cache.EmbeddingCache(tmp_path, {}), embed_cache.EmbeddingCache(tmp_path, {})
    a = make_entry(1, layers=(1,))
    assert same(first.put("t", a), a)
    b = make_entry(2, layers=(1, 2))
    stored = second.put("t", b)  # layer 1 is on disk already: the second writer scores with it
    assert stored.layers == (1, 2) and torch_equal(stored.layer(1), a.layer(1)) and torch_equal(stored.layer(2), b.layer(2))
    assert same(first.get("t", [1, 2]), stored)
    assert torch_equal(second.put("t", make_entry(9, layers=(2,))).layer(2), b.layer(2))  # nothing new: the file stays
    same_bits = embed_cache.Entry(stored.embedding.clone(), (1, 2), stored.ids, False)
    assert second.put("t", same_bits) is same_bits  # nothing differs: no copy is made


def test_a_damaged_entry_is_replaced(tmp_path):
    cache = embed_cache.EmbeddingCache(tmp_path, {})
    cache.put("t", make_entry(1))
    path = cache.path(embed_cache.text_sha256("t"))
    path.write_bytes(path.read_bytes()[:-1])
    assert cache.get("t", [1]) is None and cache.rejected == 1
    assert same(cache.put("t", make_entry(2)), make_entry(2))
    assert same(cache.get("t", [1]), make_entry(2))


def test_an_unwritable_cache_only_warns(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = embed_cache.EmbeddingCache(blocker, {})
    entry = make_entry()
    assert cache.put("t", entry) is entry and cache.put("u", entry) is entry
    assert sum("continuing without caching" in r.message for r in caplog.records) == 1


WRITER = textwrap.dedent(
    """
    import sys, torch
    from bench.metrics import embed_cache
    root, seed = sys.argv[1], int(sys.argv[2])
    cache = embed_cache.EmbeddingCache(root, {})
    gen = torch.Generator().manual_seed(seed)
    for i in range(200):
        layers = (1, 2) if seed % 2 else (2, 3)  # writers overlap on layer 2 and each adds a layer of its own
        new = embed_cache.Entry(torch.randn(2, 16, 8, generator=gen), layers, (i,) * 16, False)
        stored = cache.put(f"text {i}", new)
        sys.stdout.write(f"{i} {stored.layer(2).sum().item()!r}\\n")
    """
)


@pytest.mark.slow  # four processes that each import torch
def test_concurrent_writers_agree_on_one_value(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(seed)], stdout=subprocess.PIPE, text=True)
             for seed in range(4)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    cache = embed_cache.EmbeddingCache(tmp_path, {})
    on_disk = {f"{i}": repr(cache.get(f"text {i}", [2]).layer(2).sum().item()) for i in range(200)}
    for out in outputs:  # every process scored with exactly what ended up on disk (layer 2, shared by all)
        assert dict(line.split(" ", 1) for line in out.splitlines()) == on_disk
    assert all(cache.get(f"text {i}", [1, 2, 3]).layers == (1, 2, 3) for i in range(200))  # every layer kept
    assert not list(tmp_path.rglob("*.tmp"))


def test_idf_from_kept_ids_equals_bert_scores(items, minilm_path):
    from bert_score.utils import get_idf_dict

    tokenizer = bert_engine.load_tokenizer(minilm_path, False)
    refs = [r for it in items for r in it.references]
    ids = {t: tokenizer.encode(t.strip(), max_length=512, truncation=True) for t in refs}
    ours, theirs = bert_engine.idf_weights(refs, ids, tokenizer, True), get_idf_dict(refs, tokenizer, nthreads=0)
    assert dict(ours) == dict(theirs) and ours[-1] == theirs[-1]  # -1: a token never seen


# --- matching, without a model -------------------------------------------------------------------------------


def bert_score_matching(refs, hyps, embeddings, idf_of, batch_size):
    """bert-score 0.3.13's matching loop (bert_cos_score_idf after embedding), on given embeddings."""
    import torch
    from bert_score.utils import greedy_cos_idf
    from torch.nn.utils.rnn import pad_sequence

    def pad(texts):  # pad_batch_stats
        embs = [embeddings[t].clone() for t in texts]
        lens = torch.tensor([e.shape[0] for e in embs])
        mask = torch.arange(int(lens.max())).expand(len(texts), -1) < lens.unsqueeze(1)
        return pad_sequence(embs, batch_first=True, padding_value=2.0), mask, pad_sequence([idf_of[t].clone() for t in texts], batch_first=True)

    rows = []
    for start in range(0, len(refs), batch_size):
        p, r, f = greedy_cos_idf(*pad(refs[start : start + batch_size]), *pad(hyps[start : start + batch_size]), False)
        rows.append(torch.stack((p, r, f), dim=-1))
    return torch.cat(rows)


def random_pairs(seed, dim, n_pairs=40):
    import torch

    gen = torch.Generator().manual_seed(seed)
    texts = [f"t{i}" for i in range(12 if n_pairs < 100 else 80)]
    lengths = {t: int(torch.randint(3, 11 if n_pairs < 100 else 90, (1,), generator=gen)) for t in texts}
    embeddings = {t: torch.randn(lengths[t], dim, generator=gen) for t in texts}
    idf_of = {t: torch.rand(lengths[t], generator=gen) for t in texts}
    half = len(texts) // 2
    pick = torch.randint(0, half, (n_pairs,), generator=gen).tolist(), torch.randint(half, len(texts), (n_pairs,), generator=gen).tolist()
    return [texts[i] for i in pick[0]], [texts[i] for i in pick[1]], embeddings, idf_of


def bench_matching(refs, hyps, embeddings, idf_of, workers=1):
    """bench's (P, R, F) [N, 3] of one layer's embeddings."""
    weights = {t: (w / w.sum()).unsqueeze(0) for t, w in idf_of.items()}
    stacked = {t: e.unsqueeze(0).clone() for t, e in embeddings.items()}  # [1 layer, len, dim]; normalised in place
    return bert_engine.match(refs, hyps, bert_engine.unit_vectors(stacked), weights, workers)[:, 0]


@pytest.mark.parametrize("dim", [8, 384])
def test_layers_matched_together_equal_each_layer_alone(dim):
    import torch

    refs, hyps, first, idf_of = random_pairs(dim, dim, n_pairs=300)
    gen = torch.Generator().manual_seed(1)
    layers = [first] + [{t: torch.randn(e.shape, generator=gen) for t, e in first.items()} for _ in range(5)]
    weights = {t: (w / w.sum()).unsqueeze(0) for t, w in idf_of.items()}
    stacked = {t: torch.stack([embeddings[t] for embeddings in layers]) for t in first}
    together = bert_engine.match(refs, hyps, bert_engine.unit_vectors(stacked), weights, 2)
    assert together.shape == (len(refs), 6, 3)
    for j, embeddings in enumerate(layers):
        assert torch.equal(together[:, j], bench_matching(refs, hyps, embeddings, idf_of)), j


@pytest.mark.parametrize("dim", [3, 8, 16, 384])
def test_matching_equals_bert_scores_greedy_cos_idf_on_single_pairs(dim):
    import torch

    refs, hyps, embeddings, idf_of = random_pairs(dim, dim)
    got = bench_matching(refs, hyps, embeddings, idf_of)
    assert torch.equal(got, bert_score_matching(refs, hyps, embeddings, idf_of, batch_size=1))
    # a pair's value does not depend on the other pairs scored with it
    assert torch.equal(bench_matching(refs[::3], hyps[::3], embeddings, idf_of), got[::3])


def test_matching_threads_change_no_bit():
    import torch

    refs, hyps, embeddings, idf_of = random_pairs(7, 384, n_pairs=3 * bert_engine.MATCH_CHUNK)
    threads = torch.get_num_threads()
    one = bench_matching(refs, hyps, embeddings, idf_of, workers=1)
    assert torch.equal(bench_matching(refs, hyps, embeddings, idf_of, workers=3), one)
    assert torch.get_num_threads() == threads  # restored


def test_bert_scores_padded_batches_differ_from_its_single_pairs():
    # Why bench reproduces batch_size=1: with few dimensions, all-negative similarities are common, and bert-score's
    # padded matching counts such a token as 0 when its partner was padded; so its batch-of-64 value depends on the batch.
    refs, hyps, embeddings, idf_of = random_pairs(3, 3)
    single = bert_score_matching(refs, hyps, embeddings, idf_of, batch_size=1)
    batched = bert_score_matching(refs, hyps, embeddings, idf_of, batch_size=64)
    assert (single - batched).abs().max().item() > 1e-3


# --- chunks: memory stays flat, numbers do not move ---------------------------------------------------------


@pytest.mark.parametrize("budget", [2, 3, 5, 100])
def test_chunks_cover_the_pairs_in_order_within_the_budget(budget):
    from bench.metrics.bertscore import chunks

    refs = ["r1", "r1", "r2", "r3", "r3", "r4", "r4", "r4"]
    hyps = ["h1", "h2", "h1", "h3", "h4", "h4", "h5", "h6"]
    got = chunks(refs, hyps, budget)
    assert got[0][0] == 0 and got[-1][1] == len(refs) and all(a[1] == b[0] for a, b in zip(got, got[1:]))
    assert all(len(set(refs[s:e]) | set(hyps[s:e])) <= max(budget, 2) for s, e in got)
    assert (len(got) == 1) == (budget == 100)


@pytest.mark.slow
@pytest.mark.summeval
@pytest.mark.parametrize("cache", [True, False])
def test_chunked_scoring_equals_one_chunk(items, cold, monkeypatch, tmp_path, cache):
    from bench.metrics import bertscore

    expected = cold[1]["bertscore"]
    monkeypatch.setattr(bertscore, "CHUNK_TEXTS", 7)  # 20 items x 11 refs in many chunks, documents cut apart
    got = score(items, cache=cache, cache_dir=str(tmp_path), layer=[2, 5])
    assert got["bertscore_L5"].per_item == expected.per_item
    assert got["bertscore_L5"].notes["unique_texts"] == unique_texts(items)
    if cache:  # each text counted once: a miss where it first appears, then read back by later chunks
        assert got["bertscore_L5"].notes["cache_miss_texts"] == unique_texts(items) == got["bertscore_L5"].notes["embedded_texts"]
        assert got["bertscore_L5"].notes["cache_hit_texts"] == 0
    again = score(items, cache=cache, cache_dir=str(tmp_path), layer=[2, 5])
    assert all(again[name].per_item == got[name].per_item for name in got)


# --- a cached embedding lies where a computed one does -----------------------------------------------------------


@pytest.mark.parametrize("dim", [5, 384])
def test_cached_embeddings_start_where_torch_allocates(tmp_path, dim):
    # the CPU's GEMM rounds by its operands' addresses: a view of the file's bytes at any other offset than a torch
    # allocation's (64 bytes) can match to other bits ("Hello" against "hello" scored 1.0 warm, 0.99999994 cold)
    cache = embed_cache.EmbeddingCache(tmp_path, {})
    for n in range(1, 12):
        text = f"t{n}"
        cache.put(text, make_entry(n, layers=(1, 2, 3, 4, 5, 6), n=n, dim=dim))
        for layers in ([1, 2, 3, 4, 5, 6], [5], [2, 3], [4, 5, 6], [1, 3]):
            got = cache.get(text, layers)
            assert got.embedding.data_ptr() % embed_cache.ALIGN == 0, (n, layers)
            assert torch_equal(got.embedding, make_entry(n, layers=(1, 2, 3, 4, 5, 6), n=n, dim=dim).embedding[[k - 1 for k in layers]])


def test_unit_vectors_of_a_misaligned_view_are_aligned():
    import torch

    block = torch.randn(2 * 3 * 5 + 3)
    view = block[3:].view(2, 3, 5)  # 12 bytes past a torch allocation
    expected = view.clone()
    expected = expected / torch.norm(expected, dim=-1).unsqueeze(-1)
    got = bert_engine.unit_vectors({"t": view})["t"]
    assert got.data_ptr() % embed_cache.ALIGN == 0 and torch.equal(got, expected)


IDENTICAL_PIECES = [  # (candidate, reference): the same word pieces (MiniLM is uncased), so the same embeddings
    ("Hello", "hello"), ("HELLO", "hello"), ("The Cat sat.", "the cat sat."), ("Paris", "paris"),
]
OTHER_PAIRS = [("Hi", "Hello"), ("the cat sat on the mat", "a cat was sitting on the mat"), ("x", "y z"),
               ("A much longer sentence, with more than sixteen word pieces in it, to be batched.",
                "Another much longer sentence, also with more than sixteen word pieces, batched too.")]


@pytest.mark.slow
@pytest.mark.parametrize("layer", [5, "all"], ids=["L5", "all"])
def test_warm_cache_gives_the_cold_bits_for_pairs_of_identical_pieces(tmp_path, layer):
    from bench.data.items import Item

    items = [Item(str(k), c, (r,)) for k, (c, r) in enumerate(IDENTICAL_PIECES + OTHER_PAIRS)]
    off = score(items, "max", cache=False, layer=layer)
    cold = score(items, "max", cache_dir=str(tmp_path), layer=layer)
    warm = score(items, "max", cache_dir=str(tmp_path), layer=layer)
    for name, result in warm.items():
        assert (cold[name].notes["cache_hit_texts"], result.notes["cache_miss_texts"]) == (0, 0)
        assert result.per_item == cold[name].per_item == off[name].per_item, name  # exact, bit for bit

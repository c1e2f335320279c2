"""tdlab.birth.eval (`tdlab birth eval` in process): a tiny run's own weights give back its last test-batch
accuracy and its ablation.json, and the run directory equals the command line's byte for byte (manifest
aside), with the config read from beside the weights in both."""

import json

import tdlab

TINY = {"birth.model.kind": "full", "birth.model.dim": 32, "birth.model.n_heads": 2, "birth.data.seq_length": 32,
        "birth.model.max_length": 32, "birth.optim.batch_size": 8, "birth.optim.max_iters": 20,
        "birth.optim.lr": 0.1, "birth.train.eval_delta": 10, "birth.train.test_batch_size": 12,
        "birth.train.exp_sequences": 1, "birth.train.loss_head_only": False, "birth.train.ablate_head": "1:0"}


def test_eval_returns_the_runs_numbers_and_matches_the_cli(cli, tmp_path):
    run = tdlab.birth.train(overrides=TINY, out=tmp_path / "run", threads=1, progress=False)
    last = json.loads((tmp_path / "run" / "metrics.jsonl").read_text().splitlines()[-1])
    ev = tdlab.birth.eval(tmp_path / "run" / "params.npz", out=tmp_path / "py", threads=1, progress=False)
    assert ev.json["eval"]["acc_end_test"] == last["acc_end_test"]
    assert ev.json["ablation"] == run.json["ablation"]
    cli("birth", "eval", "-j", "1", "--params", tmp_path / "run" / "params.npz", "--out", tmp_path / "cli",
        env_extra={"OPENBLAS_CORETYPE": ev.manifest["blas_core"]})
    names = sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "py").iterdir())
    for name in names:
        if name != "manifest.json":
            assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "py" / name).read_bytes(), name

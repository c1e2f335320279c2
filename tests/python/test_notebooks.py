"""Every notebook executes top to bottom under nbclient from a fresh kernel, and draws its figure."""

import os

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = ("dmft", "birth", "scansnap")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_executes_and_saves_its_figure(root, tmp_path, name, monkeypatch):
    monkeypatch.setenv("TDLAB_NOTEBOOK_PNG_DIR", str(tmp_path))
    monkeypatch.setenv("TDLAB_QUIET", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYTHONPATH", os.path.join(root, "python"))
    nb = nbformat.read(os.path.join(root, "notebooks", f"{name}.ipynb"), as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": os.path.join(root, "notebooks")}})
    client.execute()
    png = tmp_path / f"tdlab_{name}.png"
    assert png.exists() and png.stat().st_size > 10_000
    # Keep a copy to look at (the figures are checked by eye before an issue is resolved).
    keep = os.environ.get("TDLAB_KEEP_NOTEBOOK_PNG")
    if keep:
        os.makedirs(keep, exist_ok=True)
        (tmp_path / f"tdlab_{name}.png").replace(os.path.join(keep, f"tdlab_{name}.png"))

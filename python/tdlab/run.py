"""Loading tdlab run directories: `load_run(path) -> Run`.

A run directory is what every tdlab command writes (config.yaml, manifest.json and the command's files).
Folders that hold other run directories (`tdlab reproduce ...` outputs) load as a Run whose `runs`
maps each sub-folder name to its Run; their arrays, tables and figures are also reachable from the
parent under "sub/name" keys.

Arrays are memory-mapped: every .npy (np.load(mmap_mode="r")) and every member of every .npz that is
stored uncompressed (a read-only np.memmap at the member's offset; compressed members are read).
"""

import csv
import json
import os
import struct
import zipfile

import numpy as np

try:  # optional
    import pandas as _pd
except ImportError:  # pragma: no cover - depends on the machine
    _pd = None

FIGURE_EXTS = (".png", ".svg", ".pdf", ".html")


def _read_yaml(path):
    import yaml

    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def _npz_members(path, mmap):
    """{member name without .npy: array} of an .npz file, memory-mapped where the member is stored."""
    out = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as raw:
        for info in zf.infolist():
            name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if mmap and info.compress_type == zipfile.ZIP_STORED:
                # Local file header: 30 bytes, then the name and the extra field, then the data (the .npy).
                raw.seek(info.header_offset)
                header = raw.read(30)
                name_len, extra_len = struct.unpack("<HH", header[26:30])
                start = info.header_offset + 30 + name_len + extra_len
                raw.seek(start)
                version = np.lib.format.read_magic(raw)
                shape, fortran, dtype = np.lib.format._read_array_header(raw, version)
                offset = raw.tell()
                if dtype.hasobject:
                    raise ValueError(f"{path}: member {info.filename} holds Python objects")
                if int(np.prod(shape)) == 0:
                    out[name] = np.empty(shape, dtype=dtype, order="F" if fortran else "C")
                else:
                    out[name] = np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape,
                                          order="F" if fortran else "C")
            else:
                with zf.open(info) as f:
                    out[name] = np.lib.format.read_array(f, allow_pickle=False)
    return out


def _convert_column(values):
    for kind in (int, float):
        try:
            return np.array([kind(v) for v in values])
        except ValueError:
            continue
    return np.array(values, dtype=object)


def read_table(path):
    """A .csv as a pandas DataFrame when pandas is installed, else a dict {column: NumPy array}
    (int, float, or object for text columns), in file order."""
    with open(path, newline="", encoding="utf-8") as f:
        return read_table_text(f.read())


def read_table_text(text):
    """read_table of the text of a .csv (the tables of an in-memory run)."""
    if _pd is not None:
        import io

        return _pd.read_csv(io.StringIO(text))
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        return {}
    head, body = rows[0], rows[1:]
    return {h: _convert_column([r[k] if k < len(r) else "" for r in body]) for k, h in enumerate(head)}


def read_metrics(path):
    """metrics.jsonl: a list of dicts (one per line), or a pandas DataFrame when pandas is installed."""
    with open(path, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    return _pd.DataFrame.from_records(records) if _pd is not None else records


class Run:
    """One tdlab run directory (or a folder of them), loaded lazily only in that arrays are memory maps.

    Attributes:
      path      absolute path of the directory
      config    dict of config.yaml ({} when absent)
      manifest  dict of manifest.json ({} when absent)
      arrays    {name: ndarray}: "x" for x.npy, "x/m" for member m of x.npz, "sub/x" inside sub-folders
      tables    {name: table} for each .csv (see read_table)
      metrics   metrics.jsonl (see read_metrics), or None
      json      {name: parsed} of each .json other than manifest.json (e.g. "ablation" for ablation.json)
      figures   {name: path} of .png/.svg/.pdf/.html files (name keeps the extension); a run read into
                memory (out=None) holds each file's bytes instead, since its directory is gone
      files     {relative path: absolute path} of every file ({} for a run read into memory)
      runs      {sub-folder: Run} for sub-folders that are run directories or hold some
    run["name"] is run.arrays["name"].
    """

    def __init__(self, path, mmap=True):
        self.path = os.path.abspath(os.fspath(path))
        if not os.path.isdir(self.path):
            raise FileNotFoundError(f"load_run: '{self.path}' is not a directory")
        self.config = {}
        self.manifest = {}
        self.arrays = {}
        self.tables = {}
        self.metrics = None
        self.json = {}
        self.figures = {}
        self.files = {}
        self.runs = {}
        cfg = os.path.join(self.path, "config.yaml")
        if os.path.isfile(cfg):
            self.config = _read_yaml(cfg)
        man = os.path.join(self.path, "manifest.json")
        if os.path.isfile(man):
            with open(man, encoding="utf-8") as f:
                self.manifest = json.load(f)
        for entry in sorted(os.scandir(self.path), key=lambda e: e.name):
            if entry.is_dir():
                if entry.name.endswith(".chunks") or ".partial-" in entry.name:
                    continue  # a resume store or a run in progress, not results
                sub = Run(entry.path, mmap=mmap)
                if not sub.files:
                    continue
                self.runs[entry.name] = sub
                for attr in ("arrays", "tables", "json", "figures", "files"):
                    mine = getattr(self, attr)
                    for k, v in getattr(sub, attr).items():
                        mine[f"{entry.name}/{k}"] = v
            elif entry.is_file():
                self._add_file(entry.name, entry.path, mmap)

    def _add_file(self, name, path, mmap):
        self.files[name] = path
        stem, ext = os.path.splitext(name)
        if ext == ".npy":
            self.arrays[stem] = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
        elif ext == ".npz":
            for k, v in _npz_members(path, mmap).items():
                self.arrays[f"{stem}/{k}"] = v if mmap else np.array(v)
        elif ext == ".csv":
            self.tables[stem] = read_table(path)
        elif name == "metrics.jsonl":
            self.metrics = read_metrics(path)
        elif ext == ".json" and name != "manifest.json":
            with open(path, encoding="utf-8") as f:
                self.json[stem] = json.load(f)
        elif ext in FIGURE_EXTS:
            self.figures[name] = path

    def _detach(self):
        """Keeps nothing that points into the directory (about to be removed): figures become their bytes,
        path None and files {}. Arrays must have been read with mmap=False."""
        for sub in self.runs.values():
            sub._detach()
        for name, path in self.figures.items():
            if isinstance(path, str):
                with open(path, "rb") as f:
                    self.figures[name] = f.read()
        self.path = None
        self.files = {}
        return self

    def __getitem__(self, name):
        try:
            return self.arrays[name]
        except KeyError:
            raise KeyError(f"{name!r}: no such array in {self.path} (have: {', '.join(sorted(self.arrays))})") from None

    def __contains__(self, name):
        return name in self.arrays

    def keys(self):
        return self.arrays.keys()

    def __repr__(self):
        command = self.manifest.get("command", "?")
        return f"Run({self.path!r}, command={command!r}, arrays={len(self.arrays)}, runs={len(self.runs)})"


def load_run(path, mmap=True):
    """Loads the tdlab run directory `path` (see Run). mmap=False reads the arrays into memory."""
    return Run(path, mmap=mmap)

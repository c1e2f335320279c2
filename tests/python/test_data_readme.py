"""data/README.md: every shipped data file has a row, and each row's sha256 is the file's. A folder row
(trained weights) gives the sha256 of the folder's SHA256SUMS, which lists every other file of the folder."""

import hashlib
import os

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "data")


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _rows():
    rows = {}
    with open(os.path.join(DATA, "README.md"), encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 5 or cells[0] in ("file", "---") or set(cells[0]) <= {"-"}:
                continue
            name = cells[0].split(" ")[0]
            rows[name] = cells[-1].split()[-1]
    return rows


def test_every_data_file_has_a_row_with_its_sha256():
    rows = _rows()
    covered = set()
    for name, digest in rows.items():
        path = os.path.join(DATA, name)
        if name.endswith("/"):
            sums = os.path.join(path, "SHA256SUMS")
            assert _sha256(sums) == digest, name
            covered.add(os.path.relpath(sums, DATA))
            with open(sums, encoding="utf-8") as f:
                for line in f:
                    file_digest, file_name = line.split()
                    assert _sha256(os.path.join(path, file_name)) == file_digest, name + file_name
                    covered.add(os.path.relpath(os.path.join(path, file_name), DATA))
        else:
            assert _sha256(path) == digest, name
            covered.add(name)
    shipped = {os.path.relpath(os.path.join(d, f), DATA) for d, _, files in os.walk(DATA) for f in files}
    assert shipped - {"README.md"} == covered

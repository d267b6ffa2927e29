"""Executes every notebook in notebooks-export/ with a real Jupyter kernel (nbclient + ipykernel).

Each notebook loads its study's CSVs through the relative DIR it was exported with (committed results
under docs/results/<study>/), so it runs from a fresh clone. A cell that raises fails the run. The
executed copies are written back only for the notebooks named with --write NAME.ipynb (what a paper
result commits with its outputs); the others stay as exported, without outputs.

    python scripts/run-notebooks.py [--write main_table-paper.ipynb ...]"""
import argparse
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

root = pathlib.Path(__file__).resolve().parent.parent
folder = root / "notebooks-export"
parser = argparse.ArgumentParser(description="Execute the notebooks in notebooks-export/.")
parser.add_argument("--write", action="append", default=[], metavar="NAME.ipynb",
                    help="write this notebook back with its outputs (repeatable)")
write = set(parser.parse_args().write)
notebooks = sorted(folder.glob("*.ipynb"))
missing = sorted(write - {p.name for p in notebooks})
if missing:
    sys.exit(f"--write: no notebook {', '.join(missing)} in {folder}")
if not notebooks:
    sys.exit(f"no notebooks in {folder}")
failed = []
for path in notebooks:
    start = time.time()
    nb = nbformat.read(path, as_version=4)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
        print(f"notebook {path.name}: ok ({time.time() - start:.1f} s)")
        if path.name in write:
            nbformat.write(nb, path)
            print(f"notebook {path.name}: outputs written")
    except Exception as error:  # a cell error, a missing data file, a dead kernel
        print(f"notebook {path.name}: FAILED\n{error}", file=sys.stderr)
        failed.append(path.name)
if failed:
    sys.exit(f"{len(failed)} of {len(notebooks)} notebooks failed: {', '.join(failed)}")

"""Executes every notebook in notebooks-export/ with a real Jupyter kernel (nbclient + ipykernel).

Each notebook loads its study's CSVs through the relative DIR it was exported with (committed results
under docs/results/<study>/), so it runs from a fresh clone. A cell that raises fails the run; the
executed copies are not written back (the committed notebooks stay without outputs)."""
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

root = pathlib.Path(__file__).resolve().parent.parent
folder = root / "notebooks-export"
notebooks = sorted(folder.glob("*.ipynb"))
if not notebooks:
    sys.exit(f"no notebooks in {folder}")
failed = []
for path in notebooks:
    start = time.time()
    nb = nbformat.read(path, as_version=4)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
        print(f"notebook {path.name}: ok ({time.time() - start:.1f} s)")
    except Exception as error:  # a cell error, a missing data file, a dead kernel
        print(f"notebook {path.name}: FAILED\n{error}", file=sys.stderr)
        failed.append(path.name)
if failed:
    sys.exit(f"{len(failed)} of {len(notebooks)} notebooks failed: {', '.join(failed)}")

"""Execute one notebook with the real tslab kernel, cell by cell, and save the executed copy.

tslab reports a failing cell only as stderr text plus an error status (no iopub error
message), so nbclient's own error text is empty. This runner names the failing cell and prints
its source and its stderr. Usage: run_notebook.py IN.ipynb OUT.ipynb [--timeout SECONDS]

--rerun-tagged TAG: right after a cell whose metadata.tags holds TAG has run, run it twice more,
as a reader re-running it in Jupyter would (BOOK_RETRAIN is lifted for the re-runs, so a saved
checkpoint is reused), and fail the run if tf.memory().numTensors is not the same after each run.
The counts go to the cell's metadata (book_run.rerun_tensors).
"""
import argparse
import os
import sys
import time

import re

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def cell_stderr(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append("\n".join(out.get("traceback", [])) or f"{out.get('ename')}: {out.get('evalue')}")
    return "".join(parts).rstrip()


IOPUB_TIMEOUT = 120  # seconds

PROBE = (
    "console.log(`__numTensors=${require('@tensorflow/tfjs').memory().numTensors}`);"
)
LIFT_RETRAIN = (
    "(globalThis as any).__bookRetrain = process.env.BOOK_RETRAIN; delete process.env.BOOK_RETRAIN;"
)
RESTORE_RETRAIN = (
    "if ((globalThis as any).__bookRetrain !== undefined)"
    " process.env.BOOK_RETRAIN = (globalThis as any).__bookRetrain;"
)


def run_hidden(client, source, index):
    """Run a helper cell that is not part of the notebook; return its stdout."""
    cell = nbformat.v4.new_code_cell(source)
    real = client.nb.cells[index]
    try:
        client.execute_cell(cell, index)
    finally:
        client.nb.cells[index] = real  # nbclient stores the executed cell at that index
    return "".join(
        o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream"
    )


def tensor_count(client, index):
    out = run_hidden(client, PROBE, index)
    m = re.search(r"__numTensors=(\d+)", out)
    if not m:
        raise RuntimeError(f"the tensor-count probe printed no count: {out!r}")
    return int(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    ap.add_argument("--kernel", default="tslab")
    ap.add_argument("--progress", action="store_true", help="print each cell's time as it finishes")
    ap.add_argument("--rerun-tagged", default=None, help="re-run cells with this tag, checking tf.memory()")
    args = ap.parse_args()

    nb = nbformat.read(args.input, as_version=4)
    nb_dir = os.path.dirname(os.path.abspath(args.input))
    client = NotebookClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.timeout,
        allow_errors=False,
        # after a cell's reply, wait this long for the rest of its outputs, and fail if they do not
        # come: nbclient's default (4 s, then a warning) silently cut a cell's outputs short when a
        # burst of thousands of outputs met a busy machine
        iopub_timeout=IOPUB_TIMEOUT,
        raise_on_iopub_timeout=True,
        resources={"metadata": {"path": nb_dir}},
    )
    name = os.path.relpath(args.input)
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    failure = None
    t0 = time.time()
    with client.setup_kernel():
        for number, index in enumerate(code_cells, start=1):
            cell = nb.cells[index]
            started = time.time()
            try:
                client.execute_cell(cell, index)
            except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
                kind = {
                    CellTimeoutError: f"timed out after {args.timeout}s",
                    DeadKernelError: "killed the kernel",
                }.get(type(e), "failed")
                failure = (number, index, cell, kind, str(e).strip())
                cell.setdefault("metadata", {})["book_run"] = {"status": "failed", "seconds": round(time.time() - started, 3)}
                break
            tags = cell.get("metadata", {}).get("tags", [])
            if args.rerun_tagged and args.rerun_tagged in tags:
                counts = [tensor_count(client, index)]
                run_hidden(client, LIFT_RETRAIN, index)
                try:
                    for _ in range(2):
                        client.execute_cell(cell, index)
                        counts.append(tensor_count(client, index))
                except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
                    failure = (number, index, cell, "failed when re-run", str(e).strip())
                    cell["metadata"]["book_run"] = {"status": "failed", "seconds": round(time.time() - started, 3)}
                    break
                finally:
                    run_hidden(client, RESTORE_RETRAIN, index)
                cell.setdefault("metadata", {})["book_run_rerun_tensors"] = counts
                if len(set(counts)) != 1:
                    leak = " -> ".join(str(c) for c in counts)
                    failure = (number, index, cell, f"leaks tensors when re-run ({leak})", "")
                    cell["outputs"].append(nbformat.v4.new_output(
                        "stream", name="stderr",
                        text=f"tf.memory().numTensors after the first run and two re-runs: {leak}\n"))
                    cell["metadata"]["book_run"] = {"status": "failed", "seconds": round(time.time() - started, 3)}
                    break
                if args.progress:
                    print(f"  code cell {number} re-run twice: {counts[0]} tensors each time", flush=True)
            # tslab sends no execution_count; number the cells so front ends show In [n].
            if cell.get("execution_count") is None:
                cell["execution_count"] = number
            cell.setdefault("metadata", {})["book_run"] = {"status": "ok", "seconds": round(time.time() - started, 3)}
            if args.progress:
                first = next((l for l in cell.source.splitlines() if l.strip()), "")[:60]
                print(f"  code cell {number}/{len(code_cells)} ok in {time.time() - started:.1f}s  {first}", flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    tmp = args.output + f".tmp-{os.getpid()}"
    nbformat.write(nb, tmp)
    os.replace(tmp, args.output)
    if failure:
        number, index, cell, kind, message = failure
        err = cell_stderr(cell)
        bar = "-" * 70
        sys.stderr.write(
            f"{name}: code cell {number} (cell #{index + 1} of {len(nb.cells)}) {kind}.\n"
            f"{bar}\ncell source:\n{cell.source}\n{bar}\n"
            f"kernel stderr:\n{err or message or '(the kernel wrote nothing to stderr)'}\n{bar}\n"
        )
        return 1
    print(f"{name}: {len(code_cells)} code cells ran in {time.time() - t0:.1f}s -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

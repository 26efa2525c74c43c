#!/usr/bin/env python3
"""Runs the PyTorch comparator (shared/bench/torch/gpt2_bench.py) with its configs' batch size
overridden, and adds the process's peak RSS to every JSON line, so a trl-ts run at another batch
(`gpt2.mjs --batch N`) has a PyTorch row of the same shape and the same fields.

    python torch-batch.py --batch 8 [--torch-bench PATH] -- --config gpt2 --mode train --steps 3
"""
import argparse
import io
import json
import os
import resource
import runpy
import sys
from contextlib import redirect_stdout

parser = argparse.ArgumentParser()
parser.add_argument("--batch", type=int, required=True)
parser.add_argument("--torch-bench", default=os.environ.get("TORCH_BENCH", "/work/shared/bench/torch/gpt2_bench.py"))
ours, _, theirs = " ".join(sys.argv[1:]).partition(" -- ")
args = parser.parse_args(ours.split())

bench_dir = os.path.dirname(os.path.abspath(args.torch_bench))
sys.path.insert(0, bench_dir)
sys.argv = [args.torch_bench, *theirs.split()]
captured = io.StringIO()
module_globals = runpy.run_path(args.torch_bench, run_name="gpt2_bench")
for config in module_globals["CONFIGS"].values():
    config["batch"] = args.batch
with redirect_stdout(captured):
    module_globals["main"]()
peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
for line in captured.getvalue().splitlines():
    record = json.loads(line)
    record["peak_rss_mb"] = round(peak_rss_mb, 1)
    print(json.dumps(record), flush=True)

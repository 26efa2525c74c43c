#!/usr/bin/env bash
# Runs the torch comparator (1 and 2 threads) and our benches (stock wasm, @trl/native, tensorflow) back to
# back, writing JSON lines to $OUT (default bench-results/<UTC time>) and a comparison table.
# Needs `pnpm build` and the comparator's Debian packages (see /work/shared/bench/torch/README.md, outside the repository).
#
#   packages/models/bench/run-all.sh [steps] [warmup]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
torch_bench="${TORCH_BENCH:-/work/shared/bench/torch/gpt2_bench.py}"
steps="${1:-5}"
warmup="${2:-2}"
out="${OUT:-$root/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"
common=(--config tiny small --steps "$steps" --warmup "$warmup")
uptime | tee "$out/uptime.txt"
# Debian's PyTorch 1.13 when installed (python3-torch), PyTorch 2.x when $TORCH2_PYTHON names a Python
# that has it (e.g. a venv from shared/hf-python); the table compares with the faster of them all.
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  for threads in 1 2; do
    /usr/bin/python3 "$torch_bench" --threads "$threads" "${common[@]}" --mode train ppo sample \
      > "$out/torch-${threads}t.jsonl"
  done
fi
if [[ -n "${TORCH2_PYTHON:-}" ]]; then
  for threads in 1 2; do
    "$TORCH2_PYTHON" "$torch_bench" --blas system --threads "$threads" "${common[@]}" --mode train ppo sample \
      > "$out/torch2-${threads}t.jsonl"
  done
fi
# Stock wasm, wasm + @trl/native and tfjs-node's TensorFlow, one after the other (engines.mjs).
node "$here/engines.mjs" "${common[@]}" --mode train sample > "$out/trl-ts.jsonl"
node "$here/engines.mjs" --script "$root/packages/ppo/bench/ppo-step.mjs" "${common[@]}" >> "$out/trl-ts.jsonl"
# The llama config (SmolLM2-135M's shape) against the project-local comparator llama_bench.py, every
# side on the one checkpoint folder (saved by the first Python that has transformers, or by $LLAMA_DIR's owner).
llama_dir="${LLAMA_DIR:-${TMPDIR:-/tmp}/trl-bench-smollm2-135m-shape}"
llama=(--config llama --steps "${LLAMA_STEPS:-2}" --warmup 1 --max-seconds 60 --dir "$llama_dir")
if [[ -n "${TORCH2_PYTHON:-}" ]]; then
  for threads in 1 2; do
    "$TORCH2_PYTHON" "$here/llama_bench.py" --blas system --threads "$threads" --mode train sample "${llama[@]}" \
      > "$out/llama-torch2-${threads}t.jsonl"
  done
fi
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  for threads in 1 2; do
    /usr/bin/python3 "$here/llama_bench.py" --threads "$threads" --mode train sample "${llama[@]}" > "$out/llama-torch-${threads}t.jsonl"
  done
fi
node "$here/engines.mjs" --script "$here/llama.mjs" "${llama[@]}" --mode sample > "$out/llama-trl-ts.jsonl" || true
# Training apart: on wasm it runs the heap out of memory (README), which must not cost the sample rows.
node "$here/engines.mjs" --script "$here/llama.mjs" "${llama[@]}" --mode train >> "$out/llama-trl-ts.jsonl" || true
uptime | tee -a "$out/uptime.txt"
node "$here/compare.mjs" "$out"/*.jsonl | tee "$out/table.md"

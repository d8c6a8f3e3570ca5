#!/usr/bin/env bash
# Runs the same small sync PPO run N times (default 40) with frequent garbage collections and counts the distinct results:
# a reproducible build prints one line. Usage: bench/Pipeline/reproducibility.sh [N] [DIR]
# Each line: how many runs, the first iteration's KL (exactly 0: the policy is the reference), a hash of every metric.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-40}"
dir="${2:-$(mktemp -d)}"
cli="$root/akka-rlhf"
mkdir -p "$dir" && cd "$dir"
cat > run.conf <<'CONF'
akka-rlhf {
  seed = 11
  model { n-layer = 1, n-head = 2, n-embd = 16, block-size = 32 }
  data { vocab = "data/vocab.txt", sft = "data/sft_train.jsonl", preferences = "data/prefs_train.jsonl",
         preferences-eval = "data/prefs_eval.jsonl", prompts = "data/prompts_train.jsonl" }
  sft { steps = 4, batch-size = 8 }
  rm { steps = 4, batch-size = 8 }
  ppo { iterations = 8, prompts-per-iteration = 32, mode = sync, generator { pool-size = 2, max-new-tokens = 6 } }
}
CONF
[ -d data ] || "$cli" demo --write-data data > /dev/null
[ -d sft/model ] || "$cli" train sft --config run.conf --out sft > /dev/null
[ -d rm/model ] || "$cli" train rm --config run.conf --sft sft/model --out rm > /dev/null
for i in $(seq 1 "$runs"); do
  rm -rf ppo
  DOTNET_GCgen0size=0x20000 "$cli" train ppo --config run.conf --sft sft/model --rm rm/model --out ppo > ppo.log 2>&1
  python3 - ppo/report.json <<'PY'
import hashlib, json, sys
report = json.load(open(sys.argv[1]))
series = {s["name"]: [p["value"] for p in s["points"]] for s in report["series"] if s["stage"] == "ppo"}
metrics = {k: v for k, v in series.items() if not k.startswith("t_")}
print("kl1=%r metrics=%s" % (series["kl"][0], hashlib.md5(json.dumps(metrics, sort_keys=True).encode()).hexdigest()[:8]))
PY
done | sort | uniq -c

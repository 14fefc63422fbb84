#!/bin/sh
# Runs one Gauntlet night on the current kubectl context: the sharded sweep
# (shards.yaml), then the merge, baseline diff and gate (report.yaml).
# Exits with the night's verdict: 0 passed, 1 failed. Needs kubectl and
# envsubst; schedule it from any CI or a CronJob.
set -eu
here=$(dirname "$0")

# Waits for a Job to finish; succeeds when it completed, fails when it failed.
finished() {
  while :; do
    state=$(kubectl get "$1" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')
    case " $state " in
      *" Complete "*) return 0 ;;
      *" Failed "*) return 1 ;;
    esac
    sleep 15
  done
}

job=$(kubectl create -f "$here/shards.yaml" -o name) # e.g. job.batch/gauntlet-nightly-x7k2p
RUN=${job#job.batch/}
export RUN
echo "sweep: $RUN"
if ! finished "$job"; then
  echo "a shard failed every retry (exit 2: bad input, or the adapter cannot start); see kubectl logs" >&2
  exit 2
fi

envsubst '${RUN}' < "$here/report.yaml" | kubectl create -f -
verdict=0
finished "job/$RUN-report" || verdict=1
kubectl logs "job/$RUN-report" || true
echo "artefacts: /results/$RUN/{records.jsonl,junit.xml,summary.md,dashboard.html}"
exit "$verdict"

#!/usr/bin/env python3
"""Whole-process comparisons of ecs-tmde with its peers, run by benches/peers.sh.

    compare.py bulk   --bin B --corpus F [--runs N] [--py-runs M] [--node NODE] [--python PY]
    compare.py memory --bin B CORPUS...
    compare.py dir    --bin B --dir D [--runs N] [--check-jsonschema CJ]
    compare.py live   --bin B [--runs N]

Every comparison runs its commands in turn, once per run, so that they share the machine's
state, and reports each command's median wall time and the median over runs of its ratio to
the ecs-tmde command of the same run. Peak RSS is measured by GNU time (/usr/bin/time) when
present, else from the kernel's rusage of the child (which then includes this script's size).
Peers that report their own loop time (read + parse + validate, without process start and
schema compilation) have it shown too. Standard library only.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMAS = os.path.join(ROOT, "schemas", "v3")
PEERS = os.path.join(ROOT, "benches", "peers")


# GNU time measures a child's peak RSS from a small parent: the rusage of a child started by
# this (Python) process would include this process's own resident size, copied at the fork.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(argv, ok=(0,), stdout=subprocess.DEVNULL, cwd=None):
    """Runs argv to completion; returns (wall seconds, peak RSS KiB, stdout text or None)."""
    with tempfile.TemporaryFile() as errf, tempfile.NamedTemporaryFile("r") as rss:
        cmd = [GNU_TIME, "-q", "-f", "%M", "-o", rss.name] + argv if GNU_TIME else argv
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=stdout, stderr=errf, stdin=subprocess.DEVNULL,
                             cwd=cwd)
        out = p.stdout.read() if p.stdout else None
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = code = os.waitstatus_to_exitcode(status)
        if p.stdout:
            p.stdout.close()
        if code not in ok:
            errf.seek(0)
            err = errf.read().decode(errors="replace")[-2000:]
            sys.exit("%s exited %s: %s" % (" ".join(argv), code, err))
        maxrss = usage.ru_maxrss
        if GNU_TIME:
            text = rss.read().strip().splitlines()
            maxrss = int(text[-1]) if text and text[-1].isdigit() else maxrss
    return wall, maxrss, out.decode() if out is not None else None


def fmt_time(s):
    return "%.1f ms" % (s * 1e3) if s < 10 else "%.2f s" % s


def table(title, names, times, base, extra=None):
    """Prints medians and per-run ratios to the `base` command."""
    print("\n## %s (%d runs, commands interleaved)" % (title, len(times[base])))
    print("%-44s %12s %14s %s" % ("command", "median", "x ecs-tmde", "notes"))
    for i, name in enumerate(names):
        t = times[i]
        if not t:
            continue
        pairs = [a / b for a, b in zip(t, times[base])]
        ratio = statistics.median(pairs)
        note = extra[i] if extra else ""
        print("%-44s %12s %14s %s" % (name, fmt_time(statistics.median(t)),
                                      "%.2f" % ratio, note))


def median_or_none(v):
    return statistics.median(v) if v else None


def bulk(a):
    task = os.path.join(SCHEMAS, "task.json")
    cmds = [
        ("ecs-tmde check FILE --endpoint task", [a.bin, "check", a.corpus, "--endpoint", "task"],
         None),
        ("ecs-tmde check FILE (endpoint inferred)", [a.bin, "check", a.corpus], None),
    ]
    for also in a.also:
        name, _, path = also.partition("=")
        cmds.append(("%s check FILE --endpoint task" % name,
                     [path, "check", a.corpus, "--endpoint", "task"], None))
    cmds += [
        ("node validate-ajv.mjs (ajv 8.20, allErrors)",
         [a.node, os.path.join(PEERS, "validate-ajv.mjs"), task, a.corpus], "loop"),
        ("node validate-ajv.mjs --first-error",
         [a.node, os.path.join(PEERS, "validate-ajv.mjs"), task, a.corpus, "--first-error"],
         "loop"),
        ("python validate-jsonschema.py (4.26, formats)",
         [a.python, os.path.join(PEERS, "validate-jsonschema.py"), task, a.corpus], "loop"),
    ]
    names = [c[0] for c in cmds]
    times = [[] for _ in cmds]
    loops = [[] for _ in cmds]
    rss = [[] for _ in cmds]
    for r in range(a.runs):
        for i, (name, argv, kind) in enumerate(cmds):
            if name.startswith("python") and r >= a.py_runs:
                continue
            wall, maxrss, out = run(argv, stdout=subprocess.PIPE if kind else subprocess.DEVNULL)
            times[i].append(wall)
            rss[i].append(maxrss)
            if kind:
                loops[i].append(json.loads(out.strip().splitlines()[-1])["loop_ms"] / 1e3)
        print("run %d/%d done" % (r + 1, a.runs), file=sys.stderr, flush=True)
    # the peers' own loop time against ecs-tmde's whole process, in the same run
    notes = []
    for i in range(len(cmds)):
        parts = ["peak RSS %.1f MiB" % (statistics.median(rss[i]) / 1024)]
        if loops[i]:
            pairs = [lp / b for lp, b in zip(loops[i], times[0])]
            parts.append("loop alone %s = %.2f x ecs-tmde's whole process"
                         % (fmt_time(statistics.median(loops[i])), statistics.median(pairs)))
        notes.append("; ".join(parts))
    docs = sum(1 for line in open(a.corpus, "rb") if line.strip())
    table("bulk: %d documents, %.1f MB (%s)" % (docs, os.path.getsize(a.corpus) / 1e6,
                                                os.path.basename(a.corpus)),
          names, times, 0, notes)
    # how much faster each ecs-tmde build is than each peer (median of per-run ratios)
    print("\nspeed-up (peer time / ecs-tmde time, median over runs; 'loop' = the peer's own "
          "read+parse+validate loop without process start and schema compilation):")
    for j, (name, _, kind) in enumerate(cmds):
        if kind:
            continue
        for i, (peer, _, pkind) in enumerate(cmds):
            if not pkind or not times[i]:
                continue
            whole = statistics.median([p / e for p, e in zip(times[i], times[j])])
            loop = statistics.median([p / e for p, e in zip(loops[i], times[j])])
            print("  %-42s vs %-46s whole %6.2fx   loop %6.2fx" % (name, peer, whole, loop))


def memory(a):
    print("\n## memory: peak RSS of `ecs-tmde check FILE --endpoint task` (%s)"
          % ("GNU time" if GNU_TIME else "rusage, includes this script's size"))
    print("%-40s %10s %10s %12s %10s" % ("corpus", "documents", "MB", "peak RSS", "wall"))
    for path in a.corpora:
        docs = sum(1 for line in open(path, "rb") if line.strip())
        best = None
        for _ in range(a.runs):
            wall, maxrss, _ = run([a.bin, "check", path, "--endpoint", "task"], ok=(0, 1))
            best = (maxrss, wall) if best is None else (max(best[0], maxrss), min(best[1], wall))
        print("%-40s %10d %10.1f %9.1f MiB %10s" % (os.path.basename(path), docs,
                                                    os.path.getsize(path) / 1e6,
                                                    best[0] / 1024, fmt_time(best[1])))


def whole_dir(a):
    files = [f for f in ("container.json", "task.json", "stats.json", "task-stats.json")
             if os.path.isfile(os.path.join(a.dir, f))]
    schema_of = {"container.json": "container.json", "task.json": "task.json",
                 "stats.json": "container-stats.json", "task-stats.json": "task-stats.json"}
    cmds = [("ecs-tmde check DIR", [[a.bin, "check", a.dir]])]
    cmds.append(("check-jsonschema, one run per file (%d)" % len(files),
                 [[a.check_jsonschema, "--schemafile", os.path.join(SCHEMAS, schema_of[f]),
                   os.path.join(a.dir, f)] for f in files]))
    cmds.append(("check-jsonschema task.json only",
                 [[a.check_jsonschema, "--schemafile", os.path.join(SCHEMAS, "task.json"),
                   os.path.join(a.dir, "task.json")]]))
    cmds.append(("ecs-tmde check DIR/task.json", [[a.bin, "check", os.path.join(a.dir,
                                                                               "task.json")]]))
    names = [c[0] for c in cmds]
    times = [[] for _ in cmds]
    for _ in range(a.runs):
        for i, (_, argvs) in enumerate(cmds):
            times[i].append(sum(run(argv)[0] for argv in argvs))
    table("whole process: one recorded task directory (%s: %s)"
          % (os.path.relpath(a.dir, ROOT), ", ".join(files)), names, times, 0)
    # the strictest pairing: one file each
    pairs = [c / e for c, e in zip(times[2], times[3])]
    print("check-jsonschema task.json / ecs-tmde check task.json: median ratio %.1f"
          % statistics.median(pairs))


def live(a):
    mock = subprocess.Popen([a.bin, "mock"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    try:
        url = None
        for line in mock.stdout:
            m = re.match(r"ECS_CONTAINER_METADATA_URI=(\S+)", line)
            if m:
                url = m.group(1)
                break
        if url is None:
            sys.exit("ecs-tmde mock printed no ECS_CONTAINER_METADATA_URI line")
        paths = [url, url + "/task", url + "/stats", url + "/task/stats"]
        curl_one = ["curl", "-sf"]
        for p in paths:
            curl_one += ["-o", os.devnull, p]
        cmds = [
            ("ecs-tmde check URL (default --rate 10)", [[a.bin, "check", url]]),
            ("ecs-tmde check URL --rate 1000", [[a.bin, "check", url, "--rate", "1000"]]),
            ("curl, the 4 URLs in one process", [curl_one]),
            ("curl, the 4 URLs one process each", [["curl", "-sf", "-o", os.devnull, p]
                                                    for p in paths]),
        ]
        # wait until the stats are served (the mock's first sample)
        deadline = time.time() + 10
        while subprocess.call(["curl", "-sf", "-o", os.devnull, url + "/stats"]) != 0:
            if time.time() > deadline:
                sys.exit("the mock serves no stats")
            time.sleep(0.1)
        names = [c[0] for c in cmds]
        times = [[] for _ in cmds]
        for _ in range(a.runs):
            for i, (_, argvs) in enumerate(cmds):
                times[i].append(sum(run(argv)[0] for argv in argvs))
        print("\n(ratios below are to `ecs-tmde check URL --rate 1000`)")
        table("live: the local mock (%s)" % url.split("/v3/")[0], names, times, 1)
        for i in (2, 3):
            pairs = [e / c for e, c in zip(times[1], times[i])]
            print("ecs-tmde --rate 1000 / %s: median %.2f" % (names[i], statistics.median(pairs)))
        pairs = [e / c for e, c in zip(times[0], times[2])]
        print("ecs-tmde default manners / curl one process: median %.2f"
              % statistics.median(pairs))
    finally:
        mock.terminate()
        mock.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what", required=True)
    b = sub.add_parser("bulk")
    b.add_argument("--bin", required=True)
    b.add_argument("--corpus", required=True)
    b.add_argument("--runs", type=int, default=5)
    b.add_argument("--py-runs", type=int, default=3)
    b.add_argument("--node", default="node")
    b.add_argument("--python", default=sys.executable)
    b.add_argument("--also", action="append", default=[], metavar="NAME=BIN",
                   help="another ecs-tmde build to time alongside (e.g. with a patch)")
    m = sub.add_parser("memory")
    m.add_argument("--bin", required=True)
    m.add_argument("--runs", type=int, default=3)
    m.add_argument("corpora", nargs="+")
    d = sub.add_parser("dir")
    d.add_argument("--bin", required=True)
    d.add_argument("--dir", required=True)
    d.add_argument("--runs", type=int, default=15)
    d.add_argument("--check-jsonschema", default="check-jsonschema")
    lv = sub.add_parser("live")
    lv.add_argument("--bin", required=True)
    lv.add_argument("--runs", type=int, default=15)
    a = ap.parse_args()
    {"bulk": bulk, "memory": memory, "dir": whole_dir, "live": live}[a.what](a)


if __name__ == "__main__":
    main()

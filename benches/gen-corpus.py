#!/usr/bin/env python3
"""Generates a deterministic JSON Lines corpus of realistic v3 task metadata responses.

Usage: benches/gen-corpus.py [--tasks N] [--seed S] [--out FILE] [--dir DIR]

Each line is one `/task` response as the ECS agent serialises it (compact JSON, the agent's key
order), with 1 to 10 containers, spread over the platforms the mock scenarios model:

* Fargate 1.4 Linux (awsvpc, containerd ids `<32 hex>-<digits>`, DockerName = Name,
  container Limits `{"CPU": 2}`, task Limits in vCPU, AvailabilityZone and ClockDrift),
* EC2 bridge (64-hex Docker ids, `ecs-<family>-<revision>-<name>-<20 hex>` names, host
  ports, container CPU and Memory),
* EC2 awsvpc (the same plus the `~internal~ecs~pause` container, RESOURCES_PROVISIONED).

Containers have the five `com.amazonaws.ecs.*` labels (and sometimes more), ports, networks,
health checks, volumes; some non-essential containers have exited with an ExitCode and a
FinishedAt. Every document conforms to the schema and the rule catalogue, so the benchmark
measures the path real CI runs take (`ecs-tmde check corpus.jsonl --endpoint task` exits 0).

`--dir DIR` also writes the first task as `DIR/task.json` (pretty-printed, as `record` writes
it) with a matching `container.json`, for the whole-process comparison.

Python standard library only; the same arguments give the same bytes on any machine.
"""

import argparse
import json
import os
import random
import sys

REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2",
           "ap-northeast-1", "sa-east-1"]
FAMILIES = ["web", "api", "orders", "payments", "checkout", "search-indexer", "billing-worker",
            "nginx-sidecar", "reporting", "auth"]
NAMES = ["app", "nginx", "envoy", "log-router", "datadog-agent", "otel-collector", "redis",
         "migrate", "worker", "cron", "xray-daemon", "fluent-bit", "api", "web", "sidecar_proxy"]
IMAGES = ["public.ecr.aws/nginx/nginx:1.27", "redis:7-alpine",
          "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
          "public.ecr.aws/datadog/agent:7", "amazon/aws-xray-daemon:3.x",
          "{account}.dkr.ecr.{region}.amazonaws.com/{family}:2025.{rev}.1",
          "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.5.0-prod",
          "otel/opentelemetry-collector-contrib:0.110.0"]
TWO_SECONDS = 2_000_000_000


def hexs(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def ts(nanos):
    """RFC 3339 with Go's RFC3339Nano formatting (trailing zeros of the fraction trimmed)."""
    secs, frac = divmod(nanos, 1_000_000_000)
    days, sod = divmod(secs, 86400)
    # civil_from_days (Howard Hinnant), for 1970-based days
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    if m <= 2:
        y += 1
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % (y, m, d, sod // 3600, (sod // 60) % 60, sod % 60)
    if frac:
        text += "." + ("%09d" % frac).rstrip("0")
    return text + "Z"


def container(rng, task, i, name, platform, t0):
    fam, rev = task["Family"], task["Revision"]
    if platform == "fargate":
        docker_id = "%s-%d" % (task["_id"], rng.randrange(1, 4_294_967_295))
        docker_name = name
    else:
        docker_id = hexs(rng, 64)
        clean = "".join(c for c in name if c.isalnum() or c == "-")
        docker_name = "ecs-%s-%s-%s-%s" % (fam, rev, clean, hexs(rng, 20))
    image = rng.choice(IMAGES).format(account=task["_account"], region=task["_region"],
                                      family=fam, rev=rev)
    c = {"DockerId": docker_id, "Name": name, "DockerName": docker_name, "Image": image,
         "ImageID": "sha256:" + hexs(rng, 64)}
    if rng.random() < 0.5:
        port = rng.choice([80, 443, 8080, 9000, 3000, 6379, 15000])
        host = port if platform != "bridge" else rng.randrange(32768, 61000)
        c["Ports"] = [{"ContainerPort": port, "Protocol": "tcp", "HostPort": host}]
        if rng.random() < 0.2:
            c["Ports"].append({"ContainerPort": port + 1, "Protocol": "udp",
                               "HostPort": host + 1})
    labels = {
        "com.amazonaws.ecs.cluster": task["Cluster"],
        "com.amazonaws.ecs.container-name": name,
        "com.amazonaws.ecs.task-arn": task["TaskARN"],
        "com.amazonaws.ecs.task-definition-family": fam,
        "com.amazonaws.ecs.task-definition-version": rev,
    }
    for _ in range(rng.choice([0, 0, 1, 2, 4])):
        labels["com.example.%s" % rng.choice(["team", "role", "tier", "owner", "cost-centre"])] = \
            rng.choice(["payments", "logging", "frontend", "platform", "data"])
    c["Labels"] = dict(sorted(labels.items()))
    exited = i > 0 and rng.random() < 0.1
    c["DesiredStatus"] = "RUNNING"
    c["KnownStatus"] = "STOPPED" if exited else "RUNNING"
    if exited:
        c["ExitCode"] = rng.choice([0, 0, 0, 1, 137])
    if platform == "fargate":
        c["Limits"] = {"CPU": 2} if rng.random() < 0.7 else {"CPU": rng.choice([256, 512]),
                                                            "Memory": rng.choice([512, 1024])}
    else:
        c["Limits"] = {"CPU": rng.choice([2, 128, 256, 512, 1024]),
                       "Memory": rng.choice([0, 128, 256, 512, 768, 2048])}
    created = t0 + rng.randrange(0, TWO_SECONDS)
    started = created + rng.randrange(1, TWO_SECONDS)
    c["CreatedAt"] = ts(created)
    c["StartedAt"] = ts(started)
    if exited:
        c["FinishedAt"] = ts(started + rng.randrange(1, 600 * 1_000_000_000))
    c["Type"] = "NORMAL"
    mode = "bridge" if platform == "bridge" else "awsvpc"
    ip = task["_ip"] if mode == "awsvpc" else "172.17.0.%d" % (i + 2)
    c["Networks"] = [{"NetworkMode": mode, "IPv4Addresses": [ip]}]
    if rng.random() < 0.3:
        r = rng.random()
        if r < 0.2:
            c["Health"] = {}
        else:
            c["Health"] = {"status": "HEALTHY" if r < 0.9 else "UNHEALTHY",
                           "statusSince": ts(started + rng.randrange(1, 60 * 1_000_000_000))}
            if r >= 0.9:
                c["Health"]["exitCode"] = 1
                c["Health"]["output"] = "curl: (7) Failed to connect to localhost port 80"
    if rng.random() < 0.25:
        c["Volumes"] = [{"Source": "/var/lib/ecs/data/%s/%d" % (task["_id"], k),
                         "Destination": "/mnt/vol%d" % k} for k in range(rng.randrange(1, 4))]
    return c


def pause_container(rng, task, t0):
    fam, rev = task["Family"], task["Revision"]
    created = t0 - rng.randrange(1, TWO_SECONDS)
    return {
        "DockerId": hexs(rng, 64), "Name": "~internal~ecs~pause",
        "DockerName": "ecs-%s-%s-internalecspause-%s" % (fam, rev, hexs(rng, 20)),
        "Image": "amazon/amazon-ecs-pause:0.1.0", "ImageID": "",
        "Labels": {
            "com.amazonaws.ecs.cluster": task["Cluster"],
            "com.amazonaws.ecs.container-name": "~internal~ecs~pause",
            "com.amazonaws.ecs.task-arn": task["TaskARN"],
            "com.amazonaws.ecs.task-definition-family": fam,
            "com.amazonaws.ecs.task-definition-version": rev,
        },
        "DesiredStatus": "RESOURCES_PROVISIONED", "KnownStatus": "RESOURCES_PROVISIONED",
        "Limits": {"CPU": 2, "Memory": 0},
        "CreatedAt": ts(created), "StartedAt": ts(created + rng.randrange(1, 300_000_000)),
        "Type": "CNI_PAUSE",
        "Networks": [{"NetworkMode": "awsvpc", "IPv4Addresses": [task["_ip"]]}],
    }


def task(rng):
    platform = rng.choices(["fargate", "bridge", "awsvpc"], weights=[5, 3, 2])[0]
    region = rng.choice(REGIONS)
    account = "%012d" % rng.randrange(10**11, 10**12)
    cluster_name = rng.choice(["default", "prod", "staging", "web-prod", "services", "batch"])
    task_id = hexs(rng, 32)
    family = rng.choice(FAMILIES)
    rev = str(rng.randrange(1, 200))
    arn = "arn:aws:ecs:%s:%s:task/%s/%s" % (region, account, cluster_name, task_id)
    cluster = ("arn:aws:ecs:%s:%s:cluster/%s" % (region, account, cluster_name)
               if platform == "fargate" else cluster_name)
    t = {"Cluster": cluster, "TaskARN": arn, "Family": family, "Revision": rev,
         "DesiredStatus": "RUNNING", "KnownStatus": "RUNNING",
         "_id": task_id, "_account": account, "_region": region,
         "_ip": "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))}
    # 2024-01-01T00:00:00Z plus up to two years
    t0 = 1_704_067_200 * 1_000_000_000 + rng.randrange(0, 2 * 365 * 86400) * 1_000_000_000 \
        + rng.randrange(0, 1_000_000_000)
    n = rng.randrange(1, 11)
    names = rng.sample(NAMES, n)
    containers = []
    if platform == "awsvpc":
        containers.append(pause_container(rng, t, t0))
        names = names[: n - 1] if n > 1 else names
    containers += [container(rng, t, i, name, platform, t0 + TWO_SECONDS)
                   for i, name in enumerate(names)]
    t["Containers"] = containers
    if platform == "fargate":
        t["Limits"] = {"CPU": rng.choice([0.25, 0.5, 1, 2, 4]),
                       "Memory": rng.choice([512, 1024, 2048, 4096, 8192])}
    elif rng.random() < 0.5:
        t["Limits"] = {"CPU": rng.choice([0.5, 1, 2]), "Memory": rng.choice([1024, 2048])}
    t["PullStartedAt"] = ts(t0 - rng.randrange(TWO_SECONDS, 5 * TWO_SECONDS))
    t["PullStoppedAt"] = ts(t0 + rng.randrange(0, TWO_SECONDS))
    t["AvailabilityZone"] = region + rng.choice("abc")
    if platform == "fargate":
        t["ClockDrift"] = {"ClockErrorBound": round(rng.uniform(0.1, 2.0), 3),
                           "ReferenceTimestamp": ts(t0 - rng.randrange(0, 60) * 1_000_000_000),
                           "ClockSynchronizationStatus": "SYNCHRONIZED"}
    return {k: v for k, v in t.items() if not k.startswith("_")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="-", help="JSON Lines output (default: stdout)")
    ap.add_argument("--dir", help="also write the first task as DIR/task.json + container.json")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="\n")
    first = None
    for _ in range(args.tasks):
        t = task(rng)
        if first is None:
            first = t
        out.write(json.dumps(t, separators=(",", ":"), ensure_ascii=False))
        out.write("\n")
    if out is not sys.stdout:
        out.close()
    if args.dir and first is not None:
        os.makedirs(args.dir, exist_ok=True)
        with open(os.path.join(args.dir, "task.json"), "w", encoding="utf-8") as f:
            json.dump(first, f, indent=2)
            f.write("\n")
        with open(os.path.join(args.dir, "container.json"), "w", encoding="utf-8") as f:
            json.dump(first["Containers"][-1], f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()

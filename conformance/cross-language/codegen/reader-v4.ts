// Reads what only v4 sends (the task's launch type, each container's ARN, the MAC address of a
// container's first network, the network rates of the stats, the ephemeral storage), through
// the types json-schema-to-typescript generates from schemas/v4/ (into ../build/ts/v4/ by
// gen-types.mjs). Type-checked with `tsc --noEmit -p codegen/tsconfig.json`; never run.
//
// Each `@ts-expect-error` line checks that the types are precise (not `any`, not loose): tsc
// fails when such a line is not an error.

import type {
  Container,
  ContainerStatus,
  ECSTaskMetadataEndpointV4TaskMetadata as TaskMetadata,
  LaunchType,
} from "../build/ts/v4/task";
import type { ECSTaskMetadataEndpointV4ContainerMetadata as ContainerMetadata } from "../build/ts/v4/container";
import type { ECSTaskMetadataEndpointV4ContainerStats as ContainerStats } from "../build/ts/v4/container-stats";
import type { ECSTaskMetadataEndpointV4TaskStats as TaskStats } from "../build/ts/v4/task-stats";
import type { ECSTaskMetadataEndpointV3TaskMetadata as TaskMetadataV3 } from "../build/ts/v3/task";

/** The task's launch type; agents before 1.45.0 do not send it. */
export function launchType(task: TaskMetadata): LaunchType | undefined {
  return task.LaunchType;
}

/** Whether the task runs on Fargate, as it says itself. */
export function onFargate(task: TaskMetadata): boolean {
  return task.LaunchType === "FARGATE";
}

/** Where a task of each launch type runs; the switch is exhaustive over the generated union. */
export function host(lt: LaunchType): string {
  switch (lt) {
    case "EC2":
      return "an EC2 container instance";
    case "FARGATE":
      return "AWS Fargate";
    case "EXTERNAL":
      return "an ECS Anywhere instance";
    case "MANAGED_INSTANCES":
      return "an ECS Managed Instance";
    default: {
      const unknown: never = lt;
      return unknown;
    }
  }
}

/** The ARN of each container of the task that has one, by container name. */
export function containerArns(task: TaskMetadata): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of task.Containers ?? []) {
    if (c.ContainerARN !== undefined) out.set(c.Name, c.ContainerARN);
  }
  return out;
}

/** The MAC address of the first network of a container (awsvpc tasks). */
export function firstMac(c: Container | ContainerMetadata): string | undefined {
  // `Networks` has at least one entry when present (`minItems: 1`): index 0 is a Network.
  return c.Networks?.[0].MACAddress;
}

/** Each container's name, status and first MAC address. */
export function interfaces(task: TaskMetadata): [string, ContainerStatus, string | undefined][] {
  return (task.Containers ?? []).map((c) => [c.Name, c.KnownStatus, firstMac(c)]);
}

/** Received bytes per second of the calling container, once there are two samples. */
export function rxRate(stats: ContainerStats): number | undefined {
  return stats.network_rate_stats?.rx_bytes_per_sec;
}

/** Transmitted bytes per second of each container of the task that has a rate. */
export function txRates(stats: TaskStats): Map<string, number> {
  const out = new Map<string, number>();
  for (const [dockerId, entry] of Object.entries(stats)) {
    if (entry !== null && "cpu_stats" in entry && entry.network_rate_stats !== undefined) {
      out.set(dockerId, entry.network_rate_stats.tx_bytes_per_sec);
    }
  }
  return out;
}

/** Share of the ephemeral storage in use (Fargate Linux 1.4.0 and later). */
export function storageUse(task: TaskMetadata): number | undefined {
  const m = task.EphemeralStorageMetrics;
  return m === undefined ? undefined : m.Utilized / m.Reserved;
}

export function mistakes(task: TaskMetadata, c: Container, v3: TaskMetadataV3): unknown[] {
  // @ts-expect-error: launch types are the agent's upper-case names
  const lower: LaunchType = "fargate";
  // @ts-expect-error: LaunchType is optional (agents before 1.45.0 omit it)
  const lt: LaunchType = task.LaunchType;
  // @ts-expect-error: ContainerARN is optional
  const arn: string = c.ContainerARN;
  // @ts-expect-error: Networks is optional
  const mac = c.Networks[0].MACAddress;
  // @ts-expect-error: MACAddress is a string
  const macNumber: number | undefined = c.Networks?.[0].MACAddress;
  // @ts-expect-error: the v3 types do not describe LaunchType: it is an unknown key there
  const fromV3: LaunchType | undefined = v3.LaunchType;
  return [lower, lt, arn, mac, macNumber, fromV3];
}

// Reads a task's containers, names and statuses, through the types json-schema-to-typescript
// generates from schemas/v3/ (into ../build/ts/v3/ by gen-types.mjs). Type-checked with
// `tsc --noEmit -p codegen/tsconfig.json`; never run.
//
// Each `@ts-expect-error` line checks that the types are precise (not `any`, not loose): tsc
// fails when such a line is not an error.

import type {
  Container,
  ContainerStatus,
  ECSTaskMetadataEndpointV3TaskMetadata as TaskMetadata,
  TaskStatus,
} from "../build/ts/v3/task";
import type {
  ContainerStats,
  ECSTaskMetadataEndpointV3TaskStats as TaskStats,
} from "../build/ts/v3/task-stats";
import type { ECSTaskMetadataEndpointV3ContainerMetadata as ContainerMetadata } from "../build/ts/v3/container";

export interface ContainerLine {
  name: string;
  status: ContainerStatus;
}

/** The name and known status of each container of the task. */
export function containerLines(task: TaskMetadata): ContainerLine[] {
  return (task.Containers ?? []).map((c: Container) => ({ name: c.Name, status: c.KnownStatus }));
}

/** Names of the containers that are running. */
export function running(task: TaskMetadata): string[] {
  return (task.Containers ?? []).filter((c) => c.KnownStatus === "RUNNING").map((c) => c.Name);
}

/** Whether the task has stopped. */
export function stopped(task: TaskMetadata): boolean {
  const status: TaskStatus = task.KnownStatus;
  return status === "STOPPED";
}

/** Exit codes of the containers that exited. */
export function exitCodes(task: TaskMetadata): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of task.Containers ?? []) {
    if (c.ExitCode !== undefined) out.set(c.Name, c.ExitCode);
  }
  return out;
}

/** The calling container's own entry: its DockerId and its image. */
export function self(container: ContainerMetadata): string {
  return `${container.DockerId} ${container.Image}`;
}

/** Total CPU time of each container that has stats (entries are a sample, null or {}). */
export function cpuTotals(stats: TaskStats): Map<string, number> {
  const out = new Map<string, number>();
  for (const [dockerId, entry] of Object.entries(stats)) {
    if (entry !== null && "cpu_stats" in entry) {
      const sample: ContainerStats = entry;
      out.set(dockerId, sample.cpu_stats.cpu_usage.total_usage);
    }
  }
  return out;
}

export function mistakes(task: TaskMetadata, c: Container): unknown[] {
  // @ts-expect-error: container statuses are a closed set of upper-case names
  const status: ContainerStatus = "running";
  // @ts-expect-error: Name is a string
  const name: number = c.Name;
  // @ts-expect-error: Containers is optional (omitted when the agent has no list)
  const first: Container = task.Containers[0];
  // @ts-expect-error: Limits is required on a container, and CPU is a number
  const cpu: string = c.Limits.CPU;
  return [status, name, first, cpu];
}

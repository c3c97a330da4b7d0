import fs from 'node:fs';
import path from 'node:path';

/*
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, self and inclusive time per package or
 * source folder, and the functions with the most inclusive time. Used by bench/api.ts --profile; also on its own:
 *
 *   node -r @swc-node/register bench/api-profile-summary.ts <file.cpuprofile> [requests]
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface TimedEntry {
  name: string;
  ms: number;
  /** Share of the profile's busy time (everything but idle). */
  percent: number;
  msPerRequest?: number;
}

export interface ProfileSummary {
  file: string;
  durationMs: number;
  busyMs: number;
  idleMs: number;
  requests: number | null;
  selfByCategory: TimedEntry[];
  inclusiveByCategory: TimedEntry[];
  topSelf: TimedEntry[];
  topInclusive: TimedEntry[];
}

const SPECIAL = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/** Package (node_modules/<pkg>), source folder (src/<dir>), Node core, V8 builtins or a V8 pseudo-frame. */
function categoryOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (SPECIAL.has(functionName)) return functionName;
  if (url === '') return '(V8 builtins and native)';
  if (url.startsWith('node:')) return 'node core';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const source = /\/(src|bench|migrations)\/([^/]+)/.exec(url);
  if (source) return source[1] === 'src' && source[2]?.includes('.') ? 'src' : `${source[1]}/${source[2]}`;
  return url;
}

function functionLabel(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (SPECIAL.has(name) || frame.url === '') return name;
  const modules = frame.url.lastIndexOf('/node_modules/');
  const file =
    modules !== -1
      ? frame.url.slice(modules + '/node_modules/'.length)
      : frame.url.startsWith('node:')
        ? frame.url
        : path.relative(process.cwd(), frame.url.replace(/^file:\/\//, ''));
  return `${name} ${file}:${frame.lineNumber + 1}`;
}

export function summarizeProfile(file: string, requests: number | null = null, top = 25): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  // Time of sample i: the delta to the next sample (the last one gets the mean interval).
  const deltas = profile.timeDeltas;
  const total = profile.endTime - profile.startTime;
  const mean = total / Math.max(1, profile.samples.length);
  const selfByNode = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    const us = i + 1 < deltas.length ? (deltas[i + 1] as number) : mean;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + us);
  });

  const selfByFunction = new Map<string, number>();
  const selfByCategory = new Map<string, number>();
  const inclusiveByFunction = new Map<string, number>();
  const inclusiveByCategory = new Map<string, number>();
  let idleUs = 0;
  for (const [id, us] of selfByNode) {
    const node = byId.get(id);
    if (!node) continue;
    if (node.callFrame.functionName === '(idle)') idleUs += us;
    const label = functionLabel(node.callFrame);
    selfByFunction.set(label, (selfByFunction.get(label) ?? 0) + us);
    const category = categoryOf(node.callFrame);
    selfByCategory.set(category, (selfByCategory.get(category) ?? 0) + us);
    // Inclusive: each function and category once per stack, however often it recurses.
    const functions = new Set<string>();
    const categories = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame || SPECIAL.has(frame.functionName)) continue;
      functions.add(functionLabel(frame));
      categories.add(categoryOf(frame));
    }
    for (const f of functions) inclusiveByFunction.set(f, (inclusiveByFunction.get(f) ?? 0) + us);
    for (const c of categories) inclusiveByCategory.set(c, (inclusiveByCategory.get(c) ?? 0) + us);
  }
  const busyUs = total - idleUs;
  const entries = (map: Map<string, number>, limit: number, skipSpecial = false) =>
    [...map]
      .filter(([name]) => !(skipSpecial && SPECIAL.has(name)) && name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 100) / 10,
        percent: Math.round((1000 * us) / busyUs) / 10,
        ...(requests ? { msPerRequest: Math.round(us / requests) / 1000 } : {}),
      }));
  return {
    file,
    durationMs: Math.round(total / 1000),
    busyMs: Math.round(busyUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    requests,
    selfByCategory: entries(selfByCategory, 40),
    inclusiveByCategory: entries(inclusiveByCategory, 40, true),
    topSelf: entries(selfByFunction, top),
    topInclusive: entries(inclusiveByFunction, top, true),
  };
}

export function formatSummary(summary: ProfileSummary): string {
  const lines = [
    `CPU profile ${path.relative(process.cwd(), summary.file)}: ${summary.durationMs} ms, busy ${summary.busyMs} ms` +
      (summary.requests
        ? ` (${(summary.busyMs / summary.requests).toFixed(2)} ms per request over ${summary.requests} requests)`
        : ''),
  ];
  const table = (title: string, rows: TimedEntry[]) => {
    lines.push('', title);
    for (const row of rows) {
      const perRequest =
        row.msPerRequest !== undefined ? `${row.msPerRequest.toFixed(3).padStart(8)} ms/req` : '';
      lines.push(
        `${row.percent.toFixed(1).padStart(6)} %  ${row.ms.toFixed(0).padStart(7)} ms ${perRequest}  ${row.name}`,
      );
    }
  };
  table('Self time by package / folder (share of busy time):', summary.selfByCategory.slice(0, 20));
  table(
    'Inclusive time by package / folder (a sample counts for every package on its stack):',
    summary.inclusiveByCategory.slice(0, 20),
  );
  table('Top functions by self time:', summary.topSelf);
  table('Top functions by inclusive time:', summary.topInclusive);
  return lines.join('\n');
}

if (require.main === module) {
  const [file, requests] = process.argv.slice(2);
  if (!file) {
    console.error(
      'Usage: node -r @swc-node/register bench/api-profile-summary.ts <file.cpuprofile> [requests]',
    );
    process.exit(2);
  }
  console.log(formatSummary(summarizeProfile(file, requests ? Number(requests) : null, 30)));
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Where a benchmark child's CPU went: self time from V8 CPU profiles (written by the children when
// DEALFLOW_BENCH_PROFILE_DIR is set, one folder per role, one profile per thread, see
// bench/lib/children.ts), grouped by npm package, by our own top-level folder, and by V8's own
// entries (garbage collection, idle, native code).
//   npx tsx bench/profile.ts <dir> [role]

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; }

const OWN_FOLDERS = ['adapters', 'activities', 'domain', 'schemas', 'services', 'store', 'workflows', 'bench'];

function groupOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') return `(${functionName.replace(/[()]/g, '') || 'native'})`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0] ?? url;
  }
  if (url.startsWith('node:')) return 'node:' + (url.slice(5).split('/')[0] ?? '');
  const own = OWN_FOLDERS.find((folder) => url.includes(`/${folder}/`));
  return own ? `dealflow ${own}/` : url;
}

function selfTimeByGroup(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const group = groupOf(node);
    totals.set(group, (totals.get(group) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

function main(dir: string | undefined, role: string | undefined): void {
  if (!dir) throw new Error('usage: npx tsx bench/profile.ts <dir> [role]');
  const roles = role ? [role] : readdirSync(dir);
  const files = roles.flatMap((r) => readdirSync(path.join(dir, r)).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(r, f)));
  if (files.length === 0) throw new Error(`no .cpuprofile${role ? ` of ${role}` : ''} in ${dir}`);
  for (const file of files) {
    const totals = selfTimeByGroup(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile);
    const idle = totals.get('(idle)') ?? 0;
    const busy = [...totals].filter(([group]) => group !== '(idle)').reduce((sum, [, us]) => sum + us, 0);
    console.log(`\n${file}: busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s`);
    for (const [group, us] of [...totals].filter(([g]) => g !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      console.log(`  ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${group}`);
    }
  }
}

main(process.argv[2], process.argv[3]);

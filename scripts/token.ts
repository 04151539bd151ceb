import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../adapters/config';
import { signToken } from '../services/api/auth';
import { Principal } from '../schemas/http';

// Mints a bearer token for the API, signed with DEALFLOW_JWT_SECRET (or the local development
// secret), and prints only the token:
//   npm run token -- --role institution --org bank-001 [--sub alice] [--ttl 8h]

const USAGE = 'usage: npm run token -- --role enterprise|institution|ops [--org <uscc|institutionId>] [--sub <subject>] [--ttl <seconds|30m|8h|7d>]';

function ttlSeconds(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`--ttl must be seconds or a number with s, m, h or d, got "${text}"`);
  const unit = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      org: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '8h' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const role = values.role;
  const claims = Principal.safeParse({
    role,
    sub: values.sub ?? (values.org ? `${role}:${values.org}` : `${role ?? 'unknown'}`),
    ...(values.org !== undefined ? { org: values.org } : {}),
  });
  if (!claims.success) {
    const problems = claims.error.issues.map((i) => `${i.path.join('.') || 'role'}: ${i.message}`).join('; ');
    throw new Error(`${problems}\n${USAGE}`);
  }
  const config = loadConfig();
  console.log(signToken(claims.data, config.jwt, ttlSeconds(values.ttl)));
}

try {
  main();
} catch (error) {
  console.error(`token: ${error instanceof ConfigError ? error.message : (error as Error).message}`);
  process.exit(1);
}

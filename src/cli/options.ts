// Server settings as command-line flags: every setting in config.ts gets a --kebab-case flag
// that overrides its HOOKRELAY_* variable.
import type { Command } from 'commander';
import { kebab, loadConfig, SETTINGS, type Config, type ConfigKey } from '../config.js';

export function addSettingFlags(cmd: Command, keys: readonly ConfigKey[] = Object.keys(SETTINGS) as ConfigKey[]): Command {
  for (const key of keys) {
    const s = SETTINGS[key];
    cmd.option(`--${kebab(key)} <value>`, `${s.doc} [${s.env}, default ${JSON.stringify(s.default)}]`);
  }
  return cmd;
}

/** Config from the environment plus the flags given to this command. */
export function configFrom(env: NodeJS.ProcessEnv, flags: Record<string, unknown>): Config {
  const overrides: Partial<Record<ConfigKey, string>> = {};
  for (const key of Object.keys(SETTINGS) as ConfigKey[]) {
    const v = flags[key];
    if (typeof v === 'string') overrides[key] = v;
  }
  return loadConfig(env, overrides);
}

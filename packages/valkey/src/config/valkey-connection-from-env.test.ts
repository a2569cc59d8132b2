import { isNavAuthError } from '@nav-auth/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { valkeyConnectionFromEnv } from './valkey-connection-from-env.js';

const configError = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (isNavAuthError(error, 'ERR_CONFIG')) return error;
    throw error;
  }
  throw new Error('no ConfigError');
};

describe('valkeyConnectionFromEnv', () => {
  it('prefers REDIS_URI_<INSTANCE> and reads the VALKEY_ credentials', () => {
    const env = {
      REDIS_URI_TOKENS: 'rediss://valkey-team-tokens-nav-dev.aivencloud.com:26483',
      VALKEY_URI_TOKENS: 'valkeys://valkey-team-tokens-nav-dev.aivencloud.com:26483',
      VALKEY_USERNAME_TOKENS: 'team-app',
      VALKEY_PASSWORD_TOKENS: 'hunter2-secret',
    };
    expect(valkeyConnectionFromEnv('tokens', env)).toEqual({
      url: 'rediss://valkey-team-tokens-nav-dev.aivencloud.com:26483',
      username: 'team-app',
      password: 'hunter2-secret',
    });
  });

  it("rewrites VALKEY_URI_'s valkeys:// and valkey:// schemes, which the clients do not parse", () => {
    expect(valkeyConnectionFromEnv('sessions', { VALKEY_URI_SESSIONS: 'valkeys://h.example:26483' }).url).toBe('rediss://h.example:26483');
    expect(valkeyConnectionFromEnv('sessions', { VALKEY_URI_SESSIONS: 'VALKEY://h.example:6379' }).url).toBe('redis://h.example:6379');
  });

  it('spells the instance as NAIS does in variable names: upper case, other characters as underscores', () => {
    const env = { REDIS_URI_MY_TOKEN_CACHE: 'rediss://h:1', REDIS_USERNAME_MY_TOKEN_CACHE: 'u', REDIS_PASSWORD_MY_TOKEN_CACHE: 'p' };
    expect(valkeyConnectionFromEnv('my-token.cache', env)).toEqual({ url: 'rediss://h:1', username: 'u', password: 'p' });
    expect(valkeyConnectionFromEnv('MY_TOKEN_CACHE', env).url).toBe('rediss://h:1');
  });

  it('names both URI variables when neither is set, and treats empty ones as unset', () => {
    const error = configError(() => valkeyConnectionFromEnv('tokens', { REDIS_URI_TOKENS: '', VALKEY_PASSWORD_TOKENS: 'hunter2-secret' }));
    expect(error.problems[0]?.variable).toBe('REDIS_URI_TOKENS or VALKEY_URI_TOKENS');
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses other schemes and non-URLs without echoing the value', () => {
    for (const uri of ['https://user:hunter2-secret@h:1', 'not a url hunter2-secret'])
      expect(configError(() => valkeyConnectionFromEnv('tokens', { REDIS_URI_TOKENS: uri })).message).not.toContain('hunter2');
    expect(configError(() => valkeyConnectionFromEnv('', {})).problems[0]?.variable).toBe('instance');
  });

  it('never puts a value into an error message', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6 }), (value) => {
        fc.pre(!/^(redis|rediss|valkey|valkeys):\/\//i.test(value));
        const secret = `zz${value}`;
        try {
          valkeyConnectionFromEnv('tokens', { REDIS_URI_TOKENS: secret, VALKEY_PASSWORD_TOKENS: secret });
        } catch (error) {
          expect(String((error as Error).message)).not.toContain(secret);
        }
      }),
    );
  });
});

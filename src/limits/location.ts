/** Checks VIDGATE_REDIS_URL: redis://[user:pass@]host[:port][/db] or rediss://…; returns it unchanged. */
export function checkRedisUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error('must be a URL like redis://127.0.0.1:6379/0'); // not echoed: it may hold a password
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`must start with redis:// or rediss://, got '${u.protocol}//…'`);
  if (!u.hostname) throw new Error('must name a host, e.g. redis://127.0.0.1:6379/0');
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^(?:[0-9]|[1-9][0-9]{1,3})$/.test(db)) throw new Error(`has a database number '${db}' that is not a whole number`);
  return raw;
}

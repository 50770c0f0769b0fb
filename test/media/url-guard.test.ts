import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaError } from '../../src/media/errors.js';
import { blockedAddressReason, checkInputUrlSyntax, resolveAndCheckHost, resolveRedirect } from '../../src/media/url-guard.js';

describe('blockedAddressReason', () => {
  it('blocks loopback, private, CGNAT, link-local/metadata, this-network, multicast, reserved', () => {
    for (const ip of ['127.0.0.1', '127.9.9.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '169.254.169.254', '0.0.0.0', '224.0.0.1', '255.255.255.255', '240.0.0.1']) {
      assert.ok(blockedAddressReason(ip), ip);
    }
  });
  it('blocks IPv6 loopback, link-local, unique-local, multicast and IPv4-mapped/embedded private addresses', () => {
    for (const ip of [
      '::1',
      '::',
      'fe80::1',
      'fe80::1%eth0',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:169.254.169.254',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      '2002:c0a8:101::1',
    ]) {
      assert.ok(blockedAddressReason(ip), ip);
    }
  });
  it('lets public unicast addresses through', () => {
    for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2a00:1450:4001::200e']) {
      assert.equal(blockedAddressReason(ip), null, ip);
    }
  });
});

describe('checkInputUrlSyntax', () => {
  it('refuses non-https, localhost and literal private hosts unless private networks are allowed', () => {
    const refused = [
      'http://example.com/a.png',
      'ftp://example.com/a.png',
      'file:///etc/passwd',
      'https://localhost/a.png',
      'https://api.localhost/a.png',
      'https://127.0.0.1/a.png',
      'https://10.0.0.7/a.png',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/a.png',
      'https://[::ffff:127.0.0.1]/a.png',
      'https://0x7f.0.0.1/a.png', // WHATWG URL normalises this to 127.0.0.1
      'https://2130706433/a.png',
      'not a url',
      'data:image/png;base64,@@@',
    ];
    for (const v of refused) assert.ok(checkInputUrlSyntax(v, false), v);
    assert.equal(checkInputUrlSyntax('https://cdn.example.com/a.png', false), null);
    assert.equal(checkInputUrlSyntax('data:image/png;base64,AAAA', false), null);
    assert.equal(checkInputUrlSyntax('http://127.0.0.1:8080/a.png', true), null);
    assert.equal(checkInputUrlSyntax('https://localhost/a.png', true), null);
    assert.ok(checkInputUrlSyntax('ftp://127.0.0.1/a.png', true), 'private mode still needs http(s)');
  });
});

describe('resolveAndCheckHost', () => {
  const notAllowed = (e: MediaError) => e instanceof MediaError && e.code === 'input_not_allowed';

  it("refuses 'localhost' and names that resolve to loopback/private addresses", async () => {
    await assert.rejects(resolveAndCheckHost('localhost', false), notAllowed);
    await assert.rejects(
      resolveAndCheckHost('media.example', false, async () => [{ address: '127.0.0.1', family: 4 }]),
      notAllowed,
    );
    await assert.rejects(
      resolveAndCheckHost('media.example', false, async () => [{ address: '::1', family: 6 }]),
      notAllowed,
    );
    // One public and one private answer: refused (the attacker picks which one we would connect to).
    await assert.rejects(
      resolveAndCheckHost('media.example', false, async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ]),
      (e: MediaError) => notAllowed(e) && /10\.0\.0\.1/.test(e.message) && /media\.example/.test(e.message),
    );
  });

  it('returns the checked address for public answers and literal IPs', async () => {
    assert.deepEqual(await resolveAndCheckHost('media.example', false, async () => [{ address: '93.184.216.34', family: 4 }]), { address: '93.184.216.34', family: 4 });
    assert.deepEqual(await resolveAndCheckHost('[2606:4700::1]', false), { address: '2606:4700::1', family: 6 });
    await assert.rejects(resolveAndCheckHost('169.254.169.254', false), notAllowed);
    assert.deepEqual(await resolveAndCheckHost('localhost', true), { address: '127.0.0.1', family: 4 });
  });

  it('reports a name that does not resolve as a fetch failure', async () => {
    const fail = async () => {
      throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
    };
    await assert.rejects(resolveAndCheckHost('nothing.invalid', false, fail), (e: MediaError) => e.code === 'input_fetch_failed' && /ENOTFOUND/.test(e.message));
  });
});

describe('resolveRedirect', () => {
  const from = new URL('https://cdn.example.com/a/b.png?sig=secret');
  it('resolves relative locations and allows public https targets', () => {
    assert.equal(resolveRedirect(from, '../c.png', false).href, 'https://cdn.example.com/c.png');
    assert.equal(resolveRedirect(from, 'https://other.example.net/x', false).host, 'other.example.net');
  });
  it('re-checks every target: private literal, metadata, localhost, http, other schemes', () => {
    for (const loc of ['https://127.0.0.1/x', 'https://169.254.169.254/latest', 'https://[::1]/', 'https://localhost:8443/', 'http://cdn.example.com/x', 'file:///etc/passwd', 'https://[::ffff:a9fe:a9fe]/']) {
      assert.throws(
        () => resolveRedirect(from, loc, false),
        (e: MediaError) => e.code === 'input_not_allowed' && !e.message.includes('secret'),
        loc,
      );
    }
    assert.throws(
      () => resolveRedirect(from, undefined, false),
      (e: MediaError) => e.code === 'input_fetch_failed',
    );
    assert.equal(resolveRedirect(from, 'http://127.0.0.1:9/x', true).hostname, '127.0.0.1');
  });
});

describe('URL credentials', () => {
  it('refuses a user name or password with invalid percent-encoding, accepts valid ones', async () => {
    const { checkInputUrlSyntax, userinfo } = await import('../../src/media/url-guard.js');
    assert.match(checkInputUrlSyntax('https://%zz@example.com/a.png', false) ?? '', /percent-encoding/);
    assert.match(checkInputUrlSyntax('https://user:%E0%A4%A@example.com/a.png', false) ?? '', /percent-encoding/);
    assert.equal(checkInputUrlSyntax('https://us%20er:p%40ss@example.com/a.png', false), null);
    assert.equal(userinfo(new URL('https://us%20er:p%40ss@example.com/')), 'us er:p@ss');
    assert.equal(userinfo(new URL('https://example.com/')), '');
  });
});

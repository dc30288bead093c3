import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { canonicalHostEntry, checkResolvedAddress, checkUpstreamUrl, upstreamPolicy } from './upstream-rules.ts'

const ENTRIES = [
  { host: 'api.wf.gov.cn', port: null },
  { host: '*.dc.wf.gov.cn', port: null },
  { host: '10.37.0.0/16', port: null },
  { host: '203.0.113.10', port: 8443 },
  // Stored before the rules refused it (or by hand): loopback stays refused whatever the list says.
  { host: '127.0.0.1', port: null },
]
const policy = upstreamPolicy(ENTRIES, { loopbackForTests: false })

describe('upstream URL rules (SSRF)', () => {
  test('refused URLs, each with the reason the cataloger sees', () => {
    const refused: [string, RegExp][] = [
      ['ftp://api.wf.gov.cn/data', /http:\/\/ 或 https:\/\//],
      ['file:///etc/passwd', /http:\/\/ 或 https:\/\//],
      ['http://user:secret@api.wf.gov.cn/', /用户名或密码/],
      ['http://api.wf.gov.cn@127.0.0.1/', /用户名或密码/],
      ['http://unlisted.gov.cn/', /「unlisted.gov.cn」不在.*允许清单/],
      ['http://dc.wf.gov.cn/', /不在.*允许清单/], // a wildcard covers subdomains only
      ['http://api.wf.gov.cn.evil.cn/', /不在.*允许清单/],
      ['http://127.0.0.1/', /回环地址/],
      ['http://127.0.0.1:8080/', /回环地址/],
      ['http://2130706433/', /回环地址/],
      ['http://0x7f.1/', /回环地址/],
      ['http://0177.0.0.1/', /回环地址/],
      ['http://127.1/', /回环地址/],
      ['http://127.0.0.1./', /回环地址/],
      ['http://%31%32%37.0.0.1/', /回环地址/],
      ['http://[::1]/', /回环地址/],
      ['http://[::ffff:127.0.0.1]/', /回环地址/],
      ['http://[0:0:0:0:0:ffff:7f00:1]/', /回环地址/],
      ['http://[64:ff9b::127.0.0.1]/', /回环地址/],
      ['http://[2002:7f00:1::]/', /回环地址/],
      ['http://localhost/', /本机或云平台元数据/],
      ['http://LOCALHOST./', /本机或云平台元数据/],
      ['http://api.localhost/', /本机或云平台元数据/],
      ['http://169.254.169.254/latest/meta-data/', /元数据地址/],
      ['http://[::ffff:169.254.169.254]/', /元数据地址/],
      ['http://100.100.100.200/', /元数据地址/],
      ['http://[fd00:ec2::254]/', /元数据地址/],
      ['http://metadata.google.internal./', /本机或云平台元数据/],
      ['http://169.254.1.1/', /链路本地地址/],
      ['http://[fe80::1]/', /链路本地地址/],
      ['http://0.0.0.0/', /未指定地址/],
      ['http://0/', /未指定地址/],
      ['http://[::]/', /未指定地址/],
      ['http://224.0.0.1/', /组播/],
      ['http://255.255.255.255/', /保留地址/],
      ['http://[ff02::1]/', /组播/],
      ['http://10.1.2.3/', /内网地址.*未列入/],
      ['http://172.16.0.1/', /内网地址.*未列入/],
      ['http://192.168.1.1/', /内网地址.*未列入/],
      ['http://[fc00::1]/', /内网地址.*未列入/],
      ['http://203.0.113.10/', /不在.*允许清单/], // listed for port 8443 only
      ['http://198.51.100.7/', /不在.*允许清单/],
    ]
    for (const [url, reason] of refused) {
      const checked = checkUpstreamUrl(policy, url)
      assert.equal(checked.ok, false, `${url} was allowed`)
      if (!checked.ok) assert.match(checked.reason, reason, url)
    }
  })

  test('listed hosts, domains, ranges and ports pass, in any letter case or with a trailing dot', () => {
    for (const url of [
      'http://api.wf.gov.cn/x',
      'http://API.WF.GOV.CN./x?a=1',
      'https://a.dc.wf.gov.cn/',
      'https://x.y.dc.wf.gov.cn:9443/',
      'http://10.37.1.20:8080/',
      'https://203.0.113.10:8443/q',
    ]) {
      const checked = checkUpstreamUrl(policy, url)
      assert.ok(checked.ok, `${url}: ${checked.ok ? '' : checked.reason}`)
    }
  })

  test('addresses a listed name resolves to: public passes, internal only inside a listed range, forbidden never', () => {
    assert.equal(checkResolvedAddress(policy, '198.51.100.7', 443), null)
    assert.equal(checkResolvedAddress(policy, '10.37.9.9', 443), null)
    assert.match(checkResolvedAddress(policy, '10.1.1.1', 443)!, /内网地址/)
    assert.match(checkResolvedAddress(policy, '127.0.0.1', 443)!, /回环地址/)
    assert.match(checkResolvedAddress(policy, '::ffff:169.254.169.254', 443)!, /元数据地址/)
    assert.match(checkResolvedAddress(policy, '::1', 443)!, /回环地址/)
    assert.match(checkResolvedAddress(policy, 'not-an-address', 443)!, /无效/)
  })

  test('loopback passes only with the tests-only option and an entry naming it', () => {
    const testing = upstreamPolicy(ENTRIES, { loopbackForTests: true })
    assert.ok(checkUpstreamUrl(testing, 'http://127.0.0.1:4321/').ok)
    assert.equal(checkUpstreamUrl(upstreamPolicy([], { loopbackForTests: true }), 'http://127.0.0.1:4321/').ok, false)
    // Host names for the machine itself stay refused even then.
    assert.equal(checkUpstreamUrl(testing, 'http://localhost:4321/').ok, false)
    assert.equal(checkUpstreamUrl(policy, 'http://127.0.0.1:4321/').ok, false)
  })
})

describe('allow-list entries as SEC_ADMIN types them', () => {
  const options = { loopbackForTests: false }
  test('canonical forms', () => {
    const cases: [string, string][] = [
      ['API.WF.gov.cn.', 'api.wf.gov.cn'],
      ['*.WF.gov.cn', '*.wf.gov.cn'],
      [' 10.37.0.0/16 ', '10.37.0.0/16'],
      ['10.37.1.20', '10.37.1.20'],
      ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
      ['FD12:3456::/32', 'fd12:3456::/32'],
      ['[fd12::1]', 'fd12::1'],
      ['167772161', '10.0.0.1'], // a decimal spelling is the address it spells
    ]
    for (const [input, canonical] of cases) assert.deepEqual(canonicalHostEntry(input, options), { ok: true, value: canonical }, input)
  })

  test('refused entries', () => {
    const refused: [string, RegExp][] = [
      ['', /请填写/],
      ['127.0.0.1', /回环地址/],
      ['0x7f.1', /回环地址/],
      ['localhost', /本机或云平台元数据/],
      ['metadata.google.internal', /本机或云平台元数据/],
      ['0.0.0.0/0', /回环地址/],
      ['128.0.0.0/1', /链路本地地址/],
      ['169.254.0.0/16', /链路本地地址/],
      ['169.254.169.254', /元数据地址/],
      ['fe80::/10', /链路本地地址/],
      ['::/0', /回环地址/],
      ['2002::/16', /保留地址/],
      ['10.37.0.1/16', /主机位为 0/],
      ['api.wf.gov.cn:8080', /端口请填在端口一栏/],
      ['a b.gov.cn', /格式不正确/],
      ['*.cn', /二级及以下/],
      ['http://api.wf.gov.cn/', /格式不正确/],
    ]
    for (const [input, reason] of refused) {
      const checked = canonicalHostEntry(input, options)
      assert.equal(checked.ok, false, `${input} was accepted`)
      if (!checked.ok) assert.match(checked.reason, reason, input)
    }
    assert.deepEqual(canonicalHostEntry('127.0.0.1', { loopbackForTests: true }), { ok: true, value: '127.0.0.1' })
    assert.equal(canonicalHostEntry('127.0.0.0/7', { loopbackForTests: true }).ok, false)
  })
})

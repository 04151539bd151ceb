import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadConfig, type PayloadKey } from '../../../adapters/config';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, payloadFromJson, payloadToJson } from '../../../adapters/payloadCodec';

// The payload codec: what leaves a process is sealed, what comes back opens, retired keys still
// open old payloads after a rotation, and payloads written before encryption pass as they are.

const key = (id: string): PayloadKey => ({ id, key: randomBytes(32) });
const termSheet = { dealId: 'deal-1', rateBps: 385, purpose: 'Expand sensor production line 扩建传感器产线' };
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

describe('AES-256-GCM payload codec', () => {
  const old = key('k1');
  const codec = new AesGcmPayloadCodec([old]);

  test('a sealed payload names its encoding and key, shows no plaintext, and opens to the original', async () => {
    const plain = defaultPayloadConverter.toPayload(termSheet);
    const [sealed] = await codec.encode([plain]) as [Payload];
    expect(text(sealed.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed.metadata?.[KEY_ID_METADATA])).toBe('k1');
    expect(text(sealed.data)).not.toContain('sensor');
    expect(Buffer.from(sealed.data ?? []).toString('latin1')).not.toContain('json/plain');
    const [opened] = await codec.decode([sealed]) as [Payload];
    expect(defaultPayloadConverter.fromPayload(opened)).toEqual(termSheet);
  });

  test('after a rotation the new key seals, the retired one still opens, and a dropped key is named', async () => {
    const [sealedBefore] = await codec.encode([defaultPayloadConverter.toPayload(termSheet)]) as [Payload];
    const rotated = new AesGcmPayloadCodec([key('k2'), old]);
    const [sealedAfter] = await rotated.encode([defaultPayloadConverter.toPayload(termSheet)]) as [Payload];
    expect(text(sealedAfter.metadata?.[KEY_ID_METADATA])).toBe('k2');
    const opened = await rotated.decode([sealedBefore, sealedAfter]);
    expect(opened.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([termSheet, termSheet]);
    const withoutOld = new AesGcmPayloadCodec([key('k2')]);
    await expect(withoutOld.decode([sealedBefore])).rejects.toThrow(/key k1, which DEALFLOW_PAYLOAD_KEYS does not hold/);
  });

  test('an unencrypted payload (a history recorded before encryption) passes as it is', async () => {
    const plain = defaultPayloadConverter.toPayload(termSheet);
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  test('an altered payload, or one relabelled to another key, does not open', async () => {
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(termSheet)]) as [Payload];
    const data = Buffer.from(sealed.data ?? []);
    data[20] = (data[20] ?? 0) ^ 1;
    await expect(codec.decode([{ ...sealed, data }])).rejects.toThrow(/does not open/);
    const twoKeys = new AesGcmPayloadCodec([key('k2'), { id: 'k3', key: old.key }]);
    const relabelled = { ...sealed, metadata: { ...sealed.metadata, [KEY_ID_METADATA]: Buffer.from('k3') } };
    await expect(twoKeys.decode([relabelled])).rejects.toThrow(/does not open/);
  });

  test('the codec server JSON form round-trips a payload', async () => {
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(termSheet)]) as [Payload];
    const back = payloadFromJson(payloadToJson(sealed));
    const [opened] = await codec.decode([back]) as [Payload];
    expect(defaultPayloadConverter.fromPayload(opened)).toEqual(termSheet);
  });
});

describe('payload keys in the configuration', () => {
  const base64 = randomBytes(32).toString('base64');

  test('a list of id:base64 keys, the first one sealing', () => {
    const config = loadConfig({ NODE_ENV: 'production', DEALFLOW_JWT_SECRET: 'x'.repeat(40), DEALFLOW_FILE_ENCRYPTION_KEY: randomBytes(32).toString('base64'), DEALFLOW_PAYLOAD_KEYS: `k2:${base64}, k1:${randomBytes(32).toString('base64')}` });
    expect(config.payloadKeys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(config.payloadKeys[0]?.key).toEqual(Buffer.from(base64, 'base64'));
  });

  test('required outside development and test; a development key in tests', () => {
    expect(() => loadConfig({ DEALFLOW_JWT_SECRET: 'x'.repeat(40) })).toThrow(/DEALFLOW_PAYLOAD_KEYS: required/);
    expect(loadConfig({ NODE_ENV: 'test' }).payloadKeys).toHaveLength(1);
  });

  test.each([
    ['a short key', `k1:${randomBytes(16).toString('base64')}`],
    ['no id', base64],
    ['a repeated id', `k1:${base64},k1:${base64}`],
  ])('%s is refused without showing the keys', (_label, value) => {
    let message = '';
    try {
      loadConfig({ NODE_ENV: 'test', DEALFLOW_PAYLOAD_KEYS: value });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('DEALFLOW_PAYLOAD_KEYS=');
    expect(message).not.toContain(base64.slice(0, 12));
    expect(message).not.toContain(value.slice(3, 15));
  });
});

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Config, PayloadKey } from './config';

// Temporal payload encryption: every payload our clients and workers send (workflow arguments,
// results, signals, updates, activity inputs, memos, failure details) is sealed with AES-256-GCM
// before it leaves the process, so the history holds no term sheet, revenue or purpose in clear.
// Codecs run outside the workflow sandbox, in the client and in the worker's main thread.

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

/**
 * Seals each payload (the whole protobuf: its metadata and data) with the first key; opens a
 * payload sealed with any key it holds. Payloads that are not encrypted (histories written before
 * encryption was on) pass through as they are.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly encryptWith: PayloadKey;
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(keys: readonly PayloadKey[]) {
    const [first] = keys;
    if (!first) throw new Error('AesGcmPayloadCodec needs at least one key');
    for (const { id, key } of keys) if (key.length !== 32) throw new Error(`payload key ${id} is ${key.length} bytes; AES-256 needs 32`);
    this.encryptWith = first;
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const { id, key } = this.encryptWith;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key id is authenticated too: a payload cannot be relabelled to another key.
      cipher.setAAD(Buffer.from(id, 'utf8'));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: encoder.encode(id) },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.[KEY_ID_METADATA];
      if (!idBytes) throw new PayloadDecryptionError(`an encrypted payload carries no ${KEY_ID_METADATA}`);
      const id = decoder.decode(idBytes);
      const key = this.byId.get(id);
      if (!key) throw new PayloadDecryptionError(`a payload is encrypted with key ${id}, which DEALFLOW_PAYLOAD_KEYS does not hold (keep retired keys after the new one)`);
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`an encrypted payload (key ${id}) is too short`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(id, 'utf8'));
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
        return temporal.api.common.v1.Payload.decode(plain);
      } catch (error) {
        throw new PayloadDecryptionError(`an encrypted payload (key ${id}) does not open: altered, or sealed with another key of that id`, { cause: error });
      }
    });
  }
}

/** The data converter every client and worker uses: the default JSON conversion, then the codec. */
export function payloadDataConverter(config: Pick<Config, 'payloadKeys'>): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(config.payloadKeys)] };
}

/** A payload as the Temporal codec server protocol carries it: metadata values and data in base64. */
export interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

export function payloadFromJson(json: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(json.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(json.data ?? '', 'base64'),
  };
}

export function payloadToJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

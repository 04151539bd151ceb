import fastifyCors from '@fastify/cors';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AesGcmPayloadCodec, PayloadDecryptionError, payloadFromJson, payloadToJson, type JsonPayload } from '../../../adapters/payloadCodec';
import { ErrorBody } from '../../../schemas/http';
import { allow } from '../auth';
import { ApiError } from '../errors';
import type { RouteContext } from '../context';

// The Temporal codec server protocol (`POST {endpoint}/encode` and `/decode`, payloads with base64
// metadata and data) for the Temporal UI and CLI, so an operator sees a history's payloads in
// clear. Ops only: a decoded history holds term sheets, revenues and purposes. Registered under
// `/v1/ops/codec`; the Temporal UI's origin must be listed in DEALFLOW_CODEC_CORS_ORIGINS.

const JsonPayloadBody = z.object({
  metadata: z.record(z.string(), z.base64()).nullish(),
  data: z.base64().nullish(),
});
const Payloads = z.object({ payloads: z.array(JsonPayloadBody).max(1_000) });

export const codecRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, { deps }) => {
  const codec = new AesGcmPayloadCodec(deps.config.payloadKeys);
  if (deps.config.codecCorsOrigins.length > 0) {
    // The UI sends the user's access token and the namespace from another origin.
    await app.register(fastifyCors, {
      origin: deps.config.codecCorsOrigins,
      methods: ['POST'],
      allowedHeaders: ['authorization', 'content-type', 'x-namespace'],
      credentials: true,
      maxAge: 600,
    });
  }
  const schema = (summary: string) => ({
    tags: ['ops'],
    summary,
    description: 'Temporal codec server protocol: `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }` in and out. '
      + 'Payloads sealed with a key DEALFLOW_PAYLOAD_KEYS does not hold answer 400. Role ops only.',
    body: Payloads,
    response: { 200: Payloads, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
  });
  const run = async (work: () => Promise<JsonPayload[]>) => {
    try {
      return { payloads: await work() };
    } catch (error) {
      if (error instanceof PayloadDecryptionError) throw new ApiError(400, 'undecodable_payload', error.message);
      throw error;
    }
  };

  app.post('/encode', { onRequest: allow('ops'), schema: schema('Encrypts payloads as the workers and clients do') }, async (request) =>
    run(async () => (await codec.encode(request.body.payloads.map(payloadFromJson))).map(payloadToJson)));
  app.post('/decode', { onRequest: allow('ops'), schema: schema('Decrypts payloads of a Temporal history (unencrypted ones pass as they are)') }, async (request) =>
    run(async () => (await codec.decode(request.body.payloads.map(payloadFromJson))).map(payloadToJson)));
};

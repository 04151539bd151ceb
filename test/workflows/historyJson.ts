import { createRequire } from 'node:module';
import { historyFromJSON, historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

// History <-> the JSON that `temporal workflow show -o json` and the UI write.
//
// @temporalio/common's historyToJSON/historyFromJSON throw "type must be a Type" in this install:
// common and proto each get a private copy of protobufjs 8 (the top level holds 7.x for
// @grpc/proto-loader), and common's protojson checks `instanceof` against its own copy while the
// types come from proto's. Until the tree dedupes, the same functions are taken from the copy
// @temporalio/proto was built with.

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

const isDualProtobufError = (err: unknown): boolean => err instanceof TypeError && err.message === 'type must be a Type';

let fallback: { protojson: ProtoJson; historyType: unknown } | undefined;
function protoCopy(): { protojson: ProtoJson; historyType: unknown } {
  if (!fallback) {
    const requireLikeProto = createRequire(require.resolve('@temporalio/proto'));
    const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown };
    fallback = {
      protojson: requireLikeProto('protobufjs/ext/protojson') as ProtoJson,
      historyType: root.lookupType('temporal.api.history.v1.History'),
    };
  }
  return fallback;
}

export function historyToJson(history: History): string {
  return withProtoCopyFallback(() => historyToJSON(history), ({ protojson, historyType }) =>
    JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2));
}

export function historyFromJson(json: unknown): History {
  return withProtoCopyFallback(() => historyFromJSON(json), ({ protojson, historyType }) =>
    protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History);
}

/** The SDK's conversion, or the same through the protobuf copy when two protobuf copies clash. */
function withProtoCopyFallback<T>(convert: () => T, viaCopy: (copy: ReturnType<typeof protoCopy>) => T): T {
  try {
    return convert();
  } catch (err) {
    if (!isDualProtobufError(err)) throw err;
    return viaCopy(protoCopy());
  }
}

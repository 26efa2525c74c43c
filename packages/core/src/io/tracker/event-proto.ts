import { ProtoWriter } from './protobuf';

/**
 * Field numbers of tensorflow.Event, tensorflow.Summary and friends (tensorflow/core/util/event.proto,
 * tensorflow/core/framework/summary.proto). Only what scalar and text logging needs.
 */
const EVENT = { wallTime: 1, step: 2, fileVersion: 3, summary: 5 } as const;
const SUMMARY = { value: 1 } as const;
const SUMMARY_VALUE = { tag: 1, simpleValue: 2, tensor: 8, metadata: 9 } as const;
const SUMMARY_METADATA = { pluginData: 1 } as const;
const PLUGIN_DATA = { pluginName: 1 } as const;
const TENSOR_PROTO = { dtype: 1, tensorShape: 2, stringVal: 8 } as const;
const DT_STRING = 7;

/** The version string every event file starts with. */
export const EVENT_FILE_VERSION = 'brain.Event:2';

/** The first event of a file, announcing its format version. */
export function fileVersionEvent(wallTime: number): Uint8Array {
  return new ProtoWriter()
    .double(EVENT.wallTime, wallTime)
    .string(EVENT.fileVersion, EVENT_FILE_VERSION)
    .finish();
}

/** An event holding one scalar summary value per metric. */
export function scalarsEvent(
  wallTime: number,
  step: number,
  scalars: readonly [string, number][],
): Uint8Array {
  const summary = new ProtoWriter();
  for (const [tag, value] of scalars) {
    summary.bytes(
      SUMMARY.value,
      new ProtoWriter().string(SUMMARY_VALUE.tag, tag).float(SUMMARY_VALUE.simpleValue, value).finish(),
    );
  }
  return new ProtoWriter()
    .double(EVENT.wallTime, wallTime)
    .uint(EVENT.step, step)
    .bytes(EVENT.summary, summary.finish())
    .finish();
}

/** An event holding a string tensor tagged for TensorBoard's text plugin. */
export function textEvent(wallTime: number, step: number, tag: string, text: string): Uint8Array {
  const tensor = new ProtoWriter()
    .uint(TENSOR_PROTO.dtype, DT_STRING)
    .bytes(TENSOR_PROTO.tensorShape, new Uint8Array(0))
    .string(TENSOR_PROTO.stringVal, text)
    .finish();
  const metadata = new ProtoWriter()
    .bytes(SUMMARY_METADATA.pluginData, new ProtoWriter().string(PLUGIN_DATA.pluginName, 'text').finish())
    .finish();
  const value = new ProtoWriter()
    .string(SUMMARY_VALUE.tag, tag)
    .bytes(SUMMARY_VALUE.metadata, metadata)
    .bytes(SUMMARY_VALUE.tensor, tensor)
    .finish();
  return new ProtoWriter()
    .double(EVENT.wallTime, wallTime)
    .uint(EVENT.step, step)
    .bytes(EVENT.summary, new ProtoWriter().bytes(SUMMARY.value, value).finish())
    .finish();
}

// Browser-safe model-file pieces: the safetensors format on bytes. File access (atomic writes,
// checked reads) is Node-only and lives in ./node.ts, which this index deliberately does not export.
export {
  encodeSafetensors,
  decodeSafetensors,
  readSafetensorsHeader,
  f16ToNumber,
  bf16ToNumber,
  f8e4m3ToNumber,
  DEFAULT_MAX_HEADER_BYTES,
} from './safetensors.js';
export type {
  SafetensorsDType,
  NamedTensor,
  TensorLike,
  EncodeOptions,
  DecodeOptions,
  SafetensorsEntry,
  SafetensorsHeader,
  DecodedTensor,
  DecodedSafetensors,
} from './safetensors.js';
export { parseJson, parseJsonExact, JsonNumber, JsonReader, DEFAULT_JSON_MAX_DEPTH, DEFAULT_JSON_MAX_LENGTH, type JsonLimits, type JsonValue } from './json.js';

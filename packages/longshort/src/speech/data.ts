// Speech feature sets: utterances as (T, M) log-mel energies with their phone ids, stored as one
// safetensors file (browser-safe bytes in and out; Node reads and writes the file). The corpus
// packer (scripts/speech/pack.ts) writes them, the trainer and `longshort speech eval` read them,
// and the small committed subset (data/speech/) is one.
//
// File layout:
//   tensor  logmel   F32 (F, M)   every utterance's frames back to back (F = Σ T_u)
//   tensor  frames   F32 (U)      T_u per utterance (integers)
//   tensor  phones   F32 (P)      every utterance's phone ids back to back (1..38)
//   tensor  nphones  F32 (U)      phones per utterance
//   metadata "speech": JSON { version: 1, nMels, phones: [the phone set], utterances: [{ id, …info }] }
// Integer data go as F32 because the writer stores floats; they are exact below 2^24 and checked
// on reading.

import { ConfigError, FormatError } from '../errors.js';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { PHONES } from './phones.js';

/** One utterance of a speech feature set: its log-mel frames and its phone labels. */
export interface SpeechUtterance {
  /** The utterance's id. */
  id: string;
  /** (frames, nMels) log-mel energies (src/speech/features.ts LogMel). */
  logmel: Float32Array;
  /** Frames (10 ms each). */
  frames: number;
  /** Phone ids 1..38 (src/speech/phones.ts). */
  phones: Int32Array;
  /** Anything else the generator recorded (voice, accent, SNR, text …). */
  info: Record<string, unknown>;
}

/** A speech feature set (one safetensors file; see the file header). */
export interface SpeechSet {
  /** Mel bands per frame. */
  nMels: number;
  /** The utterances, in file order. */
  utterances: SpeechUtterance[];
}

const WHERE = '[speechSet]';

/** A speech set as safetensors bytes. An utterance whose logmel does not hold frames·nMels values throws ConfigError. */
export function speechSetToBytes(set: SpeechSet): Uint8Array {
  const { nMels, utterances } = set;
  let F = 0;
  let P = 0;
  utterances.forEach((u, k) => {
    if (u.logmel.length !== u.frames * nMels) {
      throw new ConfigError(`${WHERE} utterance ${k} ('${u.id}') must hold frames·nMels = ${u.frames}·${nMels} = ${u.frames * nMels} values; received ${u.logmel.length}.`);
    }
    F += u.frames;
    P += u.phones.length;
  });
  const logmel = new Float32Array(F * nMels);
  const phones = new Float32Array(P);
  let f = 0;
  let p = 0;
  for (const u of utterances) {
    logmel.set(u.logmel, f * nMels);
    f += u.frames;
    phones.set(u.phones, p);
    p += u.phones.length;
  }
  const meta = { version: 1, nMels, phones: PHONES, utterances: utterances.map((u) => ({ id: u.id, ...u.info })) };
  return encodeSafetensors(
    [
      { name: 'logmel', shape: [F, nMels], data: logmel },
      { name: 'frames', shape: [utterances.length], data: Float32Array.from(utterances, (u) => u.frames) },
      { name: 'phones', shape: [P], data: phones },
      { name: 'nphones', shape: [utterances.length], data: Float32Array.from(utterances, (u) => u.phones.length) },
    ],
    { speech: JSON.stringify(meta) },
  );
}

/**
 * A speech set from safetensors bytes (speechSetToBytes, scripts/speech/pack.ts). Throws
 * FormatError for a file without the 'speech' metadata, another phone set, or tensors that do not
 * match it. The utterances' logmel arrays are views into the decoded data.
 */
export function speechSetFromBytes(bytes: Uint8Array): SpeechSet {
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (metadata.speech === undefined) throw new FormatError(`${WHERE} the file has no 'speech' metadata; it is not a speech feature set (metadata keys: [${Object.keys(metadata).join(', ')}]). Hint: make one with scripts/speech/pack.ts.`);
  let meta: { version?: unknown; nMels?: unknown; phones?: unknown; utterances?: unknown };
  try {
    meta = JSON.parse(metadata.speech) as typeof meta;
  } catch (e) {
    throw new FormatError(`${WHERE} the 'speech' metadata is not valid JSON: ${(e as Error).message}.`);
  }
  if (meta.version !== 1 || !Number.isInteger(meta.nMels) || !Array.isArray(meta.utterances)) {
    throw new FormatError(`${WHERE} the 'speech' metadata must be { version: 1, nMels: integer, utterances: [...] }; received ${metadata.speech.slice(0, 120)}.`);
  }
  if (JSON.stringify(meta.phones) !== JSON.stringify(PHONES)) {
    throw new FormatError(`${WHERE} the set uses the phone set ${JSON.stringify(meta.phones)}; this version of longshort uses ${JSON.stringify(PHONES)}.`);
  }
  const nMels = meta.nMels as number;
  const get = (name: string, rank: number) => {
    const t = tensors.get(name);
    if (t === undefined || t.shape.length !== rank) throw new FormatError(`${WHERE} the file needs a rank-${rank} tensor '${name}'; received ${t === undefined ? 'none' : `shape [${t.shape.join(', ')}]`}.`);
    return t;
  };
  const logmel = get('logmel', 2);
  const frames = get('frames', 1).data;
  const phones = get('phones', 1).data;
  const nphones = get('nphones', 1).data;
  const infos = meta.utterances as Record<string, unknown>[];
  const U = infos.length;
  if (logmel.shape[1] !== nMels || frames.length !== U || nphones.length !== U) {
    throw new FormatError(`${WHERE} inconsistent set: ${U} utterances in the metadata, frames has ${frames.length}, nphones ${nphones.length}; logmel is [${logmel.shape.join(', ')}] with nMels ${nMels}.`);
  }
  const utterances: SpeechUtterance[] = [];
  let f = 0;
  let p = 0;
  for (let k = 0; k < U; k++) {
    const T = frames[k];
    const L = nphones[k];
    if (!Number.isInteger(T) || T < 0 || !Number.isInteger(L) || L < 0 || f + T > logmel.shape[0] || p + L > phones.length) {
      throw new FormatError(`${WHERE} utterance ${k}: frames ${T} and phones ${L} must be non-negative integers that fit the tensors (at frame ${f} of ${logmel.shape[0]}, phone ${p} of ${phones.length}).`);
    }
    const ids = Int32Array.from(phones.subarray(p, p + L));
    for (const id of ids) {
      if (!(id >= 1 && id <= PHONES.length)) throw new FormatError(`${WHERE} utterance ${k}: phone ids must be 1..${PHONES.length}; received ${id}.`);
    }
    const { id, ...info } = infos[k];
    utterances.push({ id: String(id), logmel: logmel.data.subarray(f * nMels, (f + T) * nMels), frames: T, phones: ids, info });
    f += T;
    p += L;
  }
  return { nMels, utterances };
}

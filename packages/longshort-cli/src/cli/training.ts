// Training from the command line: fit() with the progress display, checkpoints while training
// runs, and signal handling that leaves a checkpoint from which `--resume` continues exactly.
//
// Checkpoints hold the last COMPLETED epoch: fit() counts a partly trained epoch as done when it is
// stopped, and its shuffling generator has already drawn that epoch's order, so a checkpoint taken
// mid-epoch could not be resumed bit for bit. So:
//   - while training, at the end of an epoch, a checkpoint is written when --checkpoint-every says
//     so (default 'auto': every epoch once the run has lasted a minute; short runs write none);
//   - on SIGINT or SIGTERM we ask fit to stop after the current batch (ctl.stop()), then save the
//     weights and training state copied at the end of the last completed epoch (the partial epoch's
//     batches are discarded), print how to resume and exit with 130 (SIGINT) or 143 (SIGTERM).
//     A second signal exits at once without saving;
//   - after training the command writes its outputs, then calls finish(), which removes the
//     checkpoint (the run is complete; a resumed run's checkpoint is left over otherwise). A signal
//     while outputs are written lets them finish (each is written atomically) and then exits.
// Every file goes through writeFileAtomic, so a kill -9 at any moment leaves either the old file or
// the new one, never half of one; its temp file is swept by the next save to the same place.
// fit() runs synchronously between its awaits, so the batch callback yields to the event loop
// every 50 ms; without that a signal would not be seen until training ended.

import type { FitControl, FitOptions, History, Sequential, Tensor, TrainingState } from 'longshort';
import { availableParallelism } from 'node:os';
import { unlink } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { ConfigError } from 'longshort';
import { currentKernels, io, progressReporter, shellQuote, type Output } from './util.js';
import { threadPoolFor, threadsOption, type ThreadsChoice } from './threads.js';

/** When to write a checkpoint during training. */
export type CheckpointEvery = { kind: 'auto' } | { kind: 'off' } | { kind: 'epochs'; n: number } | { kind: 'seconds'; s: number };

/** 'auto' waits this long before the first periodic checkpoint. */
const AUTO_AFTER_SECONDS = 60;

/** '--checkpoint-every' values: N (epochs), Ns / Nm / Nh (time), auto, off. */
export function parseCheckpointEvery(v: string): CheckpointEvery {
  const t = v.trim().toLowerCase();
  if (t === 'auto') return { kind: 'auto' };
  if (t === 'off' || t === '0') return { kind: 'off' };
  if (/^\d+$/.test(t) && Number(t) >= 1 && Number.isSafeInteger(Number(t))) return { kind: 'epochs', n: Number(t) };
  const m = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(t);
  if (m !== null && Number(m[1]) > 0) return { kind: 'seconds', s: Number(m[1]) * (m[2] === 's' ? 1 : m[2] === 'm' ? 60 : 3600) };
  throw new InvalidArgumentError(`--checkpoint-every must be a number of epochs (1, 5), a duration (30s, 10m, 1h), auto or off; received '${v}'.`);
}

export interface InterruptibleFit {
  model: Sequential;
  x: Tensor;
  y: Tensor;
  options: Omit<FitOptions, 'callbacks' | 'resume'>;
  /** Training state from a checkpoint (the model already holds its weights). */
  resume?: TrainingState | null;
  checkpointPath: string;
  /** Default 'auto'. */
  checkpointEvery?: CheckpointEvery;
  /** Saved with the checkpoint so that --resume can rebuild the data and the model. */
  extra: Record<string, unknown>;
  /** The command line that resumes (without --resume), printed after an interruption. */
  resumeArgs: string[];
  out: Output;
  /** Threads sharing each batch (src/train/threads-node.ts); 1 or undefined = this thread only; auto = the faster, measured (./threads.ts). */
  threads?: ThreadsChoice;
  /** Validation computed here after each epoch (instead of fit's validationData), e.g. on data padded per batch. */
  validate?: () => { loss: number; accuracy?: number };
}

export interface FitOutcome {
  history: History | null;
  /** True when a signal stopped training (a checkpoint was written and the exit code set). */
  interrupted: boolean;
  /** Per completed epoch of this run, what `validate` returned. */
  validation: { epoch: number; loss: number; accuracy?: number }[];
  /**
   * Call after the command has written all its outputs: removes the checkpoint (the run is
   * complete) and the signal handlers. A signal received while outputs were written is reported
   * here and sets the exit code.
   */
  finish(): Promise<void>;
}

const EXIT_CODE: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export async function fitInterruptible(o: InterruptibleFit): Promise<FitOutcome> {
  const { model } = o;
  const params = model.params();
  const epochs = o.options.epochs ?? 10;
  const every = o.checkpointEvery ?? { kind: 'auto' };
  if (typeof o.threads === 'number' && o.threads > 1 && o.options.executor !== undefined) {
    throw new ConfigError(`[train] --threads ${o.threads} shares one padded tensor with its workers, but this data is padded per batch; use --threads 1.`);
  }
  // The state to checkpoint: initially the start (fresh, or the resumed checkpoint).
  let saved: { weights: (Float32Array | Float64Array)[]; state: TrainingState | null } = {
    weights: params.map((p) => p.value.slice()),
    state: o.resume ?? null,
  };
  let signal: string | null = null;
  let phase: 'training' | 'outputs' = 'training';
  let control: FitControl | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signal !== null) {
      io.err(`\nsecond signal (${sig}): exiting at once${phase === 'training' ? ' without saving' : ''}.\n`);
      process.exit(EXIT_CODE[sig] ?? 1);
    }
    signal = sig;
    if (phase === 'training') {
      io.err(`\n${sig}: stopping after this batch to save a checkpoint (send it again to exit at once)…\n`);
      control?.stop();
    } else {
      io.err(`\n${sig}: finishing the output files (each is written whole), then exiting…\n`);
    }
  };
  const handlers = { SIGINT: () => onSignal('SIGINT'), SIGTERM: () => onSignal('SIGTERM') };
  process.on('SIGINT', handlers.SIGINT);
  process.on('SIGTERM', handlers.SIGTERM);
  const removeHandlers = (): void => {
    process.off('SIGINT', handlers.SIGINT);
    process.off('SIGTERM', handlers.SIGTERM);
  };

  const { saveModel } = await import('longshort');
  const writeCheckpoint = (state: TrainingState | null): Promise<void> =>
    saveModel(o.checkpointPath, model, { extra: { ...o.extra, checkpointKernels: kernelLabel() }, training: state ?? undefined });
  let wroteCheckpoint = false;
  const started = Date.now();
  let lastCheckpoint = started;
  let epochsSinceCheckpoint = 0;
  const due = (): boolean => {
    const seconds = (Date.now() - lastCheckpoint) / 1000;
    switch (every.kind) {
      case 'off':
        return false;
      case 'auto':
        return (Date.now() - started) / 1000 >= AUTO_AFTER_SECONDS;
      case 'epochs':
        return epochsSinceCheckpoint >= every.n;
      case 'seconds':
        return seconds >= every.s;
    }
  };

  const validation: FitOutcome['validation'] = [];
  const progress = progressReporter(o.out, epochs, o.resume?.epoch ?? 0);
  let lastYield = Date.now();
  let history: History | null = null;
  // data padded per batch brings its own executor: no pool to measure or share
  const pool = o.options.executor !== undefined ? null : await threadPoolFor(model, o.x, o.y, o.options, o.threads ?? 1, o.out);
  try {
    history = await o.model.fit(o.x, o.y, {
      ...o.options,
      ...(pool !== null ? { executor: pool } : {}),
      resume: o.resume ?? undefined,
      callbacks: {
        onBatchEnd: async (log, ctl) => {
          control = ctl;
          progress.batch(log);
          if (Date.now() - lastYield > 50) {
            await new Promise<void>((r) => setImmediate(r));
            lastYield = Date.now();
          }
          if (signal !== null) ctl.stop();
        },
        onEpochEnd: async (log, ctl) => {
          control = ctl;
          if (signal !== null) {
            ctl.stop(); // this epoch was cut short: not reported, not saved
            return;
          }
          let shown = log;
          if (o.validate !== undefined) {
            const v = o.validate();
            validation.push({ epoch: log.epoch, ...v });
            shown = { ...log, valLoss: v.loss, ...(v.accuracy !== undefined ? { valAccuracy: v.accuracy } : {}) };
          }
          progress.epoch(shown);
          saved = { weights: params.map((p) => p.value.slice()), state: ctl.state() };
          epochsSinceCheckpoint++;
          if (log.epoch < epochs && due()) {
            await writeCheckpoint(saved.state);
            wroteCheckpoint = true;
            lastCheckpoint = Date.now();
            epochsSinceCheckpoint = 0;
          }
          await new Promise<void>((r) => setImmediate(r));
        },
      },
    });
  } catch (e) {
    removeHandlers();
    throw e;
  } finally {
    await pool?.close();
    progress.stop();
  }

  if (signal !== null) {
    removeHandlers();
    for (let k = 0; k < params.length; k++) params[k].value.set(saved.weights[k]);
    await writeCheckpoint(saved.state);
    const done = saved.state?.epoch ?? 0;
    io.err(
      `\ninterrupted: saved a checkpoint after epoch ${done} of ${epochs} to ${o.checkpointPath}` +
        (done < (history?.state.epoch ?? 0) ? ' (the unfinished epoch is discarded so that resuming is exact)' : '') +
        `.\nresume with:\n  longshort ${shellQuote([...o.resumeArgs, '--resume', o.checkpointPath])}\n`,
    );
    process.exitCode = EXIT_CODE[signal] ?? 1;
    return { history, interrupted: true, validation, finish: async () => {} };
  }

  phase = 'outputs';
  const finish = async (): Promise<void> => {
    removeHandlers();
    // the run is complete: its checkpoint (periodic, or the one this run resumed from) is obsolete
    if (wroteCheckpoint || o.resume) await unlink(o.checkpointPath).catch(() => {});
    if (signal !== null) {
      io.err(`stopped by ${signal} after training; all output files were written.\n`);
      process.exitCode = EXIT_CODE[signal] ?? 1;
    }
  };
  return { history, interrupted: false, validation, finish };
}

/** Which kernels (and WebAssembly build) this process computes with; they round differently in the last bits. */
export function kernelLabel(): string {
  const k = currentKernels();
  return k === null ? 'unknown' : k.selected === 'wasm' ? `wasm (${k.wasm.detail})` : k.selected;
}

/** A note on stderr when a checkpoint was written with other kernels than this run uses: resuming then is not bit-exact. */
export function warnIfKernelsDiffer(extra: Record<string, unknown>, out: Output): void {
  const then = extra.checkpointKernels;
  const now = kernelLabel();
  if (typeof then === 'string' && then !== now) {
    out.log(`note: the checkpoint was written with kernels ${then}; this run uses ${now}. Results will match the uninterrupted run only approximately (rounding in the last bits).`);
  }
}

/** The training commands' `--threads <n>` option: flags, help, parser, default (spread into .option). */
export const THREADS_OPTION = [
  '--threads <n>',
  `threads that share each training batch: 1 = this thread only, n, or auto = the faster of 1 and all ${availableParallelism()} cores, measured on a few batches first`,
  threadsOption,
  1,
] as const;

/** The training commands' `--checkpoint-every <interval>` option (spread into .option). */
export const CHECKPOINT_OPTION = [
  '--checkpoint-every <interval>',
  `write <out>/checkpoint.safetensors while training: every N epochs (1, 5), every so long (30s, 10m), off, or auto (the default: every epoch once the run has lasted ${AUTO_AFTER_SECONDS} s)`,
  parseCheckpointEvery,
] as const;

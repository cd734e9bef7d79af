// Training from the command line: fit() with the progress display, and Ctrl-C handling that
// leaves a checkpoint from which `--resume` continues exactly.
//
// Why the checkpoint holds the last COMPLETED epoch: fit() counts a partly trained epoch as done
// when it is stopped, and its shuffling generator has already drawn that epoch's order, so a
// checkpoint taken mid-epoch could not be resumed bit for bit. So: on SIGINT we ask fit to stop
// after the current batch (ctl.stop()), then save the weights and training state copied at the
// end of the last completed epoch (the partial epoch's batches are discarded), atomically, print
// how to resume and exit with code 130. A second Ctrl-C exits at once without saving.
// fit() runs synchronously between its awaits, so the batch callback yields to the event loop
// every 50 ms; without that the signal would not be seen until training ended.
// Left out: periodic checkpoints while training runs normally.

import type { FitControl, FitOptions, History, Sequential, Tensor, TrainingState } from 'longshort';
import { availableParallelism } from 'node:os';
import { currentKernels, io, progressReporter, shellQuote, type Output } from './util.js';
import { threadPoolFor, threadsOption, type ThreadsChoice } from './threads.js';

export interface InterruptibleFit {
  model: Sequential;
  x: Tensor;
  y: Tensor;
  options: Omit<FitOptions, 'callbacks' | 'resume'>;
  /** Training state from a checkpoint (the model already holds its weights). */
  resume?: TrainingState | null;
  checkpointPath: string;
  /** Saved with the checkpoint so that --resume can rebuild the data and the model. */
  extra: Record<string, unknown>;
  /** The command line that resumes (without --resume), printed after an interruption. */
  resumeArgs: string[];
  out: Output;
  /** Threads sharing each batch (src/train/threads-node.ts); 1 or undefined = this thread only; auto = the faster, measured (./threads.ts). */
  threads?: ThreadsChoice;
}

export interface FitOutcome {
  history: History | null;
  /** True when Ctrl-C stopped training (a checkpoint was written and exit code 130 set). */
  interrupted: boolean;
}

export async function fitInterruptible(o: InterruptibleFit): Promise<FitOutcome> {
  const { model } = o;
  const params = model.params();
  const epochs = o.options.epochs ?? 10;
  // The state to checkpoint: initially the start (fresh, or the resumed checkpoint).
  let saved: { weights: (Float32Array | Float64Array)[]; state: TrainingState | null } = {
    weights: params.map((p) => p.value.slice()),
    state: o.resume ?? null,
  };
  let interrupted = false;
  let control: FitControl | null = null;
  const onSigint = (): void => {
    if (interrupted) {
      io.err('\nsecond Ctrl-C: exiting without saving.\n');
      process.exit(130);
    }
    interrupted = true;
    control?.stop();
  };
  process.on('SIGINT', onSigint);
  const progress = progressReporter(o.out, epochs, o.resume?.epoch ?? 0);
  let lastYield = Date.now();
  let history: History | null = null;
  const pool = await threadPoolFor(model, o.x, o.y, o.options, o.threads ?? 1, o.out);
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
          if (interrupted) ctl.stop();
        },
        onEpochEnd: async (log, ctl) => {
          control = ctl;
          if (interrupted) {
            ctl.stop(); // this epoch was cut short: not reported, not saved
            return;
          }
          progress.epoch(log);
          saved = { weights: params.map((p) => p.value.slice()), state: ctl.state() };
          await new Promise<void>((r) => setImmediate(r));
        },
      },
    });
  } finally {
    await pool?.close();
    progress.stop();
    process.off('SIGINT', onSigint);
  }
  if (!interrupted) return { history, interrupted: false };
  for (let k = 0; k < params.length; k++) params[k].value.set(saved.weights[k]);
  const { saveModel } = await import('longshort');
  await saveModel(o.checkpointPath, model, { extra: { ...o.extra, checkpointKernels: kernelLabel() }, training: saved.state ?? undefined });
  const done = saved.state?.epoch ?? 0;
  io.err(
    `\ninterrupted: saved a checkpoint after epoch ${done} of ${epochs} to ${o.checkpointPath}` +
      (done < (history?.state.epoch ?? 0) ? ' (the unfinished epoch is discarded so that resuming is exact)' : '') +
      `.\nresume with:\n  longshort ${shellQuote([...o.resumeArgs, '--resume', o.checkpointPath])}\n`,
  );
  process.exitCode = 130;
  return { history, interrupted: true };
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

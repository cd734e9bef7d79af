// The page's AudioWorklet: copies the microphone's samples (the AudioContext runs at 16 kHz, so
// they arrive at the model's rate) out of the audio thread in 100 ms blocks. The render quantum
// is 128 frames; posting every quantum would flood the main thread with tiny messages.

// AudioWorkletGlobalScope is not in TypeScript's DOM library; these are the two names it provides.
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;
declare const sampleRate: number;

class Recorder extends AudioWorkletProcessor {
  private readonly size = Math.round(sampleRate / 10);
  private block = new Float32Array(this.size);
  private filled = 0;

  process(inputs: Float32Array[][]): boolean {
    const input = inputs[0]?.[0]; // first channel of the first input (absent while nothing is connected)
    if (input !== undefined) {
      let at = 0;
      while (at < input.length) {
        const n = Math.min(input.length - at, this.size - this.filled);
        this.block.set(input.subarray(at, at + n), this.filled);
        this.filled += n;
        at += n;
        if (this.filled === this.size) {
          // transferring detaches the block (its length becomes 0), so the size is kept apart
          this.port.postMessage(this.block, [this.block.buffer]);
          this.block = new Float32Array(this.size);
          this.filled = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor('recorder', Recorder);

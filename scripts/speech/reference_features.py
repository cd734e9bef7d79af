#!/usr/bin/python3
"""Reference values for the speech front end (src/speech/features.ts), computed independently in
PyTorch float64: the same pipeline written again from its definition (pre-emphasis, framing,
Hamming window, |rfft|^2, HTK-mel triangular filterbank, log, regression deltas, per-utterance
normalisation, frame stacking), with torch.fft.rfft instead of fft.js and
torchaudio-style filter formulas instead of ours.

Run by hand when the pipeline changes (needs python3-torch; CI does not run it):
    /usr/bin/python3 scripts/speech/reference_features.py data/speech/heldout-1.wav test/fixtures/speech/features-reference.json

Writes JSON: the options, the first FRAMES frames of the log-mel (T, 40) and of the network input
(stack 2: (T/2, 240)) computed over the whole file, plus the filterbank's column sums.
"""
import json
import math
import sys
import wave

import torch

FRAMES = 60  # log-mel frames kept in the fixture (the network input keeps FRAMES // 2)

SR, WIN, HOP, NFFT, NMELS, FMIN, FMAX, PRE, FLOOR, STACK = 16000, 400, 160, 512, 40, 20.0, 8000.0, 0.97, 1e-10, 2


def read_pcm16(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1 and w.getframerate() == SR, "need 16 kHz mono 16-bit PCM"
        raw = w.readframes(w.getnframes())
    x = torch.frombuffer(bytearray(raw), dtype=torch.int16).to(torch.float64) / 32768.0
    return x


def hz_to_mel(f):
    return 2595.0 * torch.log10(1.0 + f / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def filterbank():
    # torchaudio.functional.melscale_fbanks(n_freqs=257, f_min, f_max, n_mels, sample_rate, norm=None, mel_scale="htk")
    freqs = torch.linspace(0, SR // 2, NFFT // 2 + 1, dtype=torch.float64)
    m = torch.linspace(float(hz_to_mel(torch.tensor(FMIN, dtype=torch.float64))), float(hz_to_mel(torch.tensor(FMAX, dtype=torch.float64))), NMELS + 2, dtype=torch.float64)
    f_pts = mel_to_hz(m)
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts.unsqueeze(0) - freqs.unsqueeze(1)  # (257, NMELS+2)
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    return torch.clamp(torch.min(down, up), min=0.0)  # (257, NMELS)


def logmel(x):
    y = torch.cat([x[:1], x[1:] - PRE * x[:-1]])
    T = 1 + (len(y) - WIN) // HOP
    frames = y.unfold(0, WIN, HOP)[:T]  # (T, WIN)
    n = torch.arange(WIN, dtype=torch.float64)
    window = 0.54 - 0.46 * torch.cos(2 * math.pi * n / (WIN - 1))
    spec = torch.fft.rfft(frames * window, n=NFFT)  # (T, 257)
    power = spec.real ** 2 + spec.imag ** 2
    return torch.log(torch.clamp(power @ filterbank(), min=FLOOR))


def deltas(c, n=2):
    # torchaudio.functional.compute_deltas(win_length=2n+1): replicate padding
    T = c.shape[0]
    denom = 2 * sum(k * k for k in range(1, n + 1))
    padded = torch.cat([c[:1].repeat(n, 1), c, c[-1:].repeat(n, 1)])
    out = torch.zeros_like(c)
    for k in range(1, n + 1):
        out += k * (padded[n + k:n + k + T] - padded[n - k:n - k + T])
    return out / denom


def network_input(lm):
    d1 = deltas(lm)
    d2 = deltas(d1)
    full = torch.cat([lm, d1, d2], dim=1)
    mean = full.mean(dim=0)
    std = torch.clamp(full.std(dim=0, unbiased=False), min=1e-5)
    full = (full - mean) / std
    T, D = full.shape
    T2 = (T + STACK - 1) // STACK
    idx = torch.clamp(torch.arange(T2 * STACK), max=T - 1)
    return full[idx].reshape(T2, STACK * D)


def main():
    wav, out = sys.argv[1], sys.argv[2]
    x = read_pcm16(wav)
    lm = logmel(x)
    inp = network_input(lm)
    doc = {
        "source": "scripts/speech/reference_features.py (PyTorch %s, float64)" % torch.__version__,
        "wav": wav,
        "options": {"sampleRate": SR, "winLength": WIN, "hopLength": HOP, "nFft": NFFT, "nMels": NMELS, "fMin": FMIN, "fMax": FMAX, "preemphasis": PRE, "floor": FLOOR, "stack": STACK},
        "samples": len(x),
        "frames": lm.shape[0],
        "filterbankColumnSums": [round(float(v), 12) for v in filterbank().sum(dim=0)],
        "logmel": [[float("%.9g" % v) for v in row] for row in lm[:FRAMES].tolist()],
        "input": [[float("%.9g" % v) for v in row] for row in inp[:FRAMES // STACK].tolist()],
        "inputFrames": inp.shape[0],
    }
    with open(out, "w") as f:
        json.dump(doc, f)
    print("wrote %s: %d frames, %d input frames" % (out, lm.shape[0], inp.shape[0]))


if __name__ == "__main__":
    main()

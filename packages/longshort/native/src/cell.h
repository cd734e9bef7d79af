// The LSTM cell's pointwise arithmetic for the native kernel, forward and backward, over a range
// of units of one batch row — the only copy of the cell math in the native kernel (included by
// kernels.c, compiled once per instruction set). Same equations and buffer contract as the
// reference kernel (src/kernels/ref/lstm.ts, whose header lists them):
//
//   i = σ(zi [+ p_i ⊙ c_{t−1}])  f = σ(zf [+ p_f ⊙ c_{t−1}])  g = φ(zg)     (clamped to ±clip first)
//   c = f ⊙ c_{t−1} + i ⊙ g      o = σ(zo [+ p_o ⊙ c])        r = o ⊙ ψ(c)
//
// `classic` is a compile-time constant at each call site: 1 gives the σ/tanh/tanh cell with all
// three gates and no peepholes or clip — what nearly every model runs — with no per-vector
// dispatch; 0 reads every option from the ls_cell.
//
// dim key: H cell size, G = 4H; rows hold the gates in PyTorch order i, f, g, o.

#ifndef LS_CELL_H
#define LS_CELL_H

#include "kern.h"
#include "vec.h"

LS_INLINE vf clampv(vf v, float clip) {
  v = vsel(v > clip, vsplat(clip), v); // NaN falls through, as in the reference
  return vsel(v < -clip, vsplat(-clip), v);
}

/** 1 inside [−clip, clip] (the clamp passes the gradient), 0 outside and for NaN. */
LS_INLINE vf passv(vf z, float clip) { return vsel((z <= clip) & (z >= -clip), vsplat(1), vsplat(0)); }

/**
 * Forward for units [j0, j1) of one row.
 * in   rec (G) h_{t−1}·Whhᵀ [+ x_t·Wihᵀ + b when the product included them]
 *      gx (G) x_t·Wihᵀ + b, or NULL when rec has them
 *      cprev (H) c_{t−1}   peep (3H) or NULL
 * out  gates (G) i, f, g, o   pre (G) pre-activations before clipping, or NULL
 *      c (H) c_t   h (H) o ⊙ ψ(c_t)
 */
LS_INLINE void cell_forward(const ls_cell *cl, const int classic, int H, int j0, int j1, const float *rec, const float *gx,
                            const float *cprev, const float *peep, float *gates, float *pre, float *c, float *h) {
  const int gate_act = classic ? LS_SIGMOID : cl->gate_act;
  const int cell_act = classic ? LS_TANH : cl->cell_act;
  const int hidden_act = classic ? LS_TANH : cl->hidden_act;
  const float clip = cl->clip;
  const int clipped = !classic && pre != NULL;
  for (int j = j0; j < j1; j += VL) {
    const int n = j1 - j < VL ? j1 - j : VL;
    vf zi = vloadn(rec + j, n), zf = vloadn(rec + H + j, n), zg = vloadn(rec + 2 * H + j, n), zo = vloadn(rec + 3 * H + j, n);
    if (gx != NULL) {
      zi += vloadn(gx + j, n);
      zf += vloadn(gx + H + j, n);
      zg += vloadn(gx + 2 * H + j, n);
      zo += vloadn(gx + 3 * H + j, n);
    }
    const vf cp = vloadn(cprev + j, n);
    vf i, f, g, o, ct;
    if (classic) {
      i = v_sigmoid(zi);
      f = v_sigmoid(zf);
      g = v_tanh(zg);
      ct = f * cp + i * g; // c_t = f ⊙ c_{t−1} + i ⊙ g
      o = v_sigmoid(zo);
    } else {
      if (peep != NULL) {
        zi += vloadn(peep + j, n) * cp;
        zf += vloadn(peep + H + j, n) * cp;
      }
      if (clipped) {
        vstoren(pre + j, zi, n);
        vstoren(pre + H + j, zf, n);
        vstoren(pre + 2 * H + j, zg, n);
        zi = clampv(zi, clip);
        zf = clampv(zf, clip);
        zg = clampv(zg, clip);
      }
      i = cl->input_gate ? v_act(gate_act, zi) : vsplat(1);
      f = cl->coupled ? 1.0f - i : cl->forget_gate ? v_act(gate_act, zf) : vsplat(1);
      g = v_act(cell_act, zg);
      ct = f * cp + i * g;
      if (peep != NULL) zo += vloadn(peep + 2 * H + j, n) * ct;
      if (clipped) {
        vstoren(pre + 3 * H + j, zo, n);
        zo = clampv(zo, clip);
      }
      o = cl->output_gate ? v_act(gate_act, zo) : vsplat(1);
    }
    const vf hv = o * v_act(hidden_act, ct); // h_t = o ⊙ ψ(c_t)
    vstoren(gates + j, i, n);
    vstoren(gates + H + j, f, n);
    vstoren(gates + 2 * H + j, g, n);
    vstoren(gates + 3 * H + j, o, n);
    vstoren(c + j, ct, n);
    vstoren(h + j, hv, n);
  }
}

/**
 * Backward for units [j0, j1) of one row.
 * in   gz (G) the forward's i, f, g, o — OVERWRITTEN with dL/d(pre-activations) dz
 *      pre (G) or NULL (no clip)   c (H) c_t   cprev (H) c_{t−1}   dr (H) dL/dr   peep (3H) or NULL
 * in/out dcs (H) dL/dc_t from the later step in, dL/dc_{t−1} out
 * (The peephole weights' gradients are sums over all steps of dz·c, formed after the time loop:
 * peep_grads in kernels.c.)
 */
LS_INLINE void cell_backward(const ls_cell *cl, const int classic, int H, int j0, int j1, float *gz, const float *pre, const float *c,
                             const float *cprev, const float *dr, const float *peep, float *dcs) {
  const int gate_act = classic ? LS_SIGMOID : cl->gate_act;
  const int cell_act = classic ? LS_TANH : cl->cell_act;
  const int hidden_act = classic ? LS_TANH : cl->hidden_act;
  const float clip = cl->clip;
  const int clipped = !classic && pre != NULL;
  for (int j = j0; j < j1; j += VL) {
    const int n = j1 - j < VL ? j1 - j : VL;
    const vf i = vloadn(gz + j, n), f = vloadn(gz + H + j, n), g = vloadn(gz + 2 * H + j, n), o = vloadn(gz + 3 * H + j, n);
    const vf ct = vloadn(c + j, n), cp = vloadn(cprev + j, n), d = vloadn(dr + j, n);
    const vf a = v_act(hidden_act, ct); // ψ(c_t), recomputed rather than cached
    vf pi = vsplat(1), pf = pi, pg = pi, po = pi;
    if (clipped) {
      pi = passv(vloadn(pre + j, n), clip);
      pf = passv(vloadn(pre + H + j, n), clip);
      pg = passv(vloadn(pre + 2 * H + j, n), clip);
      po = passv(vloadn(pre + 3 * H + j, n), clip);
    }
    // forward: r = o ⊙ ψ(c)
    const vf dO = d * a;
    vf dc = vloadn(dcs + j, n) + d * o * v_dact(hidden_act, a);
    // forward: o = σ(zo [+ p_o ⊙ c])
    const vf dzo = classic || cl->output_gate ? dO * v_dact(gate_act, o) * po : vsplat(0);
    if (!classic && peep != NULL) dc += dzo * vloadn(peep + 2 * H + j, n);
    // forward: c = f ⊙ c_{t−1} + i ⊙ g
    vf di = dc * g;
    const vf df = dc * cp;
    const vf dg = dc * i;
    vf dcp = dc * f;
    vf dzf = vsplat(0);
    if (!classic && cl->coupled) di -= df; // forward: f = 1 − i
    else if (classic || cl->forget_gate) dzf = df * v_dact(gate_act, f) * pf;
    const vf dzi = classic || cl->input_gate ? di * v_dact(gate_act, i) * pi : vsplat(0);
    const vf dzg = dg * v_dact(cell_act, g) * pg;
    // forward: zi += p_i ⊙ c_{t−1},  zf += p_f ⊙ c_{t−1}
    if (!classic && peep != NULL) dcp += dzi * vloadn(peep + j, n) + dzf * vloadn(peep + H + j, n);
    vstoren(gz + j, dzi, n);
    vstoren(gz + H + j, dzf, n);
    vstoren(gz + 2 * H + j, dzg, n);
    vstoren(gz + 3 * H + j, dzo, n);
    vstoren(dcs + j, dcp, n);
  }
}

#endif

// One post-LN transformer encoder layer, torch.nn.TransformerEncoderLayer(norm_first=False, activation
// relu) with a causal mask, the layer of the word-language-model tutorial (Tian et al. 2023's real-data
// model, docs/scansnap.md "Real text"):
//   q,k,v = x W_{q,k,v}^T + b_{q,k,v}            (rows of in_proj_weight (3C,C) / in_proj_bias (3C))
//   z     = causal attention(q, k, v) with dropout on the probabilities   (attention_dropout.h)
//   r1    = x + drop(z W_o^T + b_o);            x1  = LN1(r1)
//   r2    = x1 + drop(W2 drop(relu(W1 x1 + b1)) + b2);   out = LN2(r2)
// Shapes: N = B*T rows, C channels, H FFN hidden, NH heads; x, out (B,T,C).
// The four dropout masks (att (B,NH,T,T); sa, f (N,C); hid (N,H)) are filled by the caller
// (nn/dropout.h); `dropout` false means none is applied (evaluation, or p = 0).
#pragma once

#include <vector>

namespace tdlab::nn {

struct PostLnWeights {
    const float *in_w, *in_b, *out_w, *out_b, *ln1_w, *ln1_b, *w1, *b1, *w2, *b2, *ln2_w, *ln2_b;
};
// Gradient accumulators of the same tensors; any may be null (frozen).
struct PostLnGrads {
    float *in_w, *in_b, *out_w, *out_b, *ln1_w, *ln1_b, *w1, *b1, *w2, *b2, *ln2_w, *ln2_b;
};

// Saved activations, dropout masks and backward scratch of one layer for a (B,T) batch; allocated once.
struct PostLnBuffers {
    PostLnBuffers(int B, int T, int C, int H, int NH);
    int B, T, C, H, NH;
    std::vector<float> q, k, v, z, preatt, att, att_d, sa, r1, x1, mean1, rstd1, hpre, hid_d, f, r2, mean2, rstd2;
    std::vector<float> att_mask, sa_mask, hid_mask, f_mask;
    std::vector<float> dq, dk, dv, dz, datt, dpreatt, dsa, dhid, df, dr1, dx1, dr2;
};

void post_ln_forward(float *out, const float *x, const PostLnWeights &w, PostLnBuffers &b, bool dropout);

// Accumulates d loss / d x into dx (B,T,C) and the parameter gradients; dout (B,T,C). Uses the buffers of
// the last forward (same `dropout`).
void post_ln_backward(float *dx, const float *dout, const float *x, const PostLnWeights &w, const PostLnGrads &g,
                      PostLnBuffers &b, bool dropout);

} // namespace tdlab::nn

#include "nn/post_ln_block.h"

#include "nn/attention_dropout.h"
#include "nn/dropout.h"
#include "nn/layernorm.h"
#include "nn/linear.h"
#include "nn/mlp.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace tdlab::nn {

namespace {
void zero(std::vector<float> &v) {
    std::fill(v.begin(), v.end(), 0.0f);
}
float *shift(float *p, size_t n) {
    return p ? p + n : nullptr;
}
} // namespace

PostLnBuffers::PostLnBuffers(int B_, int T_, int C_, int H_, int NH_) : B(B_), T(T_), C(C_), H(H_), NH(NH_) {
    const size_t N = size_t(B) * T, NC = N * C, NHd = N * H, A = size_t(B) * NH * T * T;
    for (auto *p :
         {&q, &k, &v, &z, &sa, &r1, &x1, &f, &r2, &sa_mask, &f_mask, &dq, &dk, &dv, &dz, &dsa, &df, &dr1, &dx1, &dr2})
        p->resize(NC);
    for (auto *p : {&preatt, &att, &att_d, &att_mask, &datt, &dpreatt}) p->resize(A);
    for (auto *p : {&hpre, &hid_d, &hid_mask, &dhid}) p->resize(NHd);
    for (auto *p : {&mean1, &rstd1, &mean2, &rstd2}) p->resize(N);
}

void post_ln_forward(float *out, const float *x, const PostLnWeights &w, PostLnBuffers &b, bool dropout) {
    const int N = b.B * b.T, C = b.C, H = b.H;
    const size_t NC = size_t(N) * C, CC = size_t(C) * C;
    linear_forward(b.q.data(), x, w.in_w, w.in_b, N, C, C);
    linear_forward(b.k.data(), x, w.in_w + CC, w.in_b + C, N, C, C);
    linear_forward(b.v.data(), x, w.in_w + 2 * CC, w.in_b + 2 * C, N, C, C);
    const float scale = 1.0f / std::sqrt(float(C / b.NH));
    attention_dropout_forward(b.z.data(), b.preatt.data(), b.att.data(), b.att_d.data(),
                              dropout ? b.att_mask.data() : nullptr, b.q.data(), b.k.data(), b.v.data(), b.B, b.T, C,
                              b.NH, scale);
    linear_forward(b.sa.data(), b.z.data(), w.out_w, w.out_b, N, C, C);
    for (size_t i = 0; i < NC; ++i) b.r1[i] = x[i] + (dropout ? b.sa[i] * b.sa_mask[i] : b.sa[i]);
    layernorm_forward(b.x1.data(), b.mean1.data(), b.rstd1.data(), b.r1.data(), w.ln1_w, w.ln1_b, N, C);
    linear_forward(b.hpre.data(), b.x1.data(), w.w1, w.b1, N, C, H);
    relu_forward(b.hid_d.data(), b.hpre.data(), size_t(N) * H);
    if (dropout) dropout_forward(b.hid_d.data(), b.hid_d.data(), b.hid_mask.data(), size_t(N) * H);
    linear_forward(b.f.data(), b.hid_d.data(), w.w2, w.b2, N, H, C);
    for (size_t i = 0; i < NC; ++i) b.r2[i] = b.x1[i] + (dropout ? b.f[i] * b.f_mask[i] : b.f[i]);
    layernorm_forward(out, b.mean2.data(), b.rstd2.data(), b.r2.data(), w.ln2_w, w.ln2_b, N, C);
}

void post_ln_backward(float *dx, const float *dout, const float *x, const PostLnWeights &w, const PostLnGrads &g,
                      PostLnBuffers &b, bool dropout) {
    const int N = b.B * b.T, C = b.C, H = b.H;
    const size_t NC = size_t(N) * C, NHd = size_t(N) * H, CC = size_t(C) * C;
    // out = LN2(r2): d r2
    zero(b.dr2);
    layernorm_backward(b.dr2.data(), g.ln2_w, g.ln2_b, dout, b.r2.data(), w.ln2_w, b.mean2.data(), b.rstd2.data(), N,
                       C);
    // r2 = x1 + drop(f): the residual passes d r2 to x1, the branch gets it through the mask
    b.dx1 = b.dr2;
    zero(b.df);
    dropout_backward(b.df.data(), b.dr2.data(), dropout ? b.f_mask.data() : nullptr, NC);
    zero(b.dhid);
    linear_backward(b.dhid.data(), g.w2, g.b2, b.df.data(), b.hid_d.data(), w.w2, N, H, C);
    // hid_d = drop(relu(hpre)): through the mask and the ReLU in place
    for (size_t i = 0; i < NHd; ++i)
        b.dhid[i] = b.hpre[i] > 0.0f ? (dropout ? b.dhid[i] * b.hid_mask[i] : b.dhid[i]) : 0.0f;
    linear_backward(b.dx1.data(), g.w1, g.b1, b.dhid.data(), b.x1.data(), w.w1, N, C, H);
    // x1 = LN1(r1); r1 = x + drop(sa)
    zero(b.dr1);
    layernorm_backward(b.dr1.data(), g.ln1_w, g.ln1_b, b.dx1.data(), b.r1.data(), w.ln1_w, b.mean1.data(),
                       b.rstd1.data(), N, C);
    for (size_t i = 0; i < NC; ++i) dx[i] += b.dr1[i];
    zero(b.dsa);
    dropout_backward(b.dsa.data(), b.dr1.data(), dropout ? b.sa_mask.data() : nullptr, NC);
    zero(b.dz);
    linear_backward(b.dz.data(), g.out_w, g.out_b, b.dsa.data(), b.z.data(), w.out_w, N, C, C);
    zero(b.dq);
    zero(b.dk);
    zero(b.dv);
    const float scale = 1.0f / std::sqrt(float(C / b.NH));
    attention_dropout_backward(b.dq.data(), b.dk.data(), b.dv.data(), b.datt.data(), b.dpreatt.data(), b.dz.data(),
                               b.q.data(), b.k.data(), b.v.data(), b.att.data(), b.att_d.data(),
                               dropout ? b.att_mask.data() : nullptr, b.B, b.T, C, b.NH, scale);
    linear_backward(dx, g.in_w, g.in_b, b.dq.data(), x, w.in_w, N, C, C);
    linear_backward(dx, shift(g.in_w, CC), shift(g.in_b, C), b.dk.data(), x, w.in_w + CC, N, C, C);
    linear_backward(dx, shift(g.in_w, 2 * CC), shift(g.in_b, 2 * size_t(C)), b.dv.data(), x, w.in_w + 2 * CC, N, C, C);
}

} // namespace tdlab::nn

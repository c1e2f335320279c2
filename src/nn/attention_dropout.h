// Causal attention with dropout on the attention probabilities, as torch.nn.MultiheadAttention applies
// it (dropout_p on the softmax weights before they multiply V). The softmax itself is attention.h's:
//   att   = causal softmax(scale q k^T)                         (attention_forward)
//   att_d = att * mask                                           (mask from nn/dropout.h, 0 or 1/(1-p))
//   out   = att_d v
// Backward:  d att_d = dout v^T;  dv += att_d^T dout;  d att = d att_d * mask;
//            d preatt = att * (d att - sum_s att d att);  dq += scale d preatt k;  dk += scale d preatt^T q.
// Shapes: q, k, v, out (B,T,C) with NH heads of HS = C/NH channels; att, att_d, mask (B,NH,T,T).
// With mask null this is exactly attention_forward / attention_backward.
#pragma once

namespace tdlab::nn {

// Overwrites preatt, att, att_d (B,NH,T,T) and out (B,T,C). mask may be null (no dropout).
void attention_dropout_forward(float *out, float *preatt, float *att, float *att_d, const float *mask, const float *q,
                               const float *k, const float *v, int B, int T, int C, int NH, float scale);

// Accumulates into dq, dk, dv (B,T,C); datt, dpreatt (B,NH,T,T) are scratch.
void attention_dropout_backward(float *dq, float *dk, float *dv, float *datt, float *dpreatt, const float *dout,
                                const float *q, const float *k, const float *v, const float *att, const float *att_d,
                                const float *mask, int B, int T, int C, int NH, float scale);

} // namespace tdlab::nn

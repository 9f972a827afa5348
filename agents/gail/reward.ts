/**
 * Rewards from the discriminator's logit h = logit D(s, a), D = σ(h) the probability of "expert"
 * (paper §1.4):
 * - `minimax`: −log(1 − D) = softplus(h), the paper's; positive, a survival bonus;
 * - `logd`:    log D = −softplus(−h), negative, a per-step cost;
 * - `logit`:   h = log D − log(1 − D), the AIRL/DAC reward.
 * Written with softplus, which is exact and finite where the log forms overflow. Since
 * |dr/dh| ≤ 1 for all three, a k-Lipschitz logit gives a k-Lipschitz reward.
 */
import * as tf from '@tensorflow/tfjs';

export const REWARD_FORMS = ['minimax', 'logd', 'logit'] as const;
export type RewardForm = (typeof REWARD_FORMS)[number];

/** The reward of each logit in `h`. */
export function rewardFromLogit(h: tf.Tensor, form: RewardForm): tf.Tensor {
  return tf.tidy(() => {
    switch (form) {
      case 'minimax':
        return tf.softplus(h);
      case 'logd':
        return tf.neg(tf.softplus(tf.neg(h)));
      case 'logit':
        return h.clone();
      default:
        throw new Error(`unknown reward form '${String(form)}'; expected one of ${REWARD_FORMS.join(', ')}`);
    }
  });
}

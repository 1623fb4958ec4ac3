//! Offline metrics of a probabilistic classifier.

/// Area under the ROC curve: the probability that a random relevant row
/// scores above a random irrelevant one (ties count half), computed from
/// average ranks (Mann–Whitney U). `None` when one class is absent.
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    assert_eq!(scores.len(), labels.len(), "one label per score");
    let positives = labels.iter().filter(|l| **l).count();
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    // Sum of the (1-based, tie-averaged) ranks of the positives.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let average_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += average_rank * order[i..=j].iter().filter(|k| labels[**k]).count() as f64;
        i = j + 1;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// Mean negative log-likelihood of the labels, probabilities clamped to
/// [1e-12, 1 − 1e-12].
pub fn log_loss(probabilities: &[f64], labels: &[bool]) -> f64 {
    assert_eq!(probabilities.len(), labels.len(), "one label per score");
    if labels.is_empty() {
        return 0.0;
    }
    let total: f64 = probabilities
        .iter()
        .zip(labels)
        .map(|(p, l)| {
            let p = p.clamp(1e-12, 1.0 - 1e-12);
            if *l { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum();
    total / labels.len() as f64
}

/// Share of rows whose label equals `probability ≥ 0.5`.
pub fn accuracy(probabilities: &[f64], labels: &[bool]) -> f64 {
    assert_eq!(probabilities.len(), labels.len(), "one label per score");
    if labels.is_empty() {
        return 0.0;
    }
    let right = probabilities
        .iter()
        .zip(labels)
        .filter(|(p, l)| (**p >= 0.5) == **l)
        .count();
    right as f64 / labels.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_of_known_cases() {
        assert_eq!(
            auc(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, true]),
            Some(1.0)
        );
        assert_eq!(
            auc(&[0.9, 0.8, 0.2, 0.1], &[false, false, true, true]),
            Some(0.0)
        );
        // All tied: 0.5.
        assert_eq!(auc(&[0.5; 4], &[false, true, false, true]), Some(0.5));
        // One inversion out of four pairs.
        assert_eq!(
            auc(&[0.1, 0.6, 0.5, 0.9], &[false, false, true, true]),
            Some(0.75)
        );
        assert_eq!(auc(&[0.1, 0.2], &[true, true]), None);
    }

    #[test]
    fn log_loss_and_accuracy() {
        let ll = log_loss(&[0.5, 0.5], &[true, false]);
        assert!((ll - std::f64::consts::LN_2).abs() < 1e-12);
        assert!(log_loss(&[1.0, 0.0], &[true, false]) < 1e-9);
        assert_eq!(accuracy(&[0.9, 0.4, 0.6], &[true, false, false]), 2.0 / 3.0);
    }
}

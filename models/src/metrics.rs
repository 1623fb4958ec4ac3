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

/// Ranking quality of one ranked list against a set of relevant items
/// (binary relevance), at cut-off `k`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RankingMetrics {
    /// Share of the relevant items found in the first `k`.
    pub recall: f64,
    /// DCG of the first `k` over the DCG of a perfect list (gain 1 per relevant item, log2 discount).
    pub ndcg: f64,
    /// 1 / rank of the first relevant item (0 if none is ranked at all).
    pub reciprocal_rank: f64,
}

/// Recall@k, NDCG@k and the reciprocal rank of `ranked` against `relevant`
/// (an empty `relevant` gives zeros; callers leave such cases out).
pub fn ranking<S: AsRef<str>>(
    ranked: &[S],
    relevant: &std::collections::BTreeSet<String>,
    k: usize,
) -> RankingMetrics {
    if relevant.is_empty() {
        return RankingMetrics::default();
    }
    let hit = |item: &S| relevant.contains(item.as_ref());
    let found = ranked.iter().take(k).filter(|i| hit(i)).count();
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, i)| hit(i))
        .map(|(r, _)| 1.0 / ((r + 2) as f64).log2())
        .sum();
    let ideal: f64 = (0..relevant.len().min(k))
        .map(|r| 1.0 / ((r + 2) as f64).log2())
        .sum();
    let reciprocal_rank = ranked
        .iter()
        .position(hit)
        .map(|r| 1.0 / (r + 1) as f64)
        .unwrap_or(0.0);
    RankingMetrics {
        recall: found as f64 / relevant.len() as f64,
        ndcg: dcg / ideal,
        reciprocal_rank,
    }
}

#[cfg(test)]
mod ranking_tests {
    use super::*;

    #[test]
    fn ranking_metrics_by_hand() {
        let relevant: std::collections::BTreeSet<String> =
            ["a", "b"].iter().map(|s| s.to_string()).collect();
        let m = ranking(&["x", "a", "y", "b"], &relevant, 10);
        assert_eq!(m.recall, 1.0);
        assert_eq!(m.reciprocal_rank, 0.5);
        let dcg = 1.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let ideal = 1.0 + 1.0 / 3f64.log2();
        assert!((m.ndcg - dcg / ideal).abs() < 1e-12);
        let m = ranking(&["x", "a", "y", "b"], &relevant, 2);
        assert_eq!(m.recall, 0.5);
        assert_eq!(ranking(&["x"], &relevant, 10), RankingMetrics::default());
        let perfect = ranking(&["b", "a"], &relevant, 10);
        assert!((perfect.ndcg - 1.0).abs() < 1e-12);
    }
}

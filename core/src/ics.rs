//! ICS (International Classification for Standards) codes: `97` field,
//! `97.040` group, `97.040.30` sub-group.

/// Depth of the longest shared prefix between any of a standard's ICS codes
/// and any of an enterprise's ICS groups: 0 none, 1 field, 2 group,
/// 3 sub-group. A malformed code with more parts still counts as a
/// sub-group match ([`MAX_DEPTH`]): the proto field promises 0–3 and the
/// scoring model was trained on that range. Retrieval's candidates and the
/// advisor's peer-held candidates both take their depth from here.
pub fn match_depth(standard_ics: &[String], groups: &[String]) -> u32 {
    standard_ics
        .iter()
        .flat_map(|a| {
            groups.iter().map(move |b| {
                a.split('.')
                    .zip(b.split('.'))
                    .take_while(|(x, y)| x == y)
                    .count() as u32
            })
        })
        .max()
        .unwrap_or(0)
        .min(MAX_DEPTH)
}

/// The deepest level of a well-formed ICS code (sub-group).
pub const MAX_DEPTH: u32 = 3;

#[cfg(test)]
mod tests {
    use super::*;

    fn v(codes: &[&str]) -> Vec<String> {
        codes.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn depth_of_the_longest_shared_prefix() {
        assert_eq!(match_depth(&v(&["97.040.30"]), &v(&["97.040"])), 2);
        assert_eq!(match_depth(&v(&["97.040.30"]), &v(&["13.120"])), 0);
        assert_eq!(
            match_depth(&v(&["13.120", "97.040.30"]), &v(&["97", "97.040.30"])),
            3
        );
        assert_eq!(match_depth(&[], &v(&["97"])), 0);
        // Malformed deeper codes count as a sub-group match.
        assert_eq!(match_depth(&v(&["1.2.3.4"]), &v(&["1.2.3.4"])), MAX_DEPTH);
    }
}

//! "Did you mean …?" for misspelt names.

/// The candidate closest to `name` by edit distance, if it is close enough to be a plausible
/// typo: at most a third of the longer name's length edits away (so names of one or two
/// characters only match by case), or equal to `name` ignoring case, `-` and `_`. Ties go to the earliest candidate, so the answer is
/// deterministic for a given candidate order.
pub fn closest_match<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let normal = |s: &str| s.to_lowercase().replace(['-', '_'], "");
    let wanted = normal(name);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let distance = if normal(candidate) == wanted { 0 } else { edit_distance(name, candidate) };
        let limit = name.chars().count().max(candidate.chars().count()) / 3;
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance over characters where insertions, deletions, substitutions and swaps of two
/// neighbours each cost 1 (optimal string alignment).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("urban", "urban"), 0);
        assert_eq!(edit_distance("höhe", "hohe"), 1);
        assert_eq!(edit_distance("wiat", "wait"), 1);
    }

    #[test]
    fn suggests_close_names_only() {
        let values = ["highway", "rural", "urban", "intersection", "crosswalk", "yard"];
        assert_eq!(closest_match("urbn", values), Some("urban"));
        assert_eq!(closest_match("Highway", values), Some("highway"));
        assert_eq!(closest_match("intersektion", values), Some("intersection"));
        assert_eq!(closest_match("lead-braking", ["lead_braking", "cut_in"]), Some("lead_braking"));
        assert_eq!(closest_match("motorway", values), None);
        assert_eq!(closest_match("x", values), None);
        // Short names are all one edit apart; suggesting one would be a guess.
        assert_eq!(closest_match("S4", ["S0", "S1", "S2", "S3"]), None);
        assert_eq!(closest_match("s3", ["S0", "S1", "S2", "S3"]), Some("S3"));
        assert_eq!(closest_match("urban", values), None);
    }

    #[test]
    fn ties_go_to_the_first_candidate() {
        assert_eq!(closest_match("abc", ["abx", "aby"]), Some("abx"));
    }
}

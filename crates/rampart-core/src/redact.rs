/// Masks a secret for display: a short prefix survives when the secret is long enough that it
/// reveals little (so `ghp_` or `AKIA` still tells a reader what kind of credential it is), the
/// rest becomes a fixed mask that does not reveal the length.
pub fn redact(secret: &str) -> String {
    let chars = secret.chars().count();
    let keep = if chars >= 16 { 4 } else { 0 };
    let mut out: String = secret.chars().take(keep).collect();
    out.push_str("*****");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_secrets_keep_a_prefix_short_ones_nothing() {
        assert_eq!(redact("AKIAIOSFODNN7EXAMPLE"), "AKIA*****");
        assert_eq!(redact("hunter2"), "*****");
        assert_eq!(redact("ééééééééééééééééé"), "éééé*****");
    }
}

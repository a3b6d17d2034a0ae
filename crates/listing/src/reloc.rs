//! Relocation type names for the numeric form Go printed up to 1.21.

/// The name of a relocation type as printed: `R_CALL` stays, `7` becomes `R_CALL`.
///
/// Go 1.22 prints names, earlier versions the enum's number. The numbers below
/// are those of Go 1.19 to 1.21, checked against the same programs' listings
/// printed by 1.22. A weak relocation is printed as `RelocType(-32763)` or
/// `-32763` (the weak bit, 0x8000, on `R_ADDROFF`) and named `R_WEAKADDROFF`.
/// An unknown number is named `RelocType(N)`, as Go prints it.
pub(crate) fn name(printed: &str) -> String {
    let number = printed
        .strip_prefix("RelocType(")
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(printed);
    let Ok(n) = number.parse::<i32>() else {
        return printed.to_string();
    };
    const WEAK: i32 = 0x8000;
    let (weak, base) = if n < 0 { (true, n + WEAK) } else { (false, n) };
    let known = match base {
        1 => "ADDR",
        3 => "ADDRARM64",
        5 => "ADDROFF",
        7 => "CALL",
        9 => "CALLARM64",
        10 => "CALLIND",
        14 => "PCREL",
        15 => "TLS_LE",
        22 => "USETYPE",
        23 => "USEIFACE",
        31 => "DWARFSECREF",
        40 => "ARM64_PCREL_LDST32",
        41 => "ARM64_PCREL_LDST64",
        81 => "INITORDER",
        _ => return format!("RelocType({n})"),
    };
    if weak {
        format!("R_WEAK{known}")
    } else {
        format!("R_{known}")
    }
}

#[cfg(test)]
mod tests {
    use super::name;

    #[test]
    fn numbers_and_names() {
        assert_eq!(name("7"), "R_CALL");
        assert_eq!(name("R_CALL"), "R_CALL");
        assert_eq!(name("-32763"), "R_WEAKADDROFF");
        assert_eq!(name("RelocType(-32763)"), "R_WEAKADDROFF");
        assert_eq!(name("RelocType(-32767)"), "R_WEAKADDR");
        assert_eq!(name("99"), "RelocType(99)");
    }
}

use super::*;

/// Real spellings and the canonical id each must give.
const CANONICAL: &[(&str, &str)] = &[
    // Chinese national
    ("GB/T 19001-2016", "GB/T 19001-2016"),
    ("GB/T19001-2016", "GB/T 19001-2016"),
    ("GB/T19001—2016", "GB/T 19001-2016"),
    // Spellings of the national catalogue's files (cn-gb-national)
    ("GB 19147 -2013", "GB 19147-2013"),
    ("T/JSVA 008—2022", "T/JSVA 008-2022"),
    ("DB 37/T 2904-2019", "DB37/T 2904-2019"),
    ("DB12/ 684-2016", "DB12 684-2016"),
    ("DB15/T 2535—2025", "DB15/T 2535-2025"),
    ("T/CSSS 021.2—2024", "T/CSSS 021.2-2024"),
    ("ISO 20671-3：2023", "ISO 20671-3:2023"),
    ("IEC TS 61970-556：2016", "IEC TS 61970-556:2016"),
    ("IEC/TR 62726:2014", "IEC TR 62726:2014"),
    ("GB/T 19001–2016", "GB/T 19001-2016"),
    ("ＧＢ／Ｔ　１９００１－２０１６", "GB/T 19001-2016"),
    ("GB/T  19001 - 2016", "GB/T 19001-2016"),
    ("gb/t 19001-2016", "GB/T 19001-2016"),
    ("GBT 19001-2016", "GB/T 19001-2016"),
    ("GB-T 19001-2016", "GB/T 19001-2016"),
    ("GB／T 19001-2016", "GB/T 19001-2016"),
    ("GB T 19001 2016", "GB/T 19001-2016"),
    ("GB/T 19001:2016", "GB/T 19001-2016"),
    ("GB/T 19001", "GB/T 19001"),
    ("《GB/T 19001-2016》", "GB/T 19001-2016"),
    ("GB/T 19001-2016/ISO 9001:2015", "GB/T 19001-2016"),
    ("GB 4706.1-2005", "GB 4706.1-2005"),
    ("GB 4706.32—2012", "GB 4706.32-2012"),
    ("GB/T 1.1-2020", "GB/T 1.1-2020"),
    ("GB/T 20000.1-2014", "GB/T 20000.1-2014"),
    ("GB/Z 17624.1-1998", "GB/Z 17624.1-1998"),
    ("GB 8978-88", "GB 8978-1988"),
    ("GB 4706.1-2005/XG1-2006", "GB 4706.1-2005/XG1-2006"),
    ("GBZ 2.1-2019", "GBZ 2.1-2019"),
    ("GB 50016-2014", "GB 50016-2014"),
    // Chinese industry, local, group, enterprise
    ("jb/t7118-2004", "JB/T 7118-2004"),
    ("QC/T 29106-2014", "QC/T 29106-2014"),
    ("YY 0505-2012", "YY 0505-2012"),
    ("YYT 0316-2016", "YY/T 0316-2016"),
    ("HG/T 20592-2009", "HG/T 20592-2009"),
    ("SJ/T 11364-2014", "SJ/T 11364-2014"),
    ("NB/SH/T 0001-2019", "NB/SH/T 0001-2019"),
    ("DL/T 5210.1-2012", "DL/T 5210.1-2012"),
    ("DB37/T 1234-2020", "DB37/T 1234-2020"),
    ("db37/t1234—2020", "DB37/T 1234-2020"),
    ("DB44/ 1234-2020", "DB44 1234-2020"),
    ("T/CAS 115-2005", "T/CAS 115-2005"),
    ("T/CAS115-2005", "T/CAS 115-2005"),
    ("Q/ABC 001-2019", "Q/ABC 001-2019"),
    // ISO and IEC
    ("ISO 9001:2015", "ISO 9001:2015"),
    ("ISO9001:2015", "ISO 9001:2015"),
    ("iso 9001 2015", "ISO 9001:2015"),
    ("ISO 9001-2015", "ISO 9001:2015"),
    ("ISO 9001：2015", "ISO 9001:2015"),
    ("ISO-9001", "ISO 9001"),
    ("ISO 9001:2015.", "ISO 9001:2015"),
    ("ISO/IEC 27001:2022", "ISO/IEC 27001:2022"),
    ("ISO IEC 27001:2022", "ISO/IEC 27001:2022"),
    ("iso/iec27001:2013", "ISO/IEC 27001:2013"),
    ("iso/iec guide 98-3:2008", "ISO/IEC Guide 98-3:2008"),
    ("ISO GUIDE 73:2009", "ISO Guide 73:2009"),
    ("ISO/TS 16949:2009", "ISO/TS 16949:2009"),
    ("ISO TS 16949:2009", "ISO/TS 16949:2009"),
    ("ISO/TR 10013:2001", "ISO/TR 10013:2001"),
    ("IEC/TR 60083:1975", "IEC TR 60083:1975"),
    ("IEC/TS 62257-1:2003", "IEC TS 62257-1:2003"),
    ("ISO/IEC TR 29110-5-1-1:2012", "ISO/IEC TR 29110-5-1-1:2012"),
    ("ISO/CD TS 10303-1001", "ISO/CD TS 10303-1001"),
    ("ISO/DIS 10012", "ISO/DIS 10012"),
    ("ISO/CD 10993-1.2", "ISO/CD 10993-1.2"),
    ("ISO/R 10:1955", "ISO/R 10:1955"),
    ("IWA 1:2001", "IWA 1:2001"),
    ("ISO 105-E01:1987", "ISO 105-E01:1987"),
    ("IEC 60027-1A:1976", "IEC 60027-1A:1976"),
    (
        "ISO/IEC/IEEE 8802-1Q:2016/Amd 1:2017",
        "ISO/IEC/IEEE 8802-1Q:2016/AMD1:2017",
    ),
    ("ISO/HL7 10781:2009", "ISO/HL7 10781:2009"),
    // Bodies and types typed without spaces.
    ("iso/iects9569:2023", "ISO/IEC TS 9569:2023"),
    ("isots16949:2009", "ISO/TS 16949:2009"),
    ("isoiec27001:2022", "ISO/IEC 27001:2022"),
    ("iectr60083:1975", "IEC TR 60083:1975"),
    ("eniso9001:2015", "EN ISO 9001:2015"),
    ("dineniso9001:2015-11", "DIN EN ISO 9001:2015"),
    ("IEC 60335-2-40:2018", "IEC 60335-2-40:2018"),
    ("iec60335-2-40:2018", "IEC 60335-2-40:2018"),
    ("IEC 60335-2-40", "IEC 60335-2-40"),
    ("IEC 60335-2-40-2018", "IEC 60335-2-40:2018"),
    ("IEC 60335-2-40 2018", "IEC 60335-2-40:2018"),
    ("IEC 60335-1:2010/AMD1:2013", "IEC 60335-1:2010/AMD1:2013"),
    ("IEC 60335-1:2010+A1:2013", "IEC 60335-1:2010/AMD1:2013"),
    ("IEC 60335-1:2010/Amd.1:2013", "IEC 60335-1:2010/AMD1:2013"),
    ("ISO 9001:2015/Amd 1:2024", "ISO 9001:2015/AMD1:2024"),
    ("ISO 9001:2015 Amd 1:2024", "ISO 9001:2015/AMD1:2024"),
    ("ISO 10077-1:2006/Cor 1:2009", "ISO 10077-1:2006/COR1:2009"),
    ("IEC 62368-1:2018/COR1:2019", "IEC 62368-1:2018/COR1:2019"),
    ("ISO 10087:2022/CD Amd 1", "ISO 10087:2022/CD AMD1"),
    (
        "IEC 60068-2-6:1982+AMD1:1983+AMD2:1985 CSV",
        "IEC 60068-2-6:1982/AMD1:1983/AMD2:1985",
    ),
    ("IEC 60034-11:2020 RLV", "IEC 60034-11:2020"),
    ("IEC 60695-2-1/1:1994", "IEC 60695-2-1/1:1994"),
    ("CISPR 14-1:2016", "CISPR 14-1:2016"),
    ("cispr14-1:2016", "CISPR 14-1:2016"),
    ("ITU-T G.711", "ITU-T G.711"),
    ("ITU-R BT.709-6", "ITU-R BT.709-6"),
    // European
    ("EN 60335-1:2012+A11:2014", "EN 60335-1:2012+A11:2014"),
    ("EN 60335-1:2012/A11:2014", "EN 60335-1:2012+A11:2014"),
    ("EN 60335-1:2012/AC:2014", "EN 60335-1:2012+AC:2014"),
    ("EN ISO 9001:2015", "EN ISO 9001:2015"),
    ("EN IEC 60335-2-40:2024", "EN IEC 60335-2-40:2024"),
    ("BS EN 60335-1:2012+A11:2014", "BS EN 60335-1:2012+A11:2014"),
    ("DIN EN ISO 9001:2015-11", "DIN EN ISO 9001:2015"),
    ("CEN/TS 16555-1:2013", "CEN/TS 16555-1:2013"),
    // ETSI
    (
        "ETSI EN 300 328 V2.2.2 (2019-07)",
        "ETSI EN 300 328 V2.2.2 (2019-07)",
    ),
    (
        "etsi en 300328 v2.2.2(2019-07)",
        "ETSI EN 300 328 V2.2.2 (2019-07)",
    ),
    (
        "EN 300 328 V2.2.2 (2019-07)",
        "ETSI EN 300 328 V2.2.2 (2019-07)",
    ),
    (
        "ETSI ETS 300 001 ed.4 (1997-01)",
        "ETSI ETS 300 001 ed.4 (1997-01)",
    ),
    (
        "ETSI ETS 300 011/A1 ed.1 (1994-12)",
        "ETSI ETS 300 011/A1 ed.1 (1994-12)",
    ),
    (
        "ETSI GS NFV-IFA 001 V1.1.1 (2015-12)",
        "ETSI GS NFV-IFA 001 V1.1.1 (2015-12)",
    ),
    (
        "ETSI GR F5G 001 V1.1.1 (2020-12)",
        "ETSI GR F5G 001 V1.1.1 (2020-12)",
    ),
    (
        "ETSI TS 100 392-11-8 V1.1.1 (2000-09)",
        "ETSI TS 100 392-11-8 V1.1.1 (2000-09)",
    ),
    // ETSI ids typed without spaces.
    (
        "etsien300362v1.3.1(2004-01)",
        "ETSI EN 300 362 V1.3.1 (2004-01)",
    ),
    (
        "etsits100392-11-8v1.1.1(2000-09)",
        "ETSI TS 100 392-11-8 V1.1.1 (2000-09)",
    ),
    (
        "etsiets300001ed.4(1997-01)",
        "ETSI ETS 300 001 ed.4 (1997-01)",
    ),
    (
        "etsigsnfv-ifa001v1.1.1(2015-12)",
        "ETSI GS NFV-IFA 001 V1.1.1 (2015-12)",
    ),
    (
        "etsigrf5g001v1.1.1(2020-12)",
        "ETSI GR F5G 001 V1.1.1 (2020-12)",
    ),
    // Foreign national
    ("ANSI/UL 1017", "ANSI/UL 1017"),
    ("UL 60335-1", "UL 60335-1"),
    ("JIS C 9335-1:2014", "JIS C 9335-1:2014"),
    ("JIS C9335-1:2014", "JIS C 9335-1:2014"),
    ("KS C IEC 60335-1", "KS C IEC 60335-1"),
    ("ASTM D638-14", "ASTM D638-14"),
    ("SAE J1772", "SAE J1772"),
    ("AS/NZS 60335.1:2011", "AS/NZS 60335.1:2011"),
    ("OIML R 76-1:2006", "OIML R 76-1:2006"),
    // As documents cite them (issue 21's list): full width, no space,
    // an edition number, EN adoptions, an amendment after the edition.
    ("ＧＢ４７０６．１－２００５", "GB 4706.1-2005"),
    ("GB4706.1", "GB 4706.1"),
    ("IEC 60335-2-40 Ed.6", "IEC 60335-2-40"),
    ("IEC 60335-2-40 Ed 6.0", "IEC 60335-2-40"),
    ("ISO 9001:2015 edition 5", "ISO 9001:2015"),
    ("EN ISO 13849-1", "EN ISO 13849-1"),
    (
        "IEC 60335-2-40:2018+AMD1:2023",
        "IEC 60335-2-40:2018/AMD1:2023",
    ),
];

#[test]
fn canonical_forms() {
    let mut failures = Vec::new();
    for &(input, expected) in CANONICAL {
        match normalize(input) {
            Ok(got) if got == expected => {}
            other => failures.push(format!("{input:?}: expected {expected:?}, got {other:?}")),
        }
        // Canonical ids are fixed points.
        assert_eq!(normalize(expected).as_deref(), Ok(expected), "{expected}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(CANONICAL.len() >= 50);
}

#[test]
fn errors_name_the_reason() {
    let long = format!("GB/T {}", "1".repeat(MAX_CODE_LEN));
    type Check = fn(&CodeError) -> bool;
    let cases: &[(&str, Check)] = &[
        ("", |e| *e == CodeError::Empty),
        ("  \u{3000} ", |e| *e == CodeError::Empty),
        ("《》", |e| *e == CodeError::Empty),
        ("hello world", |e| matches!(e, CodeError::NoNumber(_))),
        ("质量管理体系 要求", |e| {
            matches!(e, CodeError::NoNumber(_))
        }),
        ("GB/T", |e| matches!(e, CodeError::NoNumber(_))),
        ("ISO/IEC Guide", |e| matches!(e, CodeError::NoNumber(_))),
        ("GB/T ABC 1", |e| matches!(e, CodeError::NoNumber(_))),
        ("hello world 123", |e| {
            matches!(e, CodeError::UnknownPrefix { .. })
        }),
        ("HELLO 123", |e| {
            matches!(e, CodeError::UnknownPrefix { .. })
        }),
        ("TR 123", |e| matches!(e, CodeError::UnknownPrefix { .. })),
        ("19001-2016", |e| matches!(e, CodeError::NoPrefix(_))),
        ("(ISO 9001)", |e| matches!(e, CodeError::NoPrefix(_))),
        (
            &long,
            |e| matches!(e, CodeError::TooLong { len, max: MAX_CODE_LEN } if *len == MAX_CODE_LEN + 5),
        ),
        (
            "GB/T 19001-20166",
            |e| matches!(e, CodeError::InvalidYear { year, .. } if year == "20166"),
        ),
        ("GB/T 19001-1850", |e| {
            matches!(e, CodeError::InvalidYear { .. })
        }),
        ("ISO 9001:15", |e| {
            matches!(e, CodeError::InvalidYear { .. })
        }),
        ("ISO 9001:2015/Amd 1:1", |e| {
            matches!(e, CodeError::InvalidYear { .. })
        }),
        ("GB/T 19001-2016/ISO 9001:20155", |e| {
            matches!(e, CodeError::InvalidYear { .. })
        }),
        (
            "ISO 9001:2015 hello",
            |e| matches!(e, CodeError::Trailing { rest, .. } if rest == "HELLO"),
        ),
        ("GB/T 19001-2016-01", |e| {
            matches!(e, CodeError::Trailing { .. })
        }),
        ("GB/T 19001-2016 质量管理体系", |e| {
            matches!(e, CodeError::InvalidChar { ch: '质', .. })
        }),
        ("ISO 9001;2015", |e| {
            matches!(e, CodeError::InvalidChar { ch: ';', .. })
        }),
    ];
    for (input, check) in cases {
        let result = StdCode::parse(input);
        match &result {
            Err(e) if check(e) => assert!(!e.to_string().is_empty()),
            other => panic!("{input:?} gave {other:?}"),
        }
    }
    // Messages say what went wrong and quote the input.
    let message = normalize("HELLO 123").unwrap_err().to_string();
    assert!(
        message.contains("unknown prefix") && message.contains("HELLO 123"),
        "{message}"
    );
    assert_eq!(
        StdCode::parse("ISO/IEC JTC 1"),
        Err(CodeError::UnknownPrefix {
            code: "ISO/IEC JTC 1".into(),
            prefix: "ISO/IEC JTC".into()
        })
    );
}

#[test]
fn fields_base_edition_and_family() {
    let code = StdCode::parse("IEC 60335-1:2010+A1:2013").unwrap();
    assert_eq!(code.prefix, "IEC");
    assert_eq!(code.number, "60335-1");
    assert_eq!(code.year, Some(2010));
    assert_eq!(code.amendments, ["AMD1:2013"]);
    assert_eq!(code.edition_id(), "IEC 60335-1:2010");
    assert_eq!(code.base(), "IEC 60335-1");
    assert_eq!(code.to_string(), "IEC 60335-1:2010/AMD1:2013");

    let en = StdCode::parse("EN 60335-1:2012+A11:2014").unwrap();
    assert_eq!(en.amendments, ["A11:2014"]);
    assert_eq!(en.edition_id(), "EN 60335-1:2012");

    let etsi: StdCode = "ETSI EN 300 328 V2.2.2 (2019-07)".parse().unwrap();
    assert_eq!(etsi.year, Some(2019));
    assert_eq!(etsi.base(), "ETSI EN 300 328");
    assert_eq!(etsi.edition_id(), "ETSI EN 300 328 V2.2.2 (2019-07)");
    // Found by fuzzing: an input within the length limit whose canonical
    // spelling is not was accepted, and its canonical id then refused.
    let long = format!("ISO 1{}", "+A1".repeat(23));
    assert!(long.len() <= MAX_CODE_LEN);
    assert!(matches!(
        StdCode::parse(&long),
        Err(CodeError::TooLong { .. })
    ));
    // Found by fuzzing: a separator before the date stayed in the number,
    // so the base ("ETSI EN 300 322.") read back as another code.
    let dangling = StdCode::parse("ETSI EN 300 322. (2019-07)").unwrap();
    assert_eq!(dangling.number, "300 322 (2019-07)");
    assert_eq!(dangling.base(), "ETSI EN 300 322");
    assert_eq!(
        StdCode::parse(&dangling.base()).unwrap().base(),
        "ETSI EN 300 322"
    );

    let bases = [
        ("GB/T 19001-2016", "GB/T 19001"),
        ("GB 4706.32-2012", "GB 4706.32"),
        ("IEC 60335-2-40:2018", "IEC 60335-2-40"),
        ("ISO/IEC 27001:2022/Amd 1:2024", "ISO/IEC 27001"),
        ("DB37/T 1234-2020", "DB37/T 1234"),
        ("ETSI ETS 300 001 ed.4 (1997-01)", "ETSI ETS 300 001"),
    ];
    for (input, base) in bases {
        assert_eq!(StdCode::parse(input).unwrap().base(), base, "{input}");
    }

    let families = [
        ("GB 4706.1-2005", "GB"),
        ("GB/T 19001-2016", "GB/T"),
        ("GB/Z 17624.1-1998", "GB/Z"),
        ("GBZ 2.1-2019", "GBZ"),
        ("ISO 9001:2015", "ISO"),
        ("ISO/TR 10013:2001", "ISO"),
        ("ISO/CD TS 10303-1001", "ISO"),
        ("ISO/IEC 27001:2022", "ISO/IEC"),
        ("ISO/IEC Guide 98-3:2008", "ISO/IEC"),
        ("ISO/IEC/IEEE 8802-3:2021", "ISO/IEC/IEEE"),
        ("IEC 60335-2-40:2018", "IEC"),
        ("IEC TS 62257-1:2003", "IEC"),
        ("CISPR 14-1:2016", "CISPR"),
        ("EN 60335-1:2012", "EN"),
        ("EN ISO 9001:2015", "EN"),
        ("CEN/TS 16555-1:2013", "CEN"),
        ("ETSI EN 300 328 V2.2.2 (2019-07)", "ETSI"),
        ("JB/T 7118-2004", "JB/T"),
        ("NB/SH/T 0001-2019", "NB/SH/T"),
        ("DB37/T 1234-2020", "DB37/T"),
        ("DB44 1234-2020", "DB44"),
        ("T/CAS 115-2005", "T/CAS"),
        ("Q/ABC 001-2019", "Q/ABC"),
        ("BS EN 60335-1:2012", "BS"),
        ("JIS C 9335-1:2014", "JIS"),
        ("ITU-T G.711", "ITU-T"),
        ("AS/NZS 60335.1:2011", "AS/NZS"),
    ];
    for (input, family) in families {
        assert_eq!(StdCode::parse(input).unwrap().family(), family, "{input}");
    }
}

#[test]
fn level_and_nature() {
    use Level::*;
    use Nature::*;
    let cases = [
        ("GB 4706.1-2005", National, Mandatory),
        ("GB/T 19001-2016", National, Recommended),
        ("GB/Z 17624.1-1998", National, Guidance),
        ("GBZ 2.1-2019", National, Mandatory),
        ("ISO 9001:2015", International, Recommended),
        ("ISO/IEC 27001:2022", International, Recommended),
        ("IEC 60335-2-40:2018", International, Recommended),
        ("CISPR 14-1:2016", International, Recommended),
        ("ITU-T G.711", International, Recommended),
        ("EN 60335-1:2012", Regional, Recommended),
        ("EN ISO 9001:2015", Regional, Recommended),
        ("ETSI EN 300 328 V2.2.2 (2019-07)", Regional, Recommended),
        ("CEN/TS 16555-1:2013", Regional, Recommended),
        ("JB/T 7118-2004", Industry, Recommended),
        ("YY 0505-2012", Industry, Mandatory),
        ("HG/T 20592-2009", Industry, Recommended),
        ("DB/T 2-2003", Industry, Recommended),
        ("DB37/T 1234-2020", Local, Recommended),
        ("DB44 1234-2020", Local, Mandatory),
        ("T/CAS 115-2005", Group, Recommended),
        ("Q/ABC 001-2019", Enterprise, Recommended),
        ("ANSI/UL 1017", National, Recommended),
        ("BS EN 60335-1:2012", National, Recommended),
        ("DIN EN 60335-1:2012", National, Recommended),
        ("JIS C 9335-1:2014", National, Recommended),
        ("ASTM D638-14", National, Recommended),
        ("KS C IEC 60335-1", National, Recommended),
        ("NF C15-100", National, Recommended),
    ];
    for (input, level, nature) in cases {
        let code = StdCode::parse(input).unwrap();
        assert_eq!((code.level(), code.nature()), (level, nature), "{input}");
    }
}

#[test]
fn number_keys() {
    let cases = [
        ("60335-2-40", "60335-2-40"),
        ("IEC 60335-2-40", "60335-2-40"),
        ("IEC60335-2-40:2018", "60335-2-40"),
        ("EN IEC 60335-2-40:2024", "60335-2-40"),
        ("GB/T 19001-2016", "19001"),
        ("19001-2016", "19001"),
        ("19001—2016", "19001"),
        ("GB 4706.1-2005", "4706.1"),
        ("4706.1-2005", "4706.1"),
        ("ISO 9001:2015/Amd 1:2024", "9001"),
        ("9001:2015", "9001"),
        ("ISO 105-E01", "105-E01"),
        ("ETSI EN 300 328 V2.2.2 (2019-07)", "300328"),
        ("EN 300 328", "300328"),
        ("300 328", "300328"),
        ("ASTM D638-14", "D638-14"),
    ];
    for (input, key) in cases {
        assert_eq!(number_key(input).as_deref(), Some(key), "{input}");
    }
    for input in ["", "hello", "GB/T", "ISO"] {
        assert_eq!(number_key(input), None, "{input}");
    }
}

#[test]
fn editions_are_reported_not_kept() {
    assert_eq!(edition_of("IEC 60335-2-40 Ed.6"), Some(6));
    assert_eq!(edition_of("IEC 60335-2-40:2018 ED 7.0"), Some(7));
    assert_eq!(edition_of("ISO 9001 edition 5"), Some(5));
    assert_eq!(edition_of("IEC 60335-2-40"), None);
}

/// (text, [(cited text, canonical id)]) for [`find_codes`].
const IN_TEXT: &[(&str, &[(&str, &str)])] = &[
    (
        "产品应符合GB/T 19001—2016《质量管理体系 要求》的规定。",
        &[("GB/T 19001—2016", "GB/T 19001-2016")],
    ),
    (
        "安全：ＧＢ４７０６．１－２００５，能效见GB4706.1。",
        &[
            ("ＧＢ４７０６．１－２００５", "GB 4706.1-2005"),
            ("GB4706.1", "GB 4706.1"),
        ],
    ),
    (
        "Certified to ISO 9001:2015 and tested per IEC 60335-2-40 Ed.6 (2022).",
        &[
            ("ISO 9001:2015", "ISO 9001:2015"),
            ("IEC 60335-2-40 Ed.6", "IEC 60335-2-40"),
        ],
    ),
    (
        "Safety of machinery: EN ISO 13849-1; IEC 60335-2-40:2018+AMD1:2023.",
        &[
            ("EN ISO 13849-1", "EN ISO 13849-1"),
            (
                "IEC 60335-2-40:2018+AMD1:2023",
                "IEC 60335-2-40:2018/AMD1:2023",
            ),
        ],
    ),
    (
        "引用标准：GB 4706.1、4706.32 和 GB/T 2828.1—2012",
        &[
            ("GB 4706.1", "GB 4706.1"),
            ("4706.32", "GB 4706.32"),
            ("GB/T 2828.1—2012", "GB/T 2828.1-2012"),
        ],
    ),
    (
        "(GB/T 19001-2016/ISO 9001:2015), T/CAS 115-2005, DB37/T 1234-2020.",
        &[
            ("GB/T 19001-2016/ISO 9001:2015", "GB/T 19001-2016"),
            ("T/CAS 115-2005", "T/CAS 115-2005"),
            ("DB37/T 1234-2020", "DB37/T 1234-2020"),
        ],
    ),
    // English words are not prefixes; a year after a comma is not a part.
    (
        "It is 2 AS 3 in 2016, see GB/T 19001-2016, 2017 edition.",
        &[("GB/T 19001-2016", "GB/T 19001-2016")],
    ),
    ("THE ISOLATION OF 12 UNITS; ABC123 GB", &[]),
];

#[test]
fn codes_in_text() {
    for (text, expected) in IN_TEXT {
        let found: Vec<(&str, String)> = find_codes(text)
            .iter()
            .map(|f| (&text[f.start..f.end], f.code.canonical()))
            .collect();
        let expected: Vec<(&str, String)> =
            expected.iter().map(|(t, c)| (*t, c.to_string())).collect();
        assert_eq!(found, expected, "{text}");
    }
    let listed = find_codes("GB 4706.1、4706.32");
    assert_eq!(
        listed.iter().map(|f| f.listed).collect::<Vec<_>>(),
        [false, true]
    );
    assert_eq!(find_codes("IEC 60335-2-40 Ed.6")[0].edition, Some(6));
    // Odd text never panics and finds nothing out of nothing.
    for odd in ["", "GB", "GB/", "ＧＢ", "T/", "DB", "、4706", "\u{0}GB 1"] {
        let _ = find_codes(odd);
    }
}

#[test]
fn variants_are_reported_not_kept() {
    assert_eq!(variant_of("IEC 60034-11:2020 RLV").as_deref(), Some("RLV"));
    assert_eq!(
        variant_of("IEC 60335-2-101:2024 EXV-CMV").as_deref(),
        Some("EXV-CMV")
    );
    assert_eq!(variant_of("IEC 60034-11:2020"), None);
}

/// Cheap deterministic generator for the no-panic test (no `rand` in core).
fn lcg(state: &mut u64) -> usize {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*state >> 33) as usize
}

fn exercise(input: &str) {
    let _ = number_key(input);
    let _ = variant_of(input);
    for found in find_codes(input) {
        assert!(input.get(found.start..found.end).is_some(), "{input:?}");
        let canonical = found.code.canonical();
        assert_eq!(StdCode::parse(&canonical).as_ref(), Ok(&found.code));
    }
    if let Ok(code) = StdCode::parse(input) {
        let canonical = code.canonical();
        let _ = (code.base(), code.family(), code.level(), code.nature());
        // Whatever is accepted normalises to a fixed point.
        assert_eq!(
            StdCode::parse(&canonical),
            Ok(code),
            "{input:?} -> {canonical:?}"
        );
    }
}

#[test]
fn odd_input_never_panics() {
    let odd = [
        "\u{0}",
        "\u{202E}GB/T 19001-2016",
        "GB/T\u{200B}19001-2016",
        "𝔾𝔹/𝕋 19001-2016",
        "ﷺ 1",
        "㍻12",
        "e\u{301}\u{301}\u{301} 1",
        "🙂 ISO 9001",
        "ISO 9001:2015🙂",
        "----",
        "////1",
        "((((1",
        "1:",
        ":1",
        "GB/T 1.",
        "GB/T .1",
        "GB/T 1..1",
        "ETSI",
        "ETSI 1",
        "ETSI (2019",
        "ETSI EN 300 328 V",
        "ETSI EN 300 328 ed.",
        "ETSI EN 300 328 (99999-1)",
        "EN 300 328 V2.",
        "T/",
        "T/1",
        "Q/",
        "Q/1",
        "Q/12345 1",
        "DB",
        "DB1",
        "DB1234567 1",
        "ISO 9001:2015/",
        "ISO 9001:2015+",
        "ISO 9001:2015/Amd",
        "ISO 9001:2015/Amd 1:",
        "ISO 9001:65535",
        "ISO 9001:99999999999999999999",
        "GB 1-99999999999999999999",
        "IEC 60335-2-40-",
        "ITU- 1",
        "HL7 1",
        "JIS C",
        "KS C C C 1",
    ];
    for input in odd {
        exercise(input);
    }
    let long = "GB/T 19001-2016 ".repeat(10_000);
    assert!(matches!(
        StdCode::parse(&long),
        Err(CodeError::TooLong { .. })
    ));
    exercise(&long);
    exercise(&"\u{FDFA}".repeat(MAX_CODE_LEN));
    exercise(&"1".repeat(MAX_CODE_LEN));

    // Random sequences of the pieces codes are made of.
    let pieces = [
        "GB", "T", "Z", "/", "-", "—", ":", ".", "+", " ", "(", ")", "ISO", "IEC", "EN", "ETSI",
        "V", "ED", "AMD", "Amd", "A", "COR", "AC", "XG", "CSV", "RLV", "DB", "37", "Q", "CAS", "1",
        "9001", "2015", "88", "60335", "300", "328", "TR", "TS", "Guide", "JIS", "C", "D", "ITU",
        "HL", "7", "ＧＢ", "／", "１", "é", "\u{0}",
    ];
    let mut state = 42;
    for _ in 0..20_000 {
        let len = 1 + lcg(&mut state) % 10;
        let input: String = (0..len)
            .map(|_| pieces[lcg(&mut state) % pieces.len()])
            .collect();
        exercise(&input);
    }
}

/// Every id in the ISO, IEC and ETSI catalogues (../shared/data) parses, except the few
/// that are not standards, and its canonical form is a fixed point.
#[test]
fn catalogue_ids() {
    use std::io::BufRead;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    let files = [
        "relaton-iso/iso_publications.jsonl.gz",
        "relaton-iec/iec_publications.jsonl.gz",
        "relaton-etsi/etsi_publications.jsonl.gz",
    ];
    for name in files {
        let Ok(file) = std::fs::File::open(dir.join(name)) else {
            eprintln!("skipping: {name} not found beside the project");
            continue;
        };
        let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
        let (mut total, mut failed) = (0usize, Vec::new());
        for line in reader.lines() {
            let line = line.unwrap();
            let record: serde_json::Value = serde_json::from_str(&line).unwrap();
            let Some(id) = record["docid"].as_str() else {
                continue;
            };
            total += 1;
            match StdCode::parse(id) {
                Ok(code) => {
                    let canonical = code.canonical();
                    let again = StdCode::parse(&canonical).unwrap();
                    assert_eq!(again, code, "{id} -> {canonical}");
                }
                Err(e) => failed.push(format!("{id}: {e}")),
            }
        }
        // White papers, trend reports and a handful of odd ids are not standards.
        assert!(
            failed.len() * 500 < total,
            "{name}: {} of {total} ids failed:\n{}",
            failed.len(),
            failed.join("\n")
        );
    }
}

#[test]
fn the_series_a_part_belongs_to() {
    let series = |code: &str| StdCode::parse(code).unwrap().series();
    assert_eq!(series("GB/T 3565.1-2022").as_deref(), Some("GB 3565"));
    assert_eq!(series("GB 3565.2-2022").as_deref(), Some("GB 3565"));
    assert_eq!(series("DB37/T 2904.3-2019").as_deref(), Some("DB37 2904"));
    assert_eq!(series("ISO 6185-2:2001").as_deref(), Some("ISO 6185"));
    assert_eq!(series("IEC 60335-2-40:2022").as_deref(), Some("IEC 60335"));
    assert_eq!(
        series("ETSI EN 301 489-6 V2.2.1").as_deref(),
        Some("ETSI EN 301 489")
    );
    assert_eq!(series("ISO 9001:2015"), None);
    assert_eq!(series("GB 7258-2017"), None);
}

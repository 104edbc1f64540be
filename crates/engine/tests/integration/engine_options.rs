//! The options table is consistent (issue 11): names and aliases are unique and resolve,
//! every default is valid, every option's text round-trips through `set`/`get`, and
//! the enums parse their names, aliases and other spellings the one way.
use std::collections::HashSet;

use engine::options::{SPECS, Ty, Val, canonical_name, value_choices};
use engine::{
    Applies, BulkLoadMethod, CompactionStyle, Compression, DbOptions, Opt, WarmValueCache,
};

#[test]
fn the_table_lists_every_option_once_in_declaration_order() {
    assert_eq!(SPECS.len(), Opt::ALL.len());
    for (i, (spec, opt)) in SPECS.iter().zip(Opt::ALL).enumerate() {
        assert_eq!(spec.opt, opt, "row {i}");
        assert_eq!(opt.spec().name, spec.name);
        assert_eq!(DbOptions::NAMES[i], spec.name);
    }
    let mut seen = HashSet::new();
    for spec in &SPECS {
        for n in std::iter::once(&spec.name).chain(spec.aliases) {
            assert!(seen.insert(*n), "{n} names two options");
            assert_eq!(Opt::from_name(n), Some(spec.opt), "{n}");
            assert_eq!(canonical_name(&n.to_uppercase()), Some(spec.name), "{n}");
        }
        assert!(!spec.help.is_empty(), "{} has no help", spec.name);
    }
    // Today's aliases.
    for (alias, name) in [
        ("block_cache_bytes", "block_cache_size"),
        ("sync_writes", "sync"),
        ("bloom_bits", "bloom_bits_per_key"),
    ] {
        assert_eq!(canonical_name(alias), Some(name));
    }
}

#[test]
fn every_default_is_valid_and_round_trips() {
    let d = DbOptions::default();
    d.validate().expect("defaults are valid");
    for spec in &SPECS {
        let v = d.value(spec.opt);
        assert_eq!(spec.ty.check(v), Ok(()), "{}", spec.name);
        let text = d.get(spec.name).expect("known");
        let mut o = d.clone();
        o.set(spec.name, &text)
            .unwrap_or_else(|e| panic!("{} = {text}: {e}", spec.name));
        assert_eq!(o, d, "{} = {text} changed something", spec.name);
    }
}

/// Values worth trying for one option: its choices, or the ends of its range.
fn samples(ty: &Ty) -> Vec<Val> {
    match ty {
        Ty::Size(r) | Ty::Int(r) => [r.lo, r.hi].into_iter().chain(r.or).map(Val::Int).collect(),
        Ty::Float { lo, hi, .. } => vec![Val::Float(*lo), Val::Float(*hi), Val::Float(12.5)],
        Ty::Bool => vec![Val::Bool(true), Val::Bool(false)],
        Ty::Enum(c) => c.names.iter().copied().map(Val::Choice).collect(),
    }
}

#[test]
fn every_allowed_value_round_trips_through_set_and_get() {
    for spec in &SPECS {
        for v in samples(&spec.ty) {
            let text = spec.ty.format(v);
            let mut o = DbOptions::default();
            o.set_unvalidated(spec.name, &text)
                .unwrap_or_else(|e| panic!("{} = {text}: {e}", spec.name));
            assert_eq!(o.value(spec.opt), v, "{} = {text}", spec.name);
            assert_eq!(o.get(spec.name).as_deref(), Some(text.as_str()));
            let mut again = o.clone();
            again.set_unvalidated(spec.name, &text).expect("again");
            assert_eq!(again, o);
        }
    }
}

#[test]
fn out_of_range_values_are_refused_with_the_range() {
    let mut o = DbOptions::default();
    for (name, value, text) in [
        // Too large for the field's type is out of range too, not "not a number".
        (
            "max_write_buffer_number",
            "99999999999",
            "must be between 2 and 64",
        ),
        (
            "value_cache_entries",
            "-1",
            "between 0 (off) and 1000000000",
        ),
        ("max_open_files", "0", "must be -1 (unlimited)"),
        ("block_size", "512", "between 1KiB and 64MiB"),
        ("bloom_bits_per_key", "NaN", "between 0 (off) and 100"),
    ] {
        let e = o.set(name, value).expect_err(name).to_string();
        assert!(e.contains(text), "{name} = {value}: {e}");
    }
    assert_eq!(o, DbOptions::default());
    o.set("max_open_files", "-1").expect("unlimited");
}

#[test]
fn kinds_come_from_how_options_are_applied() {
    let kind = |n: &str| Opt::from_name(n).expect(n).applies();
    assert_eq!(kind("block_cache_size"), Applies::Live);
    assert_eq!(kind("compression"), Applies::Live);
    assert_eq!(kind("bulk_load_method"), Applies::Live);
    assert_eq!(kind("block_size"), Applies::NewFiles);
    assert_eq!(kind("compaction_style"), Applies::Reopen);
    assert_eq!(kind("rocksdb_statistics"), Applies::Reopen);
    assert_eq!(kind("value_cache_shards"), Applies::AtOpen);
    for spec in &SPECS {
        assert_eq!(spec.apply.applies(), spec.opt.applies());
    }
}

#[test]
fn completion_offers_bools_and_enum_names() {
    assert_eq!(value_choices("wal"), ["on", "off"]);
    assert_eq!(
        value_choices("compaction_style"),
        ["level", "universal", "fifo"]
    );
    assert_eq!(
        value_choices("bulk_load_method"),
        ["sst-ingest", "wal-off-batches"]
    );
    assert!(value_choices("block_size").is_empty());
    assert!(value_choices("no_such_option").is_empty());
}

#[test]
fn enums_parse_names_aliases_and_spellings_one_way() {
    let m = |s: &str| s.parse::<BulkLoadMethod>();
    assert_eq!(m("sst"), Ok(BulkLoadMethod::SstIngest));
    assert_eq!(m("SST-Ingest"), Ok(BulkLoadMethod::SstIngest));
    assert_eq!(m("sst_ingest"), Ok(BulkLoadMethod::SstIngest));
    assert_eq!(m(" batches "), Ok(BulkLoadMethod::WalOffBatches));
    assert_eq!(
        m("copy").unwrap_err(),
        "expected one of sst-ingest, wal-off-batches"
    );
    assert_eq!("LZ4".parse::<Compression>(), Ok(Compression::Lz4));
    assert_eq!("Fifo".parse::<CompactionStyle>(), Ok(CompactionStyle::Fifo));
    for c in Compression::ALL {
        assert_eq!(c.as_str().parse::<Compression>(), Ok(*c));
        let json = serde_json::to_string(c).expect("json");
        assert_eq!(json, format!("\"{}\"", c.as_str()));
    }
    let json = serde_json::to_value(DbOptions::default()).expect("json");
    assert_eq!(json["bulk_load_method"], "sst-ingest");
    assert_eq!(json["block_cache_type"], "lru");
    assert_eq!(json["stats_level"], "except_timers");
}

/// Issue 12, bug 8: caches past the machine's memory warn, far past it are refused.
#[test]
fn cache_sizes_are_checked_against_the_machine_memory() {
    const GIB: u64 = 1 << 30;
    let mut o = DbOptions::default();
    // 64 MiB block cache + 1 GiB value cache + 4 x 256 MiB write buffers.
    assert_eq!(o.cache_memory(), 64 * (1 << 20) + GIB + GIB);
    assert_eq!(o.check_memory(8 * GIB).expect("fits"), None);
    o.set("block_cache_size", "16GiB").expect("set");
    let warning = o.check_memory(8 * GIB).expect("warns only");
    let warning = warning.expect("a warning");
    assert!(
        warning.contains("more than this machine's 8.0 GiB"),
        "{warning}"
    );
    assert!(warning.contains("block cache 16.0 GiB"), "{warning}");
    o.set("block_cache_size", "1TB").expect("set");
    let refused = o.check_memory(8 * GIB).expect_err("refused");
    let text = refused.to_string();
    assert!(text.contains("over 4x this machine's 8.0 GiB"), "{text}");
    assert!(text.contains("nothing changed"), "{text}");
    // The value cache counts its size in bytes (nothing when off); write buffers times
    // their number.
    let mut v = DbOptions::default();
    v.set("value_cache_size", "64GiB").expect("set");
    assert!(v.check_memory(8 * GIB).is_err());
    v.set("value_cache_entries", "0").expect("set");
    assert!(v.check_memory(8 * GIB).expect("cache off").is_none());
    let mut w = DbOptions::default();
    w.set("write_buffer_size", "1GiB").expect("set");
    w.set("max_write_buffer_number", "16").expect("set");
    assert!(w.check_memory(8 * GIB).expect("warns").is_some());
}

/// Issue 28 item 2: `warm_value_cache` is off|background|inline, background by default;
/// the old boolean name sets it (on = inline, off = off), and the old field, set to
/// false by code, turns the warm-up off.
#[test]
fn warm_value_cache_takes_three_modes_and_the_old_name() {
    let mut o = DbOptions::default();
    assert_eq!(o.warm_value_cache, WarmValueCache::Background);
    assert_eq!(o.warm_mode(), WarmValueCache::Background);
    assert_eq!(
        Opt::from_name("warm_value_cache_on_load"),
        Some(Opt::WarmValueCache)
    );
    assert_eq!(Opt::WarmValueCache.applies(), Applies::Live);
    assert_eq!(
        value_choices("warm_value_cache"),
        ["off", "background", "inline"]
    );
    for (name, value, want) in [
        ("warm_value_cache", "off", WarmValueCache::Off),
        ("warm_value_cache", "Inline", WarmValueCache::Inline),
        ("warm_value_cache", "background", WarmValueCache::Background),
        ("warm_value_cache_on_load", "on", WarmValueCache::Inline),
        ("warm_value_cache_on_load", "off", WarmValueCache::Off),
        ("warm_value_cache_on_load", "true", WarmValueCache::Inline),
        (
            "warm_value_cache_on_load",
            "background",
            WarmValueCache::Background,
        ),
    ] {
        assert_eq!(o.set(name, value).expect(value), "warm_value_cache");
        assert_eq!(o.warm_value_cache, want, "{name} {value}");
        assert_eq!(
            o.get("warm_value_cache_on_load").as_deref(),
            Some(want.as_str())
        );
    }
    let e = o.set("warm_value_cache", "on").unwrap_err().to_string();
    assert!(e.contains("off, background, inline"), "{e}");
}

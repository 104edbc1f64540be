//! How a key is stored in RocksDB: a leaf the store and its event listener share.

const SIGN: u64 = 1 << 63;

/// Encodes a key for RocksDB: flip the sign bit, big-endian. Bytewise order of the
/// encodings is the numeric order of the keys.
#[inline]
pub const fn encode_key(key: i64) -> [u8; 8] {
    ((key as u64) ^ SIGN).to_be_bytes()
}

/// Decodes [`encode_key`]'s output; `None` if `bytes` is not 8 bytes long.
#[inline]
pub fn decode_key(bytes: &[u8]) -> Option<i64> {
    let a: [u8; 8] = bytes.try_into().ok()?;
    Some((u64::from_be_bytes(a) ^ SIGN) as i64)
}

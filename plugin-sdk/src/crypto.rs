//! Cryptography with keys the hub holds: name a key of the device being
//! served (its config lists their names in `DeviceConfig::keys`); the key
//! itself never enters the driver. Under the [`Harness`](crate::Harness) the
//! keys come from `Harness::set_key`.
//!
//! ```
//! # use twinwall_plugin_sdk::{crypto, prelude::*};
//! # struct D; impl Driver for D { fn describe() -> DriverInfo { DriverInfo::new("d", "0") }
//! # fn open(_: DeviceConfig) -> Result<Self, DriverError> { Ok(D) } fn handle(&mut self, _: Input) -> Outcome { Outcome::default() } }
//! let mut h = Harness::<D>::open(DeviceConfig::new("d1")).unwrap();
//! h.set_key("dc09", &[7; 16]);
//! let c = crypto::encrypt("dc09", &[0; 16], b"sixteen bytes!!!").unwrap();
//! assert_eq!(crypto::decrypt("dc09", &[0; 16], &c).unwrap(), b"sixteen bytes!!!");
//! assert!(crypto::decrypt("nope", &[0; 16], &c).is_err());
//! ```

/// AES-CBC encryption (no padding: whole 16-byte blocks) with the device's key `key`.
pub fn encrypt(key: &str, iv: &[u8], data: &[u8]) -> Result<Vec<u8>, String> {
    run(key, iv, data, true)
}

/// AES-CBC decryption (no padding) with the device's key `key`.
pub fn decrypt(key: &str, iv: &[u8], data: &[u8]) -> Result<Vec<u8>, String> {
    run(key, iv, data, false)
}

#[cfg(target_arch = "wasm32")]
fn run(key: &str, iv: &[u8], data: &[u8], encrypt: bool) -> Result<Vec<u8>, String> {
    use crate::wit::twinwall::driver::crypto::{self, Cipher};
    if encrypt {
        crypto::encrypt(key, Cipher::AesCbc, iv, data)
    } else {
        crypto::decrypt(key, Cipher::AesCbc, iv, data)
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn run(key: &str, iv: &[u8], data: &[u8], encrypt: bool) -> Result<Vec<u8>, String> {
    let k = crate::testing::harness_key(key)
        .ok_or_else(|| format!("no key `{key}` (Harness::set_key)"))?;
    aes_cbc(&k, iv, data, encrypt)
}

/// The cipher behind `crypto` on the host side: AES-CBC without padding,
/// AES-128, -192 or -256 by key length. (The hub serves drivers with it; the
/// harness uses it for `set_key` keys.)
#[cfg(not(target_arch = "wasm32"))]
pub fn aes_cbc(key: &[u8], iv: &[u8], data: &[u8], encrypt: bool) -> Result<Vec<u8>, String> {
    use aes::cipher::block_padding::NoPadding;
    use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
    if !data.len().is_multiple_of(16) {
        return Err(format!(
            "{} bytes is not a whole number of 16-byte blocks",
            data.len()
        ));
    }
    if iv.len() != 16 {
        return Err(format!("the IV must be 16 bytes, not {}", iv.len()));
    }
    let bad = |e: aes::cipher::InvalidLength| format!("bad key or IV length: {e}");
    macro_rules! go {
        ($c:ty) => {
            if encrypt {
                Ok(cbc::Encryptor::<$c>::new_from_slices(key, iv)
                    .map_err(bad)?
                    .encrypt_padded_vec_mut::<NoPadding>(data))
            } else {
                cbc::Decryptor::<$c>::new_from_slices(key, iv)
                    .map_err(bad)?
                    .decrypt_padded_vec_mut::<NoPadding>(data)
                    .map_err(|e| e.to_string())
            }
        };
    }
    match key.len() {
        16 => go!(aes::Aes128),
        24 => go!(aes::Aes192),
        32 => go!(aes::Aes256),
        n => Err(format!("an AES key is 16, 24 or 32 bytes, not {n}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nist_sp800_38a_cbc_aes128_vector() {
        // NIST SP 800-38A F.2.1, first block.
        let key = hex("2b7e151628aed2a6abf7158809cf4f3c");
        let iv = hex("000102030405060708090a0b0c0d0e0f");
        let plain = hex("6bc1bee22e409f96e93d7e117393172a");
        let cipher = aes_cbc(&key, &iv, &plain, true).unwrap();
        assert_eq!(cipher, hex("7649abac8119b246cee98e9b12e9197d"));
        assert_eq!(aes_cbc(&key, &iv, &cipher, false).unwrap(), plain);
        assert!(aes_cbc(&key, &iv, &plain[..15], true).is_err());
        assert!(aes_cbc(&key[..10], &iv, &plain, true).is_err());
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }
}

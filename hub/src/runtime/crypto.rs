//! The ciphers behind the `crypto` host interface. Keys live in the hub's
//! memory only; a driver names them.

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};

fn run<C>(key: &[u8], iv: &[u8], data: &[u8], encrypt: bool) -> Result<Vec<u8>, String>
where
    C: aes::cipher::BlockCipher
        + aes::cipher::BlockEncrypt
        + aes::cipher::BlockDecrypt
        + aes::cipher::KeyInit,
{
    let bad = |e: aes::cipher::InvalidLength| format!("bad key or IV length: {e}");
    if encrypt {
        let c = cbc::Encryptor::<C>::new_from_slices(key, iv).map_err(bad)?;
        Ok(c.encrypt_padded_vec_mut::<NoPadding>(data))
    } else {
        let c = cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(bad)?;
        c.decrypt_padded_vec_mut::<NoPadding>(data)
            .map_err(|_| "data is not a whole number of 16-byte blocks".to_owned())
    }
}

/// AES-CBC without padding; the key length picks AES-128, -192 or -256.
pub fn aes_cbc(key: &[u8], iv: &[u8], data: &[u8], encrypt: bool) -> Result<Vec<u8>, String> {
    if data.len() % 16 != 0 {
        return Err(format!(
            "{} bytes is not a whole number of 16-byte blocks",
            data.len()
        ));
    }
    if iv.len() != 16 {
        return Err(format!("the IV must be 16 bytes, not {}", iv.len()));
    }
    match key.len() {
        16 => run::<aes::Aes128>(key, iv, data, encrypt),
        24 => run::<aes::Aes192>(key, iv, data, encrypt),
        32 => run::<aes::Aes256>(key, iv, data, encrypt),
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

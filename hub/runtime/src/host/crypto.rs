//! `twinwall:driver/crypto`: AES with the keys the hub holds for the device
//! being served; a key never enters the guest.

use super::HostState;
use crate::bindings::twinwall::driver::crypto::{Cipher, Host};

impl HostState {
    fn key(&self, name: &str) -> Result<&[u8], String> {
        let device = self
            .device()
            .ok_or("crypto is only available while serving a device")?;
        self.keys
            .get(device)
            .and_then(|k| k.get(name))
            .map(Vec::as_slice)
            .ok_or_else(|| format!("device `{device}` has no key `{name}` in the hub config"))
    }
}

impl Host for HostState {
    fn encrypt(
        &mut self,
        key: String,
        cipher: Cipher,
        iv: Vec<u8>,
        data: Vec<u8>,
    ) -> wasmtime::Result<Result<Vec<u8>, String>> {
        let Cipher::AesCbc = cipher;
        Ok(self
            .key(&key)
            .and_then(|k| twinwall_plugin_sdk::crypto::aes_cbc(k, &iv, &data, true)))
    }

    fn decrypt(
        &mut self,
        key: String,
        cipher: Cipher,
        iv: Vec<u8>,
        data: Vec<u8>,
    ) -> wasmtime::Result<Result<Vec<u8>, String>> {
        let Cipher::AesCbc = cipher;
        Ok(self
            .key(&key)
            .and_then(|k| twinwall_plugin_sdk::crypto::aes_cbc(k, &iv, &data, false)))
    }
}

//! The token store: `tokens.json` in the data folder, hashes only.

use std::path::Path;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::hex::encode as hex;
use crate::json_file::JsonFile;

use super::{Principal, Role};

/// Why a token could not be made, listed or removed.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The key or the store could not be read or written.
    #[error("token store {path}: {message}")]
    Store {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A name that cannot be an actor.
    #[error("token name `{0}`: give 1 to 64 printable characters, no `#`")]
    BadName(String),
    /// No such token.
    #[error("no token with id `{0}`")]
    Unknown(String),
}

/// A token as the store keeps it (no secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    id: String,
    name: String,
    role: Role,
    /// The zones it is narrowed to; empty for all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    zones: Vec<String>,
    created_ms: i64,
    created_by: String,
    /// Hex HMAC-SHA256 of the whole token under the store's key.
    hash: String,
}

/// A token as the API and the CLI show it.
#[derive(Debug, Clone, Serialize)]
pub struct TokenView {
    /// Public id (also inside the token).
    pub id: String,
    /// Holder's name.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// The zones it is narrowed to; empty for all.
    pub zones: Vec<String>,
    /// When it was made (RFC 3339).
    pub created: String,
    /// Who made it.
    pub created_by: String,
}

/// A token just made: the only time its secret is seen.
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    /// What the store keeps.
    #[serde(flatten)]
    pub view: TokenView,
    /// The bearer token (`tw_<id>_<secret>`); not kept anywhere.
    pub secret: String,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct File {
    version: u32,
    tokens: Vec<Record>,
}

/// The hub's API tokens. Made by `twinwall token create` or the admin API;
/// a running hub sees changes to the file (made by the CLI) on the next
/// request.
pub struct Tokens {
    file: JsonFile<File>,
    key: [u8; 32],
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("file", &self.file.path())
            .finish()
    }
}

fn view(r: &Record) -> TokenView {
    TokenView {
        id: r.id.clone(),
        name: r.name.clone(),
        role: r.role,
        zones: r.zones.clone(),
        created: crate::bus::format_ms(r.created_ms),
        created_by: r.created_by.clone(),
    }
}

impl Tokens {
    /// The store of the data folder `data` (made on first use).
    pub fn open(data: &Path) -> Result<Self, TokenError> {
        let key = crate::secret_key::load_or_make(
            &data.join("token.key"),
            "every API token must then be made again",
        )
        .map_err(|e| TokenError::Store {
            path: e.path,
            message: e.message,
        })?;
        let path = data.join("tokens.json");
        let file = JsonFile::open(&path).map_err(|message| TokenError::Store {
            path: path.display().to_string(),
            message,
        })?;
        Ok(Tokens { file, key })
    }

    fn store_err(&self, message: impl std::fmt::Display) -> TokenError {
        TokenError::Store {
            path: self.file.path().display().to_string(),
            message: message.to_string(),
        }
    }

    fn mac(&self, token: &str) -> Hmac<Sha256> {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("any key length");
        m.update(token.as_bytes());
        m
    }

    /// Change the file: read fresh, apply `f`, write it.
    fn change<R>(
        &self,
        f: impl FnOnce(&mut Vec<Record>) -> Result<R, TokenError>,
    ) -> Result<R, TokenError> {
        self.file.change(
            |file| {
                file.version = 1;
                f(&mut file.tokens)
            },
            |m| self.store_err(m),
        )
    }

    /// Make a token for `name` with `role`; `by` is who asked (an actor, or
    /// `cli` for the command line).
    pub fn create(&self, name: &str, role: Role, by: &str) -> Result<Created, TokenError> {
        self.create_for(name, role, &[], by)
    }

    /// Make a token narrowed to `zones` (paths; empty for all).
    pub fn create_for(
        &self,
        name: &str,
        role: Role,
        zones: &[String],
        by: &str,
    ) -> Result<Created, TokenError> {
        let name = name.trim();
        if name.is_empty()
            || name.chars().count() > 64
            || name.contains('#')
            || name.chars().any(char::is_control)
        {
            return Err(TokenError::BadName(name.to_owned()));
        }
        let mut raw = [0u8; 36];
        getrandom::fill(&mut raw).map_err(|e| self.store_err(format!("no randomness: {e}")))?;
        let id = hex(&raw[..4]);
        let secret = format!("tw_{id}_{}", hex(&raw[4..]));
        let record = Record {
            id: id.clone(),
            name: name.to_owned(),
            role,
            zones: zones.to_vec(),
            created_ms: crate::bus::now_ms(),
            created_by: by.to_owned(),
            hash: hex(&self.mac(&secret).finalize().into_bytes()),
        };
        self.change(|tokens| {
            tokens.push(record.clone());
            Ok(())
        })?;
        Ok(Created {
            view: view(&record),
            secret,
        })
    }

    /// Every token, oldest first.
    pub fn list(&self) -> Result<Vec<TokenView>, TokenError> {
        self.file
            .read_fresh(|f| f.tokens.iter().map(view).collect())
            .map_err(|m| self.store_err(m))
    }

    /// Remove the token `id`; requests bearing it are refused from now on.
    pub fn revoke(&self, id: &str) -> Result<TokenView, TokenError> {
        let gone = self.change(|tokens| {
            let at = tokens
                .iter()
                .position(|r| r.id == id)
                .ok_or_else(|| TokenError::Unknown(id.to_owned()))?;
            Ok(tokens.remove(at))
        })?;
        Ok(view(&gone))
    }

    /// Whether no token exists yet (the hub says how to make the first).
    pub fn is_empty(&self) -> bool {
        self.list().map(|l| l.is_empty()).unwrap_or(true)
    }

    /// The holder of `token`, if it is a live token of this store. The
    /// comparison takes the same time however much of the hash matches.
    pub fn verify(&self, token: &str) -> Option<Principal> {
        let id = token.strip_prefix("tw_")?.split('_').next()?;
        // A damaged file leaves the tokens read before in force: it must
        // not lock the duty room out, nor let anyone in.
        let r = self
            .file
            .read(|f| f.tokens.iter().find(|r| r.id == id).cloned())?;
        let want = crate::hex::decode(&r.hash)?;
        self.mac(token).verify_slice(&want).ok()?;
        Some(Principal {
            token_id: r.id.clone(),
            name: r.name.clone(),
            role: r.role,
            zones: r.zones.clone(),
            unit: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_until_revoked_and_only_hashes_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let t = Tokens::open(dir.path()).unwrap();
        assert!(t.is_empty());
        let a = t.create("duty room", Role::Operator, "cli").unwrap();
        let who = t.verify(&a.secret).unwrap();
        assert_eq!((who.name.as_str(), who.role), ("duty room", Role::Operator));
        assert_eq!(who.actor(), format!("duty room#{}", a.view.id));
        let file = std::fs::read_to_string(dir.path().join("tokens.json")).unwrap();
        assert!(!file.contains(&a.secret[10..]), "the secret is not stored");
        // One character off, or another id: refused.
        let mut forged = a.secret.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == '0' { '1' } else { '0' });
        assert!(t.verify(&forged).is_none());
        assert!(t.verify("tw_00000000_00").is_none());
        assert!(t.verify("Basic abc").is_none());
        // A second store on the same folder (the CLI) sees and revokes it.
        let cli = Tokens::open(dir.path()).unwrap();
        assert_eq!(cli.list().unwrap().len(), 1);
        cli.revoke(&a.view.id).unwrap();
        assert!(t.verify(&a.secret).is_none(), "revoked by another writer");
        assert!(matches!(
            cli.revoke(&a.view.id),
            Err(TokenError::Unknown(_))
        ));
        assert!(matches!(
            t.create("a#b", Role::Admin, "cli"),
            Err(TokenError::BadName(_))
        ));
    }
}

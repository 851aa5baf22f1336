//! The people and units of a hub: `accounts.json` in the data folder,
//! passwords as argon2id hashes only. Written by the admin API and by
//! `twinwall user …`; a running hub sees the CLI's changes on its next
//! request, as it does for tokens.

use std::path::Path;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::json_file::JsonFile;

/// Why an account could not be made, changed or read.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The store could not be read or written.
    #[error("account store {path}: {message}")]
    Store {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A login that cannot be one.
    #[error("login `{0}`: give 1 to 32 of a-z, 0-9, `.`, `_`, `-`")]
    BadLogin(String),
    /// A name that cannot be an actor.
    #[error("name `{0}`: give 1 to 64 printable characters, no `#`")]
    BadName(String),
    /// Too short.
    #[error("a password needs at least {MIN_PASSWORD} characters")]
    WeakPassword,
    /// Taken.
    #[error("there is already a person with login `{0}`")]
    Exists(String),
    /// No such person.
    #[error("no person with login `{0}`")]
    Unknown(String),
    /// No such unit.
    #[error("no unit `{0}`")]
    UnknownUnit(String),
    /// A unit id taken, or a unit that would be its own ancestor.
    #[error("unit `{0}`: {1}")]
    BadUnit(String, String),
}

/// The shortest password taken.
pub const MIN_PASSWORD: usize = 8;

/// A person as the store keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Record {
    login: String,
    name: String,
    role: Role,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    zones: Vec<String>,
    /// PHC string of the argon2id hash.
    password: String,
    #[serde(default)]
    disabled: bool,
    /// Moves on every disable and password change: sessions made before
    /// carry the old one and are refused.
    #[serde(default)]
    generation: u64,
    created_ms: i64,
    created_by: String,
}

/// A unit of the university (学院, 部处, 楼宇管理方): a tree, each linked to
/// the zones it answers for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// Short id (`chem`, `security-office`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The unit above it.
    #[serde(default)]
    pub parent: Option<String>,
    /// Zone paths it answers for.
    #[serde(default)]
    pub zones: Vec<String>,
}

/// A person as the API and the CLI show them (no hash).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Person {
    /// Sign-in name.
    pub login: String,
    /// Name, the actor of what they do.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// Their unit.
    pub unit: Option<String>,
    /// The zones that narrow what they see: their own, else their unit's;
    /// empty for all.
    pub zones: Vec<String>,
    /// Whether they may sign in.
    pub disabled: bool,
    /// See the record's.
    #[serde(skip)]
    pub generation: u64,
}

/// A person to add.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    /// Sign-in name (a-z, 0-9, `.`, `_`, `-`).
    pub login: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Unit id.
    #[serde(default)]
    pub unit: Option<String>,
    /// Zone paths narrowing what they see (a guard room's).
    #[serde(default)]
    pub zones: Vec<String>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct File {
    version: u32,
    people: Vec<Record>,
    units: Vec<Unit>,
}

/// The accounts of the data folder.
pub struct Accounts {
    file: JsonFile<File>,
    /// Verified against when the login is unknown, so a wrong login costs
    /// the time a wrong password does.
    decoy: String,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("path", &self.file.path())
            .finish()
    }
}

fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A password of 16 characters from an alphabet without look-alikes.
pub fn generate_password() -> Result<String, String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut raw = [0u8; 16];
    getrandom::fill(&mut raw).map_err(|e| format!("no randomness: {e}"))?;
    Ok(raw
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

/// Whether `s` can be a login (1 to 32 of a-z, 0-9, `.`, `_`, `-`).
pub fn valid_login(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

fn valid_name(s: &str) -> bool {
    let n = s.chars().count();
    (1..=64).contains(&n) && !s.contains('#') && !s.chars().any(char::is_control)
}

impl Accounts {
    /// The store of the data folder `data` (made on first change).
    pub fn open(data: &Path) -> Result<Self, AccountError> {
        let path = data.join("accounts.json");
        let err = |message| AccountError::Store {
            path: path.display().to_string(),
            message,
        };
        Ok(Accounts {
            decoy: hash("decoy password").map_err(err)?,
            file: JsonFile::open(&path).map_err(err)?,
        })
    }

    fn err(&self, message: impl std::fmt::Display) -> AccountError {
        AccountError::Store {
            path: self.file.path().display().to_string(),
            message: message.to_string(),
        }
    }

    /// Change the file: read fresh, apply `f`, write it.
    fn change<R>(
        &self,
        f: impl FnOnce(&mut File) -> Result<R, AccountError>,
    ) -> Result<R, AccountError> {
        self.file.change(
            |file| {
                file.version = 1;
                f(file)
            },
            |m| self.err(m),
        )
    }

    fn view(file: &File, r: &Record) -> Person {
        // Their own zones, else the nearest unit's up the tree.
        let mut zones = r.zones.clone();
        let mut unit = r.unit.clone();
        let mut hops = 0;
        while zones.is_empty() && hops < 64 {
            let Some(u) = unit.and_then(|id| file.units.iter().find(|x| x.id == id)) else {
                break;
            };
            zones = u.zones.clone();
            unit = u.parent.clone();
            hops += 1;
        }
        Person {
            login: r.login.clone(),
            name: r.name.clone(),
            role: r.role,
            unit: r.unit.clone(),
            zones,
            disabled: r.disabled,
            generation: r.generation,
        }
    }

    /// Add a person with `password`, or one made here (returned, shown once).
    pub fn add(
        &self,
        p: &NewPerson,
        password: Option<&str>,
        by: &str,
    ) -> Result<(Person, Option<String>), AccountError> {
        if !valid_login(&p.login) {
            return Err(AccountError::BadLogin(p.login.clone()));
        }
        if !valid_name(p.name.trim()) {
            return Err(AccountError::BadName(p.name.clone()));
        }
        let made = match password {
            Some(_) => None,
            None => Some(generate_password().map_err(|m| self.err(m))?),
        };
        let pw = password.or(made.as_deref()).unwrap_or_default();
        if pw.chars().count() < MIN_PASSWORD {
            return Err(AccountError::WeakPassword);
        }
        let phc = hash(pw).map_err(|m| self.err(m))?;
        let person = self.change(|f| {
            if f.people.iter().any(|r| r.login == p.login) {
                return Err(AccountError::Exists(p.login.clone()));
            }
            if let Some(u) = &p.unit
                && !f.units.iter().any(|x| &x.id == u)
            {
                return Err(AccountError::UnknownUnit(u.clone()));
            }
            let r = Record {
                login: p.login.clone(),
                name: p.name.trim().to_owned(),
                role: p.role,
                unit: p.unit.clone(),
                zones: p.zones.clone(),
                password: phc,
                disabled: false,
                generation: 0,
                created_ms: crate::bus::now_ms(),
                created_by: by.to_owned(),
            };
            f.people.push(r.clone());
            Ok(Self::view(f, &r))
        })?;
        Ok((person, made))
    }

    /// Set `login`'s password (or make one, returned): their sessions end.
    pub fn set_password(
        &self,
        login: &str,
        password: Option<&str>,
    ) -> Result<Option<String>, AccountError> {
        let made = match password {
            Some(_) => None,
            None => Some(generate_password().map_err(|m| self.err(m))?),
        };
        let pw = password.or(made.as_deref()).unwrap_or_default();
        if pw.chars().count() < MIN_PASSWORD {
            return Err(AccountError::WeakPassword);
        }
        let phc = hash(pw).map_err(|m| self.err(m))?;
        self.change(|f| {
            let r = f
                .people
                .iter_mut()
                .find(|r| r.login == login)
                .ok_or_else(|| AccountError::Unknown(login.to_owned()))?;
            r.password = phc;
            r.generation += 1;
            Ok(())
        })?;
        Ok(made)
    }

    /// Disable (or enable) `login`: a disabled person's sessions end.
    pub fn set_disabled(&self, login: &str, disabled: bool) -> Result<Person, AccountError> {
        self.change(|f| {
            let i = f
                .people
                .iter()
                .position(|r| r.login == login)
                .ok_or_else(|| AccountError::Unknown(login.to_owned()))?;
            let r = &mut f.people[i];
            r.disabled = disabled;
            r.generation += 1;
            let r = r.clone();
            Ok(Self::view(f, &r))
        })
    }

    /// The person `login` if `password` is theirs and they may sign in.
    /// Takes the same time for an unknown login.
    pub fn verify(&self, login: &str, password: &str) -> Option<Person> {
        let (phc, person) = self
            .file
            .read(|f| match f.people.iter().find(|r| r.login == login) {
                Some(r) => (r.password.clone(), Some(Self::view(f, r))),
                None => (self.decoy.clone(), None),
            });
        let ok = verify(password, &phc);
        person.filter(|p| ok && !p.disabled)
    }

    /// The person `login` as the store has them now.
    pub fn get(&self, login: &str) -> Option<Person> {
        self.file.read(|f| {
            f.people
                .iter()
                .find(|r| r.login == login)
                .map(|r| Self::view(f, r))
        })
    }

    /// Everyone, in the order they were added.
    pub fn people(&self) -> Result<Vec<Person>, AccountError> {
        self.file
            .read_fresh(|f| f.people.iter().map(|r| Self::view(f, r)).collect())
            .map_err(|m| self.err(m))
    }

    /// Add a unit under an existing parent.
    pub fn add_unit(&self, u: Unit) -> Result<Unit, AccountError> {
        if !valid_login(&u.id) {
            return Err(AccountError::BadUnit(
                u.id.clone(),
                "ids are a-z, 0-9, `.`, `_`, `-`".into(),
            ));
        }
        if !valid_name(u.name.trim()) {
            return Err(AccountError::BadName(u.name.clone()));
        }
        self.change(|f| {
            if f.units.iter().any(|x| x.id == u.id) {
                return Err(AccountError::BadUnit(u.id.clone(), "already exists".into()));
            }
            if let Some(p) = &u.parent
                && !f.units.iter().any(|x| &x.id == p)
            {
                return Err(AccountError::UnknownUnit(p.clone()));
            }
            f.units.push(u.clone());
            Ok(u)
        })
    }

    /// Every unit, in the order they were added (parents first).
    pub fn units(&self) -> Result<Vec<Unit>, AccountError> {
        self.file
            .read_fresh(|f| f.units.clone())
            .map_err(|m| self.err(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(login: &str, unit: Option<&str>) -> NewPerson {
        NewPerson {
            login: login.into(),
            name: "王芳".into(),
            role: Role::Operator,
            unit: unit.map(str::to_owned),
            zones: Vec::new(),
        }
    }

    #[test]
    fn passwords_verify_and_only_their_hashes_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let a = Accounts::open(dir.path()).unwrap();
        let (p, made) = a
            .add(&person("wang.fang", None), Some("correct horse"), "cli")
            .unwrap();
        assert_eq!((p.login.as_str(), made), ("wang.fang", None));
        assert!(a.verify("wang.fang", "correct horse").is_some());
        assert!(a.verify("wang.fang", "wrong horse!").is_none());
        assert!(a.verify("nobody", "correct horse").is_none());
        let file = std::fs::read_to_string(dir.path().join("accounts.json")).unwrap();
        assert!(!file.contains("correct horse"));
        assert!(file.contains("$argon2id$"), "{file}");
        assert!(matches!(
            a.add(&person("wang.fang", None), Some("another one"), "cli"),
            Err(AccountError::Exists(_))
        ));
        assert!(matches!(
            a.add(&person("Wang Fang", None), Some("another one"), "cli"),
            Err(AccountError::BadLogin(_))
        ));
        assert!(matches!(
            a.add(&person("li", None), Some("short"), "cli"),
            Err(AccountError::WeakPassword)
        ));
    }

    #[test]
    fn a_password_change_or_a_disable_moves_the_generation() {
        let dir = tempfile::tempdir().unwrap();
        let a = Accounts::open(dir.path()).unwrap();
        let (_, made) = a.add(&person("li", None), None, "cli").unwrap();
        let made = made.unwrap();
        assert_eq!(made.len(), 16);
        let g0 = a.verify("li", &made).unwrap().generation;
        let again = a.set_password("li", None).unwrap().unwrap();
        assert!(a.verify("li", &made).is_none());
        assert_eq!(a.verify("li", &again).unwrap().generation, g0 + 1);
        // Another store on the folder (the CLI) disables; this one sees it.
        let cli = Accounts::open(dir.path()).unwrap();
        cli.set_disabled("li", true).unwrap();
        assert!(a.verify("li", &again).is_none(), "disabled");
        assert!(a.get("li").unwrap().disabled);
    }

    #[test]
    fn units_form_a_tree_and_lend_their_zones() {
        let dir = tempfile::tempdir().unwrap();
        let a = Accounts::open(dir.path()).unwrap();
        let unit = |id: &str, parent: Option<&str>| Unit {
            id: id.into(),
            name: "保卫处".into(),
            parent: parent.map(str::to_owned),
            zones: vec!["campus/gate-north".into()],
        };
        assert!(matches!(
            a.add_unit(unit("gate", Some("security"))),
            Err(AccountError::UnknownUnit(_))
        ));
        a.add_unit(unit("security", None)).unwrap();
        a.add_unit(unit("gate", Some("security"))).unwrap();
        let (p, _) = a
            .add(&person("guard1", Some("gate")), Some("12345678"), "cli")
            .unwrap();
        assert_eq!(p.zones, ["campus/gate-north"]);
        assert!(matches!(
            a.add(&person("guard2", Some("nowhere")), Some("12345678"), "cli"),
            Err(AccountError::UnknownUnit(_))
        ));
    }
}

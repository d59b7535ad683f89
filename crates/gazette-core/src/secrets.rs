use crate::CoreResult;
use gazette_store::Store;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The per-site secrets, generated on first start and stored in the database, so that every node
/// computes the same avatars and accepts the same signed cookies.
#[derive(Clone)]
pub struct Secrets {
    avatar_key: Vec<u8>,
    cookie_key: Vec<u8>,
    form_key: Vec<u8>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

const AVATAR_KEY: &str = "secret.avatar_key";
const COOKIE_KEY: &str = "secret.cookie_key";
const FORM_KEY: &str = "secret.form_key";

impl Secrets {
    /// Loads the secrets, generating any that do not exist yet. When several nodes start at once,
    /// the first value written wins and all of them use it.
    pub async fn load_or_create(store: &dyn Store) -> CoreResult<Self> {
        Ok(Self {
            avatar_key: load_key(store, AVATAR_KEY, 32).await?,
            cookie_key: load_key(store, COOKIE_KEY, 64).await?,
            form_key: load_key(store, FORM_KEY, 32).await?,
        })
    }

    /// The keyed hash (HMAC-SHA-256, first 16 bytes, hex) that an email's identicon is drawn from.
    /// Without the key it cannot be linked to the address.
    pub fn avatar_hash(&self, email: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.avatar_key).unwrap_or_else(|_| unreachable_key());
        mac.update(b"avatar\0");
        mac.update(email.trim().to_lowercase().as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// HMAC-SHA-256 of `message` with the form-token key, hex.
    pub fn sign_form(&self, message: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.form_key).unwrap_or_else(|_| unreachable_key());
        mac.update(message.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `signature` is `sign_form(message)`, compared in constant time.
    pub fn verify_form(&self, message: &str, signature: &str) -> bool {
        let Ok(signature) = hex::decode(signature) else {
            return false;
        };
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.form_key).unwrap_or_else(|_| unreachable_key());
        mac.update(message.as_bytes());
        mac.verify_slice(&signature).is_ok()
    }

    /// 64 bytes for signing cookies.
    pub fn cookie_key(&self) -> &[u8] {
        &self.cookie_key
    }
}

/// HMAC accepts keys of any length, so construction cannot fail.
fn unreachable_key() -> Hmac<Sha256> {
    unreachable!("HMAC-SHA-256 accepts keys of any length")
}

async fn load_key(store: &dyn Store, name: &str, bytes: usize) -> CoreResult<Vec<u8>> {
    // Read first: on every start but the first the key exists, and a write would cost a commit.
    let stored = match store.setting(name).await {
        Ok(value) => value,
        Err(gazette_store::StoreError::NotFound(_)) => {
            let mut fresh = vec![0u8; bytes];
            getrandom::fill(&mut fresh)
                .map_err(|e| crate::CoreError::Storage(format!("no system randomness: {e}")))?;
            store
                .put_setting_if_absent(name, &hex::encode(&fresh))
                .await?
        }
        Err(other) => return Err(other.into()),
    };
    let key = hex::decode(stored.trim())
        .map_err(|_| crate::CoreError::Storage(format!("setting {name} is not hex")))?;
    if key.len() != bytes {
        return Err(crate::CoreError::Storage(format!(
            "setting {name} is not {bytes} bytes"
        )));
    }
    Ok(key)
}

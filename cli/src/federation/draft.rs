//! The network draft file: what `hearth network draft` writes, `hearth
//! network sign` adds each founder's signature to, and `hearth network
//! start` sends to the nodes once every founder has signed.
//!
//! The file is JSON. Its authority is the canonical genesis (base64) and
//! the signatures (base64 canonical `NetworkSignature`s); every signature
//! is verified against its community's node key when the file is read, so
//! a file edited by hand, or a signature over another draft, is refused
//! with a reason. The node URLs say where each founder's node answers;
//! the summary is for people and is rewritten on every save.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, Result, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hearth_protocol::codec::{MAX_RECORD_BYTES, decode_canonical, encode};
use hearth_protocol::federation::{Founding, NetworkGenesis, NetworkSignature, SignedNetwork};
use hearth_protocol::{Canonical, Hash};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The `format` of a draft file this CLI reads and writes.
pub const FORMAT: &str = "hearth network draft v1";

/// The file `hearth network` commands use when none is named.
pub const DEFAULT_FILE: &str = "network.json";

/// A network draft: the genesis, the signatures so far and where each
/// founding community's node answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The genesis and the founders' signatures so far (all verified).
    pub network: SignedNetwork,
    /// Each founding community's node URL.
    pub nodes: BTreeMap<Hash, String>,
}

/// The file as stored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftFile {
    format: String,
    network: Hash,
    genesis: String,
    #[serde(default)]
    signatures: Vec<String>,
    #[serde(default)]
    nodes: BTreeMap<String, String>,
    #[serde(default)]
    summary: Value,
}

impl Draft {
    /// A draft of `genesis` with no signatures yet.
    pub fn new(genesis: NetworkGenesis, nodes: BTreeMap<Hash, String>) -> Draft {
        Draft {
            network: SignedNetwork {
                genesis,
                signatures: Vec::new(),
            },
            nodes,
        }
    }

    /// The network id.
    pub fn id(&self) -> Hash {
        self.network.genesis.id()
    }

    /// The genesis.
    pub fn genesis(&self) -> &NetworkGenesis {
        &self.network.genesis
    }

    /// The canonical genesis in base64, as `POST /v1/network/sign` takes it.
    pub fn genesis_base64(&self) -> String {
        B64.encode(self.network.genesis.to_bytes())
    }

    /// The founding communities that have not signed yet.
    pub fn missing(&self) -> Vec<&Founding> {
        let missing = self.network.missing();
        self.genesis()
            .communities
            .iter()
            .filter(|f| missing.contains(&f.id))
            .collect()
    }

    /// The node URL of a founding community, if the draft knows it.
    pub fn url_of(&self, community: &Hash) -> Option<&str> {
        self.nodes.get(community).map(String::as_str)
    }

    /// Verifies `signature` against its community's node key in the
    /// genesis and adds it (replacing an earlier one of that community).
    /// Returns the community that signed.
    pub fn add(&mut self, signature: NetworkSignature) -> Result<Founding> {
        let founding = self
            .genesis()
            .founding(&signature.community)
            .cloned()
            .ok_or_else(|| {
                anyhow!(
                    "the signature is from community {}, which is not a founder of this network",
                    signature.community
                )
            })?;
        founding
            .node
            .verify(&self.id(), &signature.signature)
            .map_err(|_| {
                anyhow!(
                    "the signature of {} does not verify with its node key {}: it is not over this draft",
                    founding.name,
                    founding.node.to_did()
                )
            })?;
        self.network.add(signature);
        Ok(founding)
    }

    /// The file's JSON.
    pub fn to_json(&self) -> Value {
        let file = DraftFile {
            format: FORMAT.into(),
            network: self.id(),
            genesis: self.genesis_base64(),
            signatures: self
                .network
                .signatures
                .iter()
                .map(|s| B64.encode(encode(s)))
                .collect(),
            nodes: self
                .nodes
                .iter()
                .map(|(id, url)| (id.to_hex(), url.clone()))
                .collect(),
            summary: self.summary(),
        };
        serde_json::to_value(file).unwrap_or(Value::Null)
    }

    /// A readable account of the draft (not read back).
    pub fn summary(&self) -> Value {
        let genesis = self.genesis();
        let missing = self.network.missing();
        let name_of = |id: &Hash| {
            genesis
                .founding(id)
                .map_or_else(|| id.to_hex(), |f| f.name.clone())
        };
        json!({
            "name": genesis.name,
            "created": genesis.created.to_string(),
            "communities": genesis.communities.iter().map(|f| json!({
                "id": f.id,
                "name": f.name,
                "node": f.node,
                "url": self.url_of(&f.id),
                "signed": !missing.contains(&f.id),
            })).collect::<Vec<_>>(),
            "regions": genesis.regions.iter().map(|r| json!({
                "name": r.name,
                "id": genesis.region_id(&r.name),
                "communities": r.communities.iter().map(name_of).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "rules": genesis.rules,
            "unsigned": missing.iter().map(name_of).collect::<Vec<_>>(),
        })
    }

    /// Reads a draft from its JSON text, verifying everything in it.
    pub fn from_json(text: &str) -> Result<Draft> {
        let file: DraftFile = serde_json::from_str(text).context("not a network draft file")?;
        if file.format != FORMAT {
            bail!(
                "a draft of format {:?}; this hearth reads {FORMAT:?}",
                file.format
            );
        }
        let bytes = B64
            .decode(file.genesis.trim())
            .context("its genesis is not valid base64")?;
        let genesis = NetworkGenesis::from_bytes(&bytes).context("its genesis does not decode")?;
        if genesis.id() != file.network {
            bail!(
                "its genesis is not network {}: the file was edited (draft again with `hearth network draft`)",
                file.network
            );
        }
        genesis
            .validate()
            .context("its genesis is not a valid network")?;
        let mut nodes = BTreeMap::new();
        for (id, url) in file.nodes {
            let id: Hash = id
                .parse()
                .with_context(|| format!("invalid community id {id:?} in its nodes"))?;
            if genesis.founding(&id).is_none() {
                bail!("its nodes name community {id}, which is not a founder");
            }
            nodes.insert(id, url);
        }
        let mut draft = Draft::new(genesis, nodes);
        for (i, text) in file.signatures.iter().enumerate() {
            let bytes = B64
                .decode(text.trim())
                .with_context(|| format!("signature {} is not valid base64", i + 1))?;
            let signature: NetworkSignature = decode_canonical(&bytes, MAX_RECORD_BYTES)
                .with_context(|| format!("signature {} does not decode", i + 1))?;
            draft
                .add(signature)
                .with_context(|| format!("signature {}", i + 1))?;
        }
        Ok(draft)
    }

    /// Reads the draft file at `path`.
    pub fn load(path: &Path) -> Result<Draft> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the draft {}", path.display()))?;
        Draft::from_json(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Writes the draft to `path` (through a temporary file, so a crash
    /// never leaves half a draft). Unless `overwrite`, an existing file is
    /// kept and the write refused.
    pub fn save(&self, path: &Path, overwrite: bool) -> Result<()> {
        if !overwrite && path.exists() {
            bail!(
                "{} already exists; pick another file with -o, or --force to replace it",
                path.display()
            );
        }
        let mut text =
            serde_json::to_string_pretty(&self.to_json()).context("cannot format the draft")?;
        text.push('\n');
        let name = path
            .file_name()
            .ok_or_else(|| anyhow!("{} is not a file name", path.display()))?;
        let tmp = path.with_file_name(format!(".{}.tmp", name.to_string_lossy()));
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
    }
}

/// Decodes a base64 canonical `NetworkSignature`, as `POST
/// /v1/network/sign` answers it.
pub fn decode_signature(text: &str) -> Result<NetworkSignature> {
    let bytes = B64
        .decode(text.trim())
        .context("the signature is not valid base64")?;
    decode_canonical(&bytes, MAX_RECORD_BYTES).context("the signature does not decode")
}

/// The canonical signed network in base64, as `POST /v1/network` takes it.
pub fn signed_base64(network: &SignedNetwork) -> String {
    B64.encode(network.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_protocol::Timestamp;
    use hearth_protocol::federation::{FederationRules, RegionSpec};
    use hearth_protocol::test::keypair;

    /// Three founders (node keys from seeds 1–3), the first two in "north".
    fn genesis() -> NetworkGenesis {
        let mut communities: Vec<Founding> = (1..=3)
            .map(|i| Founding {
                id: Hash([i * 16; 32]),
                node: keypair(i).public(),
                name: format!("C{i}"),
            })
            .collect();
        communities.sort_by_key(|f| f.id);
        NetworkGenesis {
            name: "Valley".into(),
            regions: vec![RegionSpec {
                name: "north".into(),
                communities: vec![communities[0].id, communities[1].id],
            }],
            communities,
            rules: FederationRules::default(),
            created: Timestamp(1_700_000_000_000),
        }
    }

    fn draft() -> Draft {
        let g = genesis();
        let nodes = g
            .communities
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id, format!("http://127.0.0.1:{}", 7700 + i)))
            .collect();
        Draft::new(g, nodes)
    }

    #[test]
    fn a_draft_round_trips_through_its_file_with_its_signatures() {
        let mut draft = draft();
        assert_eq!(draft.missing().len(), 3);
        let first = draft.genesis().communities[0].clone();
        let signed = draft
            .add(NetworkSignature::sign(
                draft.genesis(),
                first.id,
                &keypair(1),
            ))
            .unwrap();
        assert_eq!(signed.name, "C1");
        let text = serde_json::to_string_pretty(&draft.to_json()).unwrap();
        let again = Draft::from_json(&text).unwrap();
        assert_eq!(again, draft);
        assert_eq!(again.missing().len(), 2);
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["network"], json!(draft.id()));
        assert_eq!(value["summary"]["unsigned"], json!(["C2", "C3"]));
        assert_eq!(value["summary"]["communities"][0]["signed"], json!(true));
        assert_eq!(
            value["summary"]["regions"][0]["communities"],
            json!(["C1", "C2"])
        );
        assert_eq!(value["summary"]["rules"]["witnesses"], json!(2));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("network.json");
        draft.save(&path, false).unwrap();
        assert_eq!(Draft::load(&path).unwrap(), draft);
        let err = format!("{:#}", draft.save(&path, false).unwrap_err());
        assert!(err.contains("already exists"), "{err}");
        draft.save(&path, true).unwrap();
    }

    #[test]
    fn signatures_must_be_the_founders_over_this_draft() {
        let mut draft = draft();
        let first = draft.genesis().communities[0].id;
        // Signed by another node's key.
        let wrong = NetworkSignature::sign(draft.genesis(), first, &keypair(2));
        let err = format!("{:#}", draft.add(wrong).unwrap_err());
        assert!(err.contains("does not verify"), "{err}");
        // Over another draft.
        let mut other = genesis();
        other.name = "Other".into();
        let stale = NetworkSignature::sign(&other, first, &keypair(1));
        assert!(draft.add(stale).is_err());
        // From a community that does not found the network.
        let stranger = NetworkSignature::sign(draft.genesis(), Hash([5; 32]), &keypair(5));
        let err = format!("{:#}", draft.add(stranger).unwrap_err());
        assert!(err.contains("not a founder"), "{err}");
        assert_eq!(draft.missing().len(), 3);
    }

    #[test]
    fn an_edited_file_is_refused_with_a_reason() {
        let mut draft = draft();
        let first = draft.genesis().communities[0].id;
        draft
            .add(NetworkSignature::sign(draft.genesis(), first, &keypair(1)))
            .unwrap();
        let value = draft.to_json();
        let edit = |f: &dyn Fn(&mut Value)| {
            let mut v = value.clone();
            f(&mut v);
            format!("{:#}", Draft::from_json(&v.to_string()).unwrap_err())
        };
        let err = edit(&|v| v["network"] = json!(Hash([1; 32])));
        assert!(err.contains("was edited"), "{err}");
        let err = edit(&|v| v["format"] = json!("v0"));
        assert!(err.contains("format"), "{err}");
        let err = edit(&|v| v["signatures"][0] = json!("AAAA"));
        assert!(err.contains("signature 1"), "{err}");
        let err = edit(&|v| v["surprise"] = json!(1));
        assert!(err.contains("not a network draft"), "{err}");
        let err = edit(&|v| v["nodes"] = json!({ Hash([9; 32]).to_hex(): "http://x" }));
        assert!(err.contains("not a founder"), "{err}");
        // The summary is for people: editing it changes nothing.
        let mut v = value.clone();
        v["summary"] = json!("anything");
        assert_eq!(Draft::from_json(&v.to_string()).unwrap(), draft);
    }
}

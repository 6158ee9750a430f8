//! Redaction of recordings, so that they can be shared publicly (`ecs-tmde record --redact`).
//!
//! A [`Redactor`] replaces account ids, ARN resource ids, cluster names, IPv4 and IPv6
//! addresses, MAC addresses and EC2 resource ids with placeholders, consistently: within one
//! redactor the same secret always gets the same placeholder, in every document, every
//! string and every object key. A redacted recording is checked exactly like the original:
//! same verdict, same findings (rule, severity, endpoint, pointer); only messages that quote a
//! value differ. The suite proves it on the recorded corpus and on generated documents.
//!
//! # How it works
//!
//! Redacting is two steps, over all documents of a recording before any is rewritten
//! ([`Redactor::redact_documents`]):
//!
//! 1. **Discover** the secrets. ARNs are found anywhere in any string (`arn:aws…:SERVICE:
//!    REGION:ACCOUNT:RESOURCE`): their 12-digit account, the cluster segment of ECS ARNs
//!    (`cluster/NAME`, and `task/`, `container/`, `container-instance/`, `service/`,
//!    `task-set/` followed by `CLUSTER/…`), and every resource segment that is a 32-hex id or a
//!    UUID (task ids, container ids, container-instance ids, old-format task ARNs). The
//!    account of an ECR image (`ACCOUNT.dkr.ecr.…`) is an account id too. Values of `Cluster`,
//!    of the `com.amazonaws.ecs.cluster` label and of any key ending in `cluster` or
//!    `clusterName` (the `aws:ecs:clusterName` tag) are cluster names. IPv4 addresses (also
//!    as the network of a CIDR, and in `ip-A-B-C-D` host names), IPv6 addresses, MAC
//!    addresses and EC2 ids (`i-`, `vpc-`, `subnet-`, `eni-`, `sg-` followed by 8 or 17 hex
//!    digits) are found by their shape wherever they appear.
//! 2. **Replace** every occurrence of every discovered secret in every string, wherever it
//!    appears: a Fargate DockerId `<task id>-<digits>` gets the placeholder of the task id, a
//!    task-stats key the same as the DockerId it repeats, an image
//!    `ACCOUNT.dkr.ecr.REGION.amazonaws.com/app` the placeholder of the account, a log stream
//!    `ecs/app/<task id>` that of the task id, `ip-10-0-0-1.ec2.internal` that of `10.0.0.1`.
//!
//! Occurrences are matched as whole tokens, not as raw substrings: an account id where it is
//! not next to a letter, digit or underscore, a 32-hex id where it is not part of a longer hex
//! run (so never inside a 64-hex DockerId or an ImageID, but also before `-<digits>` or after
//! `/`), an address where it is not part of a longer dotted or colon-separated number. Scanning is linear in the size of the input and
//! uses no regular expressions.
//!
//! # Placeholders
//!
//! Placeholders are sequential, in order of first appearance, never derived from the secret
//! (a hash of a 12-digit account id could be reversed by trying every account), and have the
//! secret's shape, so that the schema and every shape rule give the same answer:
//!
//! | Secret | Placeholders |
//! |---|---|
//! | account id | `000000000001`, `000000000002`, … (12 digits) |
//! | 32-hex id | `00000000000000000000000000000001`, … |
//! | UUID | `00000000-0000-0000-0000-000000000001`, … |
//! | cluster name | `cluster-1`, `cluster-2`, … |
//! | EC2 id | the same prefix and as many hex digits: `vpc-00000000000000001` |
//! | IPv4 | `192.0.2.1`…, then `198.51.100.x`, `203.0.113.x` (documentation ranges), `198.18.0.0/15`, `240.0.0.0/4` |
//! | IPv6 | `2001:db8::1`, `2001:db8::2`, … |
//! | MAC | `02:00:00:00:00:01`, … (locally administered), in the case of the original |
//!
//! A placeholder never equals a secret of the same kind discovered in the input, nor a bare
//! 12-digit number, 32-hex string or UUID of the input, so two different values never become
//! equal (rules compare ARNs, labels, DockerIds and task-stats keys for equality). The prefix length of a CIDR is kept (`10.0.0.0/16` becomes
//! `192.0.2.1/16`: the placeholder is not a network address).
//!
//! # What is kept
//!
//! * Regions and Availability Zones (rules compare the zone with the region of the TaskARN),
//!   task definition families and revisions, container names, DockerNames, images (except an
//!   account id in them), timestamps, numbers, empty strings, 64-hex Docker container ids.
//! * `0.0.0.0`, `127.0.0.0/8`, link-local `169.254.0.0/16` (the endpoint `169.254.170.2`
//!   itself, the instance metadata service), `255.255.255.255`, `::`, `::1`, and the all-zero
//!   and broadcast MAC addresses: they identify nothing.
//! * The values of `Name`, `DockerName`, `Family` and `Revision` (in the documents, not in
//!   tag maps), of the stats `name`, and of the `com.amazonaws.ecs.container-name`,
//!   `…task-definition-family` and `…task-definition-version` labels are not touched at all:
//!   the agent builds the EC2 DockerName from them after removing characters
//!   (`ecs-<family>-<revision>-<name>-<hex>`), so a replacement in one could not be mirrored
//!   in the other and the `docker-name-shape` verdict could change. ECS generates them from
//!   the task definition, not from the account.
//! * A cluster name is replaced where it *is* a cluster name (the fields above and ARN
//!   segments), not wherever the word occurs: names like `default`, `test` or `nginx` are
//!   common words, and the family `ecs-cluster_redis` of a cluster `ecs-cluster` is a family
//!   name, kept as such.
//! * Only canonical shapes are secrets: lower-case hex ids and UUIDs (as ECS makes them),
//!   accounts of exactly 12 digits, IPv4 octets without leading zeros. A malformed ARN keeps
//!   its malformed parts, so it stays malformed and keeps its `arn-shape` finding.
//! * Shortened copies of an id (a log stream cut to `938f6d263c4`) are not recognised.
//!
//! A dotted quad that is not an address (a four-part version `1.2.3.4`) is replaced like one;
//! that changes no verdict, since the replacement is the same everywhere.
//!
//! # Order
//!
//! Placeholders are chosen when a document is redacted, avoiding every value seen so far.
//! [`Redactor::redact_documents`] first reads all documents of a recording, so nothing can
//! collide. When documents are redacted one at a time ([`Redactor::redact_bytes`], e.g. polls
//! of a watch), a later document could in theory contain a bare token equal to a placeholder
//! handed out earlier; call [`Redactor::scan_bytes`] on every document first to rule it out.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::Ipv6Addr;

use serde_json::Value;

use crate::check::Document;
use crate::Error;

/// What kind of secret a placeholder replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A 12-digit AWS account id (in any ARN, and in ECR image names).
    AccountId,
    /// An ARN resource id: a 32-hex task, container-instance or container id, or a UUID.
    ResourceId,
    /// An ECS cluster name.
    ClusterName,
    /// An IPv4 address (also in CIDRs and `ip-A-B-C-D` host names).
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// A MAC address.
    Mac,
    /// An EC2 resource id: instance (`i-`), VPC, subnet, network interface (`eni-`), security
    /// group (`sg-`).
    Ec2Id,
}

impl Kind {
    /// Every kind, in the order summaries list them.
    pub const ALL: [Kind; 7] = [
        Kind::AccountId,
        Kind::ResourceId,
        Kind::ClusterName,
        Kind::Ipv4,
        Kind::Ipv6,
        Kind::Mac,
        Kind::Ec2Id,
    ];

    /// Stable kebab-case name, for machine-readable output.
    pub fn name(self) -> &'static str {
        match self {
            Kind::AccountId => "account-id",
            Kind::ResourceId => "resource-id",
            Kind::ClusterName => "cluster-name",
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
            Kind::Mac => "mac",
            Kind::Ec2Id => "ec2-id",
        }
    }

    /// What `count` secrets of this kind are called in a summary line: `1 account id`,
    /// `3 IPv4 addresses`.
    pub fn count_text(self, count: usize) -> String {
        let (one, many) = match self {
            Kind::AccountId => ("account id", "account ids"),
            Kind::ResourceId => ("resource id", "resource ids"),
            Kind::ClusterName => ("cluster name", "cluster names"),
            Kind::Ipv4 => ("IPv4 address", "IPv4 addresses"),
            Kind::Ipv6 => ("IPv6 address", "IPv6 addresses"),
            Kind::Mac => ("MAC address", "MAC addresses"),
            Kind::Ec2Id => ("EC2 id", "EC2 ids"),
        };
        format!("{count} {}", if count == 1 { one } else { many })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The shapes a secret can have; each has its own placeholder sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Account,
    Hex,
    Uuid,
    Cluster,
    Ec2,
    V4,
    V6,
    Mac,
}

impl Form {
    fn kind(self) -> Kind {
        match self {
            Form::Account => Kind::AccountId,
            Form::Hex | Form::Uuid => Kind::ResourceId,
            Form::Cluster => Kind::ClusterName,
            Form::Ec2 => Kind::Ec2Id,
            Form::V4 => Kind::Ipv4,
            Form::V6 => Kind::Ipv6,
            Form::Mac => Kind::Mac,
        }
    }

    /// Index of a textual form in `Redactor::by_text`.
    fn text_slot(self) -> usize {
        match self {
            Form::Account => 0,
            Form::Hex => 1,
            Form::Uuid => 2,
            Form::Cluster => 3,
            _ => 4,
        }
    }

    fn counter(self) -> usize {
        self as usize
    }
}

/// A placeholder: text for textual secrets, a value for addresses (rendered in the spelling of
/// each occurrence).
#[derive(Clone, Debug)]
enum Placeholder {
    Text(String),
    V4(u32),
    V6(u128),
    Mac(u64),
}

#[derive(Debug)]
struct Entry {
    form: Form,
    /// The secret in canonical spelling (for [`Redactor::replacements`]).
    original: String,
    placeholder: Option<Placeholder>,
}

/// A discovered secret, before it is entered in the table.
#[derive(Clone, Copy, Debug)]
enum Found<'s> {
    Text(Form, &'s str),
    V4(u32),
    V6(u128),
    Mac(u64),
}

/// How the strings under a key are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    /// Tokens of secrets are replaced.
    Plain,
    /// A cluster name (or ARN): the whole value is a cluster name if it has the shape of one.
    Cluster,
    /// Left alone (names the DockerName is built from).
    Keep,
}

/// Keys whose object values are free-form maps (tags, labels, log options): their keys are
/// user data, not field names.
const FREE_MAPS: [&str; 4] = ["Labels", "TaskTags", "ContainerInstanceTags", "LogOptions"];

/// Fields the agent composes the DockerName (and the stats `name`) from, kept as they are.
const KEEP_FIELDS: [&str; 5] = ["Name", "DockerName", "Family", "Revision", "name"];

/// Agent labels that repeat the fields above.
const KEEP_LABELS: [&str; 3] = [
    "com.amazonaws.ecs.container-name",
    "com.amazonaws.ecs.task-definition-family",
    "com.amazonaws.ecs.task-definition-version",
];

fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// How the string values of member `key` of an object are treated (`free`: the object is a
/// tag or label map).
fn member_ctx(key: &str, free: bool) -> Ctx {
    if KEEP_LABELS.contains(&key) || (!free && KEEP_FIELDS.contains(&key)) {
        Ctx::Keep
    } else if ["cluster", "clustername", "cluster-name", "cluster_name"]
        .iter()
        .any(|s| ends_with_ignore_case(key, s))
    {
        Ctx::Cluster
    } else {
        Ctx::Plain
    }
}

fn is_free_map(key: &str) -> bool {
    FREE_MAPS.contains(&key)
}

/// Redacts a set of documents read together (one recording, or all polls of a watch),
/// consistently: the same secret gets the same placeholder in every document.
///
/// Its `Debug` output shows counts only, never a secret.
#[derive(Default)]
pub struct Redactor {
    entries: Vec<Entry>,
    /// Entries by secret text: account, hex, uuid, cluster, EC2 id.
    by_text: [HashMap<String, usize>; 5],
    by_v4: HashMap<u32, usize>,
    by_v6: HashMap<u128, usize>,
    by_mac: HashMap<u64, usize>,
    /// Tokens of the input that have a placeholder's shape (bare 12-digit numbers, 32-hex
    /// strings, UUIDs): never handed out as placeholders.
    reserved: HashSet<String>,
    /// Next number of each [`Form`]'s placeholder sequence.
    counters: [u64; 8],
    /// `entries[..assigned]` have their placeholder.
    assigned: usize,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("summary", &self.summary())
            .finish_non_exhaustive()
    }
}

impl Redactor {
    /// A redactor that has seen nothing yet.
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Redacts every string of one JSON document in place: values and object keys (task-stats
    /// keys, label and tag keys), keeping the order of keys.
    pub fn redact_value(&mut self, value: &mut Value) {
        self.scan_value(value);
        self.assign();
        self.apply_value(value);
    }

    /// Redacts the raw bytes of one document (`input` names it in errors).
    ///
    /// Only the strings that contain a secret change; everything else (layout, numbers, key
    /// order, a UTF-8 byte order mark) is kept byte for byte. Input that is not JSON is an
    /// [`Error::Json`] naming `input`, the line and the column.
    pub fn redact_bytes(&mut self, input: &str, bytes: &[u8]) -> Result<Vec<u8>, Error> {
        let (prefix, text) = json_text(input, bytes)?;
        self.scan_text(text);
        self.assign();
        Ok(self.apply_text(prefix, text))
    }

    /// Redacts the documents of one recording together: reads them all first, then rewrites
    /// each (see [`Redactor::redact_bytes`]). The documents keep their endpoint and input
    /// name. The first document that is not JSON is an error, and nothing is redacted.
    pub fn redact_documents(&mut self, docs: &[Document]) -> Result<Vec<Document>, Error> {
        let mut texts = Vec::with_capacity(docs.len());
        for doc in docs {
            texts.push(json_text(&doc.input, &doc.bytes)?);
        }
        for (_, text) in &texts {
            self.scan_text(text);
        }
        self.assign();
        Ok(docs
            .iter()
            .zip(texts)
            .map(|(doc, (prefix, text))| Document {
                endpoint: doc.endpoint,
                input: doc.input.clone(),
                bytes: self.apply_text(prefix, text),
            })
            .collect())
    }

    /// Learns the secrets of a document without redacting it, so that documents redacted
    /// later one by one cannot collide with it (see the module documentation).
    pub fn scan_bytes(&mut self, input: &str, bytes: &[u8]) -> Result<(), Error> {
        let (_, text) = json_text(input, bytes)?;
        self.scan_text(text);
        Ok(())
    }

    /// Learns the secrets of a parsed document without redacting it.
    pub fn scan_value(&mut self, value: &Value) {
        enum Work<'v> {
            Val(&'v Value, Ctx, bool),
            Key(&'v str),
        }
        // Explicit stack: no recursion, whatever the depth. Keys and values are visited in
        // document order, as `redact_bytes` does, so both number secrets alike.
        let mut stack = vec![Work::Val(value, Ctx::Plain, false)];
        while let Some(work) = stack.pop() {
            match work {
                Work::Key(k) => self.scan_str(k, Ctx::Plain),
                Work::Val(Value::String(s), ctx, _) => self.scan_str(s, ctx),
                Work::Val(Value::Array(items), ctx, free) => {
                    stack.extend(items.iter().rev().map(|x| Work::Val(x, ctx, free)));
                }
                Work::Val(Value::Object(map), _, free) => {
                    for (k, x) in map.iter().rev() {
                        stack.push(Work::Val(x, member_ctx(k, free), is_free_map(k)));
                        stack.push(Work::Key(k));
                    }
                }
                Work::Val(..) => {}
            }
        }
    }

    /// Applies the replacements known so far to a free-standing string (a JSON Pointer token,
    /// a URL, a header value) as if it were a document string, without learning new secrets.
    pub fn redact_str<'s>(&self, s: &'s str) -> Cow<'s, str> {
        self.apply_str(s, Ctx::Plain)
    }

    /// What was replaced, for a summary line: the number of distinct secrets of each kind
    /// (kinds with none are left out). Never the secrets themselves.
    pub fn summary(&self) -> Vec<(Kind, usize)> {
        Kind::ALL
            .into_iter()
            .map(|kind| {
                let n = self
                    .entries
                    .iter()
                    .filter(|e| e.placeholder.is_some() && e.form.kind() == kind)
                    .count();
                (kind, n)
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// The summary as one line: `redacted 1 account id, 2 resource ids, 1 cluster name`, or
    /// `nothing to redact`.
    pub fn summary_line(&self) -> String {
        let parts: Vec<String> = self
            .summary()
            .into_iter()
            .map(|(k, n)| k.count_text(n))
            .collect();
        if parts.is_empty() {
            "nothing to redact".to_owned()
        } else {
            format!("redacted {}", parts.join(", "))
        }
    }

    /// The replacement table, in order of discovery: (kind, secret, placeholder). It contains
    /// the secrets: for tests and local debugging, never for what is shared.
    pub fn replacements(&self) -> Vec<(Kind, String, String)> {
        self.entries
            .iter()
            .filter_map(|e| {
                let p = e.placeholder.as_ref()?;
                let shown = match p {
                    Placeholder::Text(t) => t.clone(),
                    Placeholder::V4(a) => render_v4(*a, b'.'),
                    Placeholder::V6(a) => Ipv6Addr::from(*a).to_string(),
                    Placeholder::Mac(m) => render_mac(*m, false),
                };
                Some((e.form.kind(), e.original.clone(), shown))
            })
            .collect()
    }

    // ----- discovery -----

    fn scan_text(&mut self, text: &str) {
        walk_json(text, |_, _, s, ctx| self.scan_str(s, ctx));
    }

    /// Discovers the secrets of one string (a value under a key of context `ctx`, or a key).
    fn scan_str(&mut self, s: &str, ctx: Ctx) {
        if ctx == Ctx::Keep || s.is_empty() {
            return;
        }
        let mut found: Vec<(usize, Found<'_>)> = Vec::new();
        if ctx == Ctx::Cluster && is_cluster_name(s) {
            found.push((0, Found::Text(Form::Cluster, s)));
        }
        for_each_arn(s, |arn| {
            if let Some((a, b)) = arn.account {
                found.push((a, Found::Text(Form::Account, &s[a..b])));
            }
            if let Some((a, b)) = arn.cluster {
                found.push((a, Found::Text(Form::Cluster, &s[a..b])));
            }
            for &(a, b) in &arn.ids {
                let form = if b - a == 32 { Form::Hex } else { Form::Uuid };
                found.push((a, Found::Text(form, &s[a..b])));
            }
        });
        let mut toks = Vec::new();
        scan_tokens(s, &mut toks);
        for t in &toks {
            let text = &s[t.start..t.end];
            match t.kind {
                Tok::Digits12 => {
                    self.reserved.insert(text.to_owned());
                    if s[t.end..].starts_with(".dkr.ecr") {
                        found.push((t.start, Found::Text(Form::Account, text)));
                    }
                }
                Tok::Hex32 | Tok::Uuid => {
                    self.reserved.insert(text.to_owned());
                }
                Tok::V4(a) | Tok::V4Dashed(a) if !kept_v4(a) => found.push((t.start, Found::V4(a))),
                Tok::V6(a) if !kept_v6(a) => found.push((t.start, Found::V6(a))),
                Tok::Mac(m, _) if !kept_mac(m) => found.push((t.start, Found::Mac(m))),
                Tok::Ec2 => found.push((t.start, Found::Text(Form::Ec2, text))),
                _ => {}
            }
        }
        found.sort_by_key(|(pos, _)| *pos);
        for (_, f) in found {
            self.discover(f);
        }
    }

    fn discover(&mut self, found: Found<'_>) {
        let next = self.entries.len();
        let (form, original) = match found {
            Found::Text(form, text) => {
                let slot = &mut self.by_text[form.text_slot()];
                if slot.contains_key(text) {
                    return;
                }
                slot.insert(text.to_owned(), next);
                (form, text.to_owned())
            }
            Found::V4(a) => {
                if self.by_v4.contains_key(&a) {
                    return;
                }
                self.by_v4.insert(a, next);
                (Form::V4, render_v4(a, b'.'))
            }
            Found::V6(a) => {
                if self.by_v6.contains_key(&a) {
                    return;
                }
                self.by_v6.insert(a, next);
                (Form::V6, Ipv6Addr::from(a).to_string())
            }
            Found::Mac(m) => {
                if self.by_mac.contains_key(&m) {
                    return;
                }
                self.by_mac.insert(m, next);
                (Form::Mac, render_mac(m, false))
            }
        };
        self.entries.push(Entry {
            form,
            original,
            placeholder: None,
        });
    }

    /// Gives every discovered secret without a placeholder its placeholder, in order of
    /// discovery.
    fn assign(&mut self) {
        while self.assigned < self.entries.len() {
            let i = self.assigned;
            let p = self.next_placeholder(self.entries[i].form, i);
            self.entries[i].placeholder = Some(p);
            self.assigned += 1;
        }
    }

    fn bump(&mut self, form: Form) -> u64 {
        let c = &mut self.counters[form.counter()];
        *c = c.wrapping_add(1);
        *c
    }

    /// Whether `text` may be handed out as a placeholder of a textual `form`.
    fn text_free(&self, form: Form, text: &str) -> bool {
        !self.reserved.contains(text) && !self.by_text[form.text_slot()].contains_key(text)
    }

    fn next_placeholder(&mut self, form: Form, entry: usize) -> Placeholder {
        // Every loop ends: each space holds far more values than any input has secrets.
        match form {
            Form::Account => loop {
                let t = format!("{:012}", self.bump(form) % 1_000_000_000_000);
                if self.text_free(form, &t) {
                    return Placeholder::Text(t);
                }
            },
            Form::Hex => loop {
                let t = format!("{:032x}", self.bump(form));
                if self.text_free(form, &t) {
                    return Placeholder::Text(t);
                }
            },
            Form::Uuid => loop {
                let n = self.bump(form) & 0xffff_ffff_ffff;
                let t = format!("00000000-0000-0000-0000-{n:012x}");
                if self.text_free(form, &t) {
                    return Placeholder::Text(t);
                }
            },
            Form::Cluster => loop {
                let t = format!("cluster-{}", self.bump(form));
                if self.text_free(form, &t) {
                    return Placeholder::Text(t);
                }
            },
            Form::Ec2 => {
                let original = &self.entries[entry].original;
                let dash = original.find('-').map_or(0, |i| i + 1);
                let prefix = original[..dash].to_owned();
                let width = original.len() - dash;
                loop {
                    let n = self.bump(form);
                    let n = if width < 16 {
                        n % (1u64 << (4 * width))
                    } else {
                        n
                    };
                    let t = format!("{prefix}{n:0width$x}");
                    if self.text_free(form, &t) {
                        return Placeholder::Text(t);
                    }
                }
            }
            Form::V4 => loop {
                let a = v4_placeholder(self.bump(form).wrapping_sub(1));
                if !self.by_v4.contains_key(&a) {
                    return Placeholder::V4(a);
                }
            },
            Form::V6 => loop {
                let a = (0x2001_0db8u128 << 96) | u128::from(self.bump(form));
                if !self.by_v6.contains_key(&a) {
                    return Placeholder::V6(a);
                }
            },
            Form::Mac => loop {
                let m = 0x0200_0000_0000 | (self.bump(form) & 0xff_ffff_ffff);
                if !self.by_mac.contains_key(&m) {
                    return Placeholder::Mac(m);
                }
            },
        }
    }

    // ----- replacement -----

    fn placeholder_of(&self, index: Option<&usize>) -> Option<&Placeholder> {
        self.entries.get(*index?)?.placeholder.as_ref()
    }

    fn text_placeholder(&self, form: Form, text: &str) -> Option<&str> {
        match self.placeholder_of(self.by_text[form.text_slot()].get(text))? {
            Placeholder::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The replacement of one string: every token of a known secret replaced.
    fn apply_str<'s>(&self, s: &'s str, ctx: Ctx) -> Cow<'s, str> {
        if ctx == Ctx::Keep || self.assigned == 0 || s.is_empty() {
            return Cow::Borrowed(s);
        }
        if ctx == Ctx::Cluster {
            if let Some(p) = self.text_placeholder(Form::Cluster, s) {
                return Cow::Owned(p.to_owned());
            }
        }
        // (start, end, priority, replacement); cluster segments of ARNs win over tokens.
        let mut spans: Vec<(usize, usize, u8, String)> = Vec::new();
        for_each_arn(s, |arn| {
            if let Some((a, b)) = arn.cluster {
                if let Some(p) = self.text_placeholder(Form::Cluster, &s[a..b]) {
                    spans.push((a, b, 0, p.to_owned()));
                }
            }
        });
        let mut toks = Vec::new();
        scan_tokens(s, &mut toks);
        for t in &toks {
            let text = &s[t.start..t.end];
            let replacement = match t.kind {
                Tok::Digits12 => self
                    .text_placeholder(Form::Account, text)
                    .map(str::to_owned),
                Tok::Hex32 => self.text_placeholder(Form::Hex, text).map(str::to_owned),
                Tok::Uuid => self.text_placeholder(Form::Uuid, text).map(str::to_owned),
                Tok::Ec2 => self.text_placeholder(Form::Ec2, text).map(str::to_owned),
                Tok::V4(a) => match self.placeholder_of(self.by_v4.get(&a)) {
                    Some(Placeholder::V4(p)) => Some(render_v4(*p, b'.')),
                    _ => None,
                },
                Tok::V4Dashed(a) => match self.placeholder_of(self.by_v4.get(&a)) {
                    Some(Placeholder::V4(p)) => Some(render_v4(*p, b'-')),
                    _ => None,
                },
                Tok::V6(a) => match self.placeholder_of(self.by_v6.get(&a)) {
                    Some(Placeholder::V6(p)) => Some(Ipv6Addr::from(*p).to_string()),
                    _ => None,
                },
                Tok::Mac(m, upper) => match self.placeholder_of(self.by_mac.get(&m)) {
                    Some(Placeholder::Mac(p)) => Some(render_mac(*p, upper)),
                    _ => None,
                },
            };
            if let Some(r) = replacement {
                spans.push((t.start, t.end, 1, r));
            }
        }
        if spans.is_empty() {
            return Cow::Borrowed(s);
        }
        spans.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut out = String::with_capacity(s.len() + 16);
        let mut last = 0;
        for (start, end, _, text) in spans {
            if start < last {
                continue;
            }
            out.push_str(&s[last..start]);
            out.push_str(&text);
            last = end;
        }
        out.push_str(&s[last..]);
        Cow::Owned(out)
    }

    fn apply_value(&self, value: &mut Value) {
        let mut stack: Vec<(&mut Value, Ctx, bool)> = vec![(value, Ctx::Plain, false)];
        while let Some((v, ctx, free)) = stack.pop() {
            match v {
                Value::String(s) => {
                    let new = match self.apply_str(s, ctx) {
                        Cow::Owned(new) => Some(new),
                        Cow::Borrowed(_) => None,
                    };
                    if let Some(new) = new {
                        *s = new;
                    }
                }
                Value::Array(items) => stack.extend(items.iter_mut().map(|x| (x, ctx, free))),
                Value::Object(map) => {
                    let old = std::mem::take(map);
                    let mut ctxs = Vec::with_capacity(old.len());
                    for (k, x) in old {
                        ctxs.push((member_ctx(&k, free), is_free_map(&k)));
                        let key = self.apply_str(&k, Ctx::Plain).into_owned();
                        map.insert(key, x);
                    }
                    if map.len() == ctxs.len() {
                        for ((_, x), (c, f)) in map.iter_mut().zip(ctxs) {
                            stack.push((x, c, f));
                        }
                    } else {
                        // Two keys became one (impossible: placeholders never equal input
                        // tokens); fall back to the redacted key's context.
                        for (k, x) in map.iter_mut() {
                            stack.push((x, member_ctx(k, free), is_free_map(k)));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Rewrites a validated JSON text: strings with a secret re-encoded, all else copied.
    fn apply_text(&self, prefix: &[u8], text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(prefix.len() + text.len() + 64);
        out.extend_from_slice(prefix);
        let mut last = 0;
        walk_json(text, |start, end, s, ctx| {
            if let Cow::Owned(new) = self.apply_str(s, ctx) {
                out.extend_from_slice(&text.as_bytes()[last..start]);
                push_json_string(&mut out, &new);
                last = end;
            }
        });
        out.extend_from_slice(&text.as_bytes()[last..]);
        out
    }
}

/// Checks that `bytes` is one JSON document and returns (byte order mark, text).
fn json_text<'b>(input: &str, bytes: &'b [u8]) -> Result<(&'b [u8], &'b str), Error> {
    let _: Value = crate::decode::from_slice(input, bytes)?;
    let body = crate::decode::strip_bom(bytes);
    let prefix = &bytes[..bytes.len() - body.len()];
    let text = std::str::from_utf8(body).map_err(|e| Error::Input {
        input: input.to_owned(),
        message: format!("not UTF-8 at byte {}", e.valid_up_to() + prefix.len()),
    })?;
    Ok((prefix, text))
}

/// Writes `s` as a JSON string literal.
fn push_json_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for &b in s.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0..=0x1f => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// Calls `f(start, end, decoded, ctx)` for every string literal of a valid JSON text, keys
/// included (`start..end` spans the quotes). Iterative: no recursion, whatever the depth.
fn walk_json(text: &str, mut f: impl FnMut(usize, usize, &str, Ctx)) {
    enum Frame {
        /// An object: whether a key comes next, whether it is a free map, the context and
        /// free-map flag of the current member's value.
        Obj {
            want_key: bool,
            free: bool,
            ctx: Ctx,
            child_free: bool,
        },
        /// An array: the context and free-map flag its elements inherit.
        Arr { ctx: Ctx, child_free: bool },
    }
    fn value_site(stack: &[Frame]) -> (Ctx, bool) {
        match stack.last() {
            Some(Frame::Obj {
                ctx, child_free, ..
            })
            | Some(Frame::Arr { ctx, child_free }) => (*ctx, *child_free),
            None => (Ctx::Plain, false),
        }
    }
    let b = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' => {
                let (_, free) = value_site(&stack);
                stack.push(Frame::Obj {
                    want_key: true,
                    free,
                    ctx: Ctx::Plain,
                    child_free: false,
                });
                i += 1;
            }
            b'[' => {
                let (ctx, child_free) = value_site(&stack);
                stack.push(Frame::Arr { ctx, child_free });
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                i += 1;
            }
            b':' | b',' => {
                if let Some(Frame::Obj { want_key, .. }) = stack.last_mut() {
                    *want_key = b[i] == b',';
                }
                i += 1;
            }
            b'"' => {
                let end = string_end(b, i);
                let raw = &text[i..end];
                let decoded = decode_literal(raw);
                let is_key = matches!(stack.last(), Some(Frame::Obj { want_key: true, .. }));
                if is_key {
                    f(i, end, &decoded, Ctx::Plain);
                    if let Some(Frame::Obj {
                        free,
                        ctx,
                        child_free,
                        ..
                    }) = stack.last_mut()
                    {
                        *ctx = member_ctx(&decoded, *free);
                        *child_free = is_free_map(&decoded);
                    }
                } else {
                    f(i, end, &decoded, value_site(&stack).0);
                }
                i = end;
            }
            _ => i += 1,
        }
    }
}

/// Index just after the closing quote of the string literal opening at `start`.
fn string_end(b: &[u8], start: usize) -> usize {
    let mut j = start + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

/// The contents of a JSON string literal (quotes included in `raw`).
fn decode_literal(raw: &str) -> Cow<'_, str> {
    let inner = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    if !inner.contains('\\') {
        return Cow::Borrowed(inner);
    }
    serde_json::from_str::<String>(raw).map_or(Cow::Borrowed(inner), Cow::Owned)
}

// ----- shapes -----

/// A token of a string that has the shape of a secret.
#[derive(Clone, Copy, Debug)]
enum Tok {
    /// 12 digits not next to a letter or digit.
    Digits12,
    /// 32 lower-case hex digits, not part of a longer hex run.
    Hex32,
    /// A lower-case UUID, not next to a hex digit.
    Uuid,
    /// A dotted IPv4 address.
    V4(u32),
    /// The address in `ip-A-B-C-D` (the token spans `A-B-C-D`).
    V4Dashed(u32),
    /// An IPv6 address.
    V6(u128),
    /// A colon-separated MAC address, and whether it has upper-case digits.
    Mac(u64, bool),
    /// An EC2 id such as `vpc-0123456789abcdef0`.
    Ec2,
}

struct Token {
    start: usize,
    end: usize,
    kind: Tok,
}

fn at(b: &[u8], i: usize) -> Option<u8> {
    b.get(i).copied()
}

fn before(b: &[u8], i: usize) -> Option<u8> {
    i.checked_sub(1).and_then(|j| at(b, j))
}

fn is_word(c: Option<u8>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
}

fn run_end(b: &[u8], mut i: usize, class: impl Fn(u8) -> bool) -> usize {
    while i < b.len() && class(b[i]) {
        i += 1;
    }
    i
}

fn is_lower_hex(c: u8) -> bool {
    c.is_ascii_digit() || (b'a'..=b'f').contains(&c)
}

fn is_lower_hex32(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(is_lower_hex)
}

/// Whether `b[i..]` starts with a lower-case UUID; returns its end.
fn uuid_at(b: &[u8], i: usize) -> Option<usize> {
    let end = i.checked_add(36)?;
    let u = b.get(i..end)?;
    let ok = u.iter().enumerate().all(|(k, &c)| match k {
        8 | 13 | 18 | 23 => c == b'-',
        _ => is_lower_hex(c),
    });
    ok.then_some(end)
}

fn is_lower_uuid(s: &str) -> bool {
    s.len() == 36 && uuid_at(s.as_bytes(), 0).is_some()
}

/// Whether `s` is a cluster name as the `arn-shape` rule accepts it.
fn is_cluster_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// One octet (1 to 3 digits, no leading zero, at most 255) at `i`: (end, value).
fn octet(b: &[u8], i: usize) -> Option<(usize, u32)> {
    let end = run_end(b, i, |c| c.is_ascii_digit());
    let len = end - i;
    if len == 0 || len > 3 || (len > 1 && b[i] == b'0') {
        return None;
    }
    let v = b[i..end]
        .iter()
        .fold(0u32, |v, &c| v * 10 + u32::from(c - b'0'));
    (v <= 255).then_some((end, v))
}

/// An IPv4 address at `i` with `sep` between octets, not followed by a fifth part.
fn ipv4_at(b: &[u8], i: usize, sep: u8) -> Option<(usize, u32)> {
    let mut pos = i;
    let mut addr = 0u32;
    for k in 0..4 {
        if k > 0 {
            if at(b, pos) != Some(sep) {
                return None;
            }
            pos += 1;
        }
        let (end, v) = octet(b, pos)?;
        addr = (addr << 8) | v;
        pos = end;
    }
    if at(b, pos) == Some(sep) && at(b, pos + 1).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((pos, addr))
}

/// `hh:hh:hh:hh:hh:hh`.
fn parse_mac(run: &[u8]) -> Option<(u64, bool)> {
    if run.len() != 17 {
        return None;
    }
    let mut m = 0u64;
    for (k, &c) in run.iter().enumerate() {
        if k % 3 == 2 {
            if c != b':' {
                return None;
            }
            continue;
        }
        let d = char::from(c).to_digit(16)?;
        m = (m << 4) | u64::from(d);
    }
    Some((m, run.iter().any(u8::is_ascii_uppercase)))
}

/// Prefixes of the EC2 ids that are redacted.
const EC2_PREFIXES: [&[u8]; 5] = [b"i-", b"vpc-", b"subnet-", b"eni-", b"sg-"];

/// Every token of `s` that has the shape of a secret, in no particular order. Linear time.
fn scan_tokens(s: &str, out: &mut Vec<Token>) {
    let b = s.as_bytes();
    let n = b.len();
    let mut push = |start, end, kind| out.push(Token { start, end, kind });

    // Digit runs: account ids and dotted IPv4 addresses.
    let mut i = 0;
    while i < n {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let j = run_end(b, i, |c| c.is_ascii_digit());
        if j - i == 12 && !is_word(before(b, i)) && !is_word(at(b, j)) {
            push(i, j, Tok::Digits12);
        }
        let after_number =
            before(b, i) == Some(b'.') && before(b, i - 1).is_some_and(|c| c.is_ascii_digit());
        if !after_number {
            if let Some((end, a)) = ipv4_at(b, i, b'.') {
                push(i, end, Tok::V4(a));
            }
        }
        i = j;
    }

    // Hex runs: 32-hex ids and UUIDs.
    let mut i = 0;
    while i < n {
        if !b[i].is_ascii_hexdigit() {
            i += 1;
            continue;
        }
        let j = run_end(b, i, |c| c.is_ascii_hexdigit());
        if j - i == 32 && b[i..j].iter().all(|&c| is_lower_hex(c)) {
            push(i, j, Tok::Hex32);
        }
        if j - i == 8 {
            if let Some(end) = uuid_at(b, i) {
                if !at(b, end).is_some_and(|c| c.is_ascii_hexdigit()) {
                    push(i, end, Tok::Uuid);
                }
            }
        }
        i = j;
    }

    // Runs of hex digits, colons and dots: MAC and IPv6 addresses.
    let class = |c: u8| c.is_ascii_hexdigit() || c == b':' || c == b'.';
    let mut i = 0;
    while i < n {
        if !class(b[i]) {
            i += 1;
            continue;
        }
        let j = run_end(b, i, class);
        let run = &b[i..j];
        if j - i <= 64
            && run.iter().filter(|&&c| c == b':').count() >= 2
            && !is_word(before(b, i))
            && !is_word(at(b, j))
        {
            if let Some((m, upper)) = parse_mac(run) {
                push(i, j, Tok::Mac(m, upper));
            } else {
                // A sentence may end right after the address.
                let mut t = &s[i..j];
                while let Some(r) = t.strip_suffix('.') {
                    t = r;
                }
                let mut parsed = t.parse::<Ipv6Addr>().ok().map(|a| (a, t.len()));
                if parsed.is_none() && t.ends_with(':') && !t.ends_with("::") {
                    let u = &t[..t.len() - 1];
                    parsed = u.parse::<Ipv6Addr>().ok().map(|a| (a, u.len()));
                }
                if let Some((a, len)) = parsed {
                    push(i, i + len, Tok::V6(u128::from(a)));
                }
            }
        }
        i = j;
    }

    // Word starts: `ip-A-B-C-D` host names and EC2 ids.
    for i in 0..n {
        if !matches!(b[i], b'i' | b'v' | b's' | b'e') || is_word(before(b, i)) {
            continue;
        }
        if b[i..].starts_with(b"ip-") {
            if let Some((end, a)) = ipv4_at(b, i + 3, b'-') {
                if !is_word(at(b, end)) {
                    push(i + 3, end, Tok::V4Dashed(a));
                }
            }
        }
        for p in EC2_PREFIXES {
            if b[i..].starts_with(p) {
                let h = i + p.len();
                let j = run_end(b, h, is_lower_hex);
                if (j - h == 8 || j - h == 17) && !is_word(at(b, j)) {
                    push(i, j, Tok::Ec2);
                }
            }
        }
    }
}

/// The secrets of one ARN, as byte ranges of the string it was found in.
struct ArnParts {
    account: Option<(usize, usize)>,
    cluster: Option<(usize, usize)>,
    ids: Vec<(usize, usize)>,
}

/// Bytes that end an ARN found in free text.
fn ends_arn(c: u8) -> bool {
    c <= b' '
        || c >= 0x80
        || matches!(
            c,
            b'"' | b'\''
                | b'<'
                | b'>'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b','
                | b';'
                | b'|'
                | b'\\'
                | b'`'
        )
}

/// ECS resource types whose ARN names the cluster first (`task/CLUSTER/ID`).
const CLUSTERED: [&str; 5] = [
    "task",
    "container",
    "container-instance",
    "service",
    "task-set",
];

/// Calls `f` for every ARN in `s` (`arn:aws…:SERVICE:REGION:ACCOUNT:RESOURCE`, starting at a
/// word boundary and ending at a space, a quote, a bracket, `,` or `;`). A string that starts
/// with `arn:` is also read whole, the way the checker's ARN rules read a field, so that both
/// agree on where its cluster name is. Linear time: ARNs do not overlap.
fn for_each_arn(s: &str, mut f: impl FnMut(ArnParts)) {
    let b = s.as_bytes();
    if s.starts_with("arn:") {
        if let Some(parts) = parse_arn(s, 0, b.len()) {
            f(parts);
        }
    }
    let mut from = 0;
    while let Some(off) = s.get(from..).and_then(|rest| rest.find("arn:")) {
        let start = from + off;
        if is_word(before(b, start)) {
            from = start + 4;
            continue;
        }
        let mut end = run_end(b, start, |c| !ends_arn(c));
        while end > start && b[end - 1] == b'.' {
            end -= 1;
        }
        from = end.max(start + 4);
        if let Some(parts) = parse_arn(s, start, end) {
            f(parts);
        }
    }
}

/// The ranges of `b[start..end]` between separators.
fn split_ranges(
    b: &[u8],
    start: usize,
    end: usize,
    is_sep: impl Fn(u8) -> bool,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = start;
    for (k, &c) in b[start..end].iter().enumerate() {
        if is_sep(c) {
            out.push((from, start + k));
            from = start + k + 1;
        }
    }
    out.push((from, end));
    out
}

/// Reads the ARN `s[start..end]`.
fn parse_arn(s: &str, start: usize, end: usize) -> Option<ArnParts> {
    let b = s.as_bytes();
    let mut colons = [0usize; 5];
    let mut found = 0;
    for (k, &c) in b[start..end].iter().enumerate() {
        if c == b':' {
            colons[found] = start + k;
            found += 1;
            if found == 5 {
                break;
            }
        }
    }
    if found < 5 {
        return None;
    }
    let partition = &s[colons[0] + 1..colons[1]];
    let service = &s[colons[1] + 1..colons[2]];
    if !partition.starts_with("aws") || service.is_empty() {
        return None;
    }
    let (acc_start, acc_end) = (colons[3] + 1, colons[4]);
    let account = (acc_end - acc_start == 12
        && b[acc_start..acc_end].iter().all(u8::is_ascii_digit))
    .then_some((acc_start, acc_end));
    let res_start = colons[4] + 1;
    // Resource segments, split at '/'.
    let segs = split_ranges(b, res_start, end, |c| c == b'/');
    let mut cluster = None;
    if service == "ecs" && segs.len() >= 2 {
        let kind = &s[segs[0].0..segs[0].1];
        if kind == "cluster" || (CLUSTERED.contains(&kind) && segs.len() >= 3) {
            let (a, z) = segs[1];
            if is_cluster_name(&s[a..z]) {
                cluster = Some((a, z));
            }
        }
    }
    let ids = split_ranges(b, res_start, end, |c| c == b'/' || c == b':')
        .into_iter()
        .filter(|&(a, z)| {
            Some((a, z)) != cluster && (is_lower_hex32(&s[a..z]) || is_lower_uuid(&s[a..z]))
        })
        .collect();
    Some(ArnParts {
        account,
        cluster,
        ids,
    })
}

fn kept_v4(a: u32) -> bool {
    a == 0 || a >> 24 == 127 || a >> 16 == 0xa9fe || a == u32::MAX
}

fn kept_v6(a: u128) -> bool {
    a <= 1
}

fn kept_mac(m: u64) -> bool {
    m == 0 || m == 0xffff_ffff_ffff
}

/// The `n`th IPv4 placeholder (from 0): documentation ranges first, then the benchmarking
/// range, then the reserved `240.0.0.0/4`.
fn v4_placeholder(n: u64) -> u32 {
    const POOLS: [(u32, u64); 5] = [
        (0xc000_0201, 254),         // 192.0.2.1 ..= 192.0.2.254
        (0xc633_6401, 254),         // 198.51.100.1 ..= 198.51.100.254
        (0xcb00_7101, 254),         // 203.0.113.1 ..= 203.0.113.254
        (0xc612_0001, 131_070),     // 198.18.0.1 ..= 198.19.255.254
        (0xf000_0001, 268_435_454), // 240.0.0.1 ..= 255.255.255.254
    ];
    let total: u64 = POOLS.iter().map(|p| p.1).sum();
    let mut k = n % total;
    for (base, count) in POOLS {
        if k < count {
            // k < count <= 2^28, so it fits.
            return base.wrapping_add(u32::try_from(k).unwrap_or(0));
        }
        k -= count;
    }
    POOLS[0].0
}

fn render_v4(a: u32, sep: u8) -> String {
    let [w, x, y, z] = a.to_be_bytes();
    let sep = char::from(sep);
    format!("{w}{sep}{x}{sep}{y}{sep}{z}")
}

fn render_mac(m: u64, upper: bool) -> String {
    let bytes = &m.to_be_bytes()[2..];
    let parts: Vec<String> = bytes
        .iter()
        .map(|b| {
            if upper {
                format!("{b:02X}")
            } else {
                format!("{b:02x}")
            }
        })
        .collect();
    parts.join(":")
}

//! What one listing of a config's folder says about the files planned
//! beside it.
//!
//! A config's companion files (its collector config, its deploy snippet)
//! are named after it, and the name depends on the folder's listing: a
//! config shares its stem with another (`krakend.json`, `krakend.yaml`)
//! only if the listing says so. The folder is listed for that anyway, so
//! the same open handle also says what the folder is (device and inode,
//! which [`Location`](crate::workspace::plan::Location) knows files by),
//! and whether anything in it could be where the collector config goes.
//! A repository `--check` plans a collector config for every legacy
//! config: looking each of those up by path again was two system calls
//! per config, one of them the lookup of a name that is not there.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::workspace::plan::Folder;
use crate::workspace::write;

/// The suffix of a collector config's name (`krakend.otel-collector.yaml`).
const COLLECTOR_SUFFIX: &str = ".otel-collector.yaml";

/// One listing of a config's folder, as its companions need it.
#[derive(Debug, Clone)]
pub struct Beside {
    /// The name companion files start with ([`sibling_stem`]).
    pub stem: String,
    /// What the folder is, read from the listing's handle; `None` when it
    /// could not be listed.
    pub(crate) folder: Option<Folder>,
    /// No entry of the folder could be the collector config: none has its
    /// name, ASCII letters' case aside (a case-insensitive folder finds a
    /// file under either case). `false` when the folder could not be
    /// listed, or when the name has other letters, whose case a file
    /// system may fold in more ways: the path is then looked up.
    pub(crate) collector_absent: bool,
    /// Whether the config itself is a symbolic link, as its entry in the
    /// listing says; `None` when the listing does not say (a file system
    /// that gives no types, or the entry was not seen): it is then looked
    /// up.
    pub(crate) config_is_link: Option<bool>,
}

impl Beside {
    /// `dir/krakend.json` -> `dir/krakend.otel-collector.yaml`: where the
    /// config's collector config goes unless `--collector-out` says
    /// otherwise.
    pub fn collector_path(&self, config: &Path) -> PathBuf {
        config.with_file_name(format!("{}{COLLECTOR_SUFFIX}", self.stem))
    }
}

/// List the folder of `config` once for its companions.
pub fn beside(config: &Path) -> Beside {
    let stem = config
        .file_stem()
        .map_or_else(|| "krakend".into(), |s| s.to_string_lossy().into_owned());
    let own = config.file_name();
    let own_name = own.map(|n| n.to_string_lossy().into_owned());
    // The two names the collector config may get, whichever the listing
    // decides.
    let collector_names = [
        format!("{stem}{COLLECTOR_SUFFIX}"),
        format!("{}{COLLECTOR_SUFFIX}", own_name.as_deref().unwrap_or("")),
    ];
    let other_letters = collector_names.iter().any(|n| !n.is_ascii());
    let (mut shared, mut collector_seen) = (false, other_letters);
    let mut config_is_link = None;
    let folder = list(&write::parent_dir(config), |name, is_link| {
        if Some(name) == own {
            config_is_link = is_link;
        }
        let path = Path::new(name);
        shared |= Some(name) != own
            && crate::workspace::discover::is_config_file(path)
            && path
                .file_stem()
                .is_some_and(|s| s.to_string_lossy() == stem);
        collector_seen |= collector_names
            .iter()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(name.as_encoded_bytes()));
    });
    let stem = match own_name {
        Some(own) if shared => own,
        _ => stem,
    };
    Beside {
        stem,
        collector_absent: folder.is_some() && !collector_seen,
        config_is_link,
        folder,
    }
}

/// The name a config's companion files (collector config, deploy
/// snippet) start with: its stem (`krakend` for `krakend.json`), or its
/// whole file name (`krakend.json`) when another config in its folder has
/// the same stem (`krakend.yaml`), so that the two never share a file.
/// It depends only on the folder's listing, never on what a run does, so
/// every run gives each config the same names.
pub fn sibling_stem(config: &Path) -> String {
    beside(config).stem
}

/// Where a config's collector config goes unless `--collector-out` says
/// otherwise ([`Beside::collector_path`]).
pub fn sibling_collector_path(config: &Path) -> PathBuf {
    beside(config).collector_path(config)
}

/// Give each entry name of the folder `dir` to `visit`, with whether it
/// is a symbolic link when the listing says; what the folder is, or
/// `None` (and no names) if it cannot be listed. On Linux the
/// listing is read straight into a buffer on the stack, and the folder is
/// known by its open handle: `read_dir`'s heap buffer, its path per entry
/// and a `stat` of the folder by path were a twentieth of a repository
/// `--check`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn list(dir: &Path, mut visit: impl FnMut(&OsStr, Option<bool>)) -> Option<Folder> {
    use rustix::fs::{FileType, Mode, OFlags, RawDir};
    use std::mem::MaybeUninit;
    use std::os::unix::ffi::OsStrExt;
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let handle = rustix::fs::open(dir, flags, Mode::empty()).ok()?;
    let stat = rustix::fs::fstat(&handle).ok()?;
    // Room for a dozen of the longest names a folder can hold.
    let mut buffer = [MaybeUninit::<u8>::uninit(); 4096];
    let mut entries = RawDir::new(&handle, &mut buffer);
    while let Some(Ok(entry)) = entries.next() {
        let name = entry.file_name().to_bytes();
        if name != b"." && name != b".." {
            let is_link = match entry.file_type() {
                FileType::Unknown => None,
                kind => Some(kind == FileType::Symlink),
            };
            visit(OsStr::from_bytes(name), is_link);
        }
    }
    #[allow(clippy::useless_conversion)] // the types differ between targets
    Some(Folder::Identity(
        u64::from(stat.st_dev),
        u64::from(stat.st_ino),
    ))
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn list(dir: &Path, mut visit: impl FnMut(&OsStr, Option<bool>)) -> Option<Folder> {
    let entries = std::fs::read_dir(dir).ok()?;
    for entry in entries.flatten() {
        visit(&entry.file_name(), None);
    }
    Some(Folder::of(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_collector_config_is_named_after_the_config() {
        let beside = |path: &str| Beside {
            stem: Path::new(path)
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned(),
            folder: None,
            collector_absent: false,
            config_is_link: None,
        };
        assert_eq!(
            beside("krakend.json").collector_path(Path::new("krakend.json")),
            Path::new("krakend.otel-collector.yaml")
        );
        assert_eq!(
            beside("prod.json").collector_path(Path::new("conf/prod.json")),
            Path::new("conf/prod.otel-collector.yaml")
        );
    }

    #[test]
    fn two_configs_with_one_stem_get_names_of_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("krakend.json");
        std::fs::write(&json, "{}").unwrap();
        // Alone (a collector config beside it is no config).
        std::fs::write(dir.path().join("krakend.otel-collector.yaml"), "").unwrap();
        assert_eq!(sibling_stem(&json), "krakend");
        let yaml = dir.path().join("krakend.yaml");
        std::fs::write(&yaml, "").unwrap();
        assert_eq!(
            sibling_collector_path(&json),
            dir.path().join("krakend.json.otel-collector.yaml")
        );
        assert_eq!(
            sibling_collector_path(&yaml),
            dir.path().join("krakend.yaml.otel-collector.yaml")
        );
    }

    /// The folder is read whole however many entries it has (more than one
    /// buffer's worth here), and an extension counts in any case.
    #[test]
    fn a_sibling_is_found_among_many_entries_and_in_any_case() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("krakend.json");
        std::fs::write(&json, "{}").unwrap();
        for i in 0..400 {
            let name = format!("a-long-name-to-fill-the-listing-buffer-{i:04}.json");
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        std::fs::create_dir(dir.path().join("krakend.yml.d")).unwrap();
        assert_eq!(sibling_stem(&json), "krakend");
        std::fs::write(dir.path().join("krakend.YML"), "").unwrap();
        assert_eq!(sibling_stem(&json), "krakend.json");
        assert_eq!(
            sibling_stem(&dir.path().join("gone/krakend.json")),
            "krakend"
        );
    }

    /// What the listing says of the collector config's place: absent only
    /// when no name could be it, in any case of its ASCII letters; and the
    /// folder is the one a `stat` of its path gives.
    #[test]
    fn the_collector_config_is_known_absent_only_when_no_name_could_be_it() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("krakend.json");
        std::fs::write(&json, "{}").unwrap();
        let listed = beside(&json);
        assert!(listed.collector_absent);
        assert_eq!(listed.folder, Some(Folder::of(dir.path())));
        std::fs::write(dir.path().join("KRAKEND.Otel-Collector.yaml"), "").unwrap();
        assert!(!beside(&json).collector_absent, "another case of its name");
        let other = dir.path().join("café.json");
        std::fs::write(&other, "{}").unwrap();
        assert!(!beside(&other).collector_absent, "other letters: looked up");
        let gone = beside(&dir.path().join("gone/krakend.json"));
        assert!(!gone.collector_absent && gone.folder.is_none());
        assert_eq!(gone.config_is_link, None);
    }

    /// The listing says whether the config is a link, where it says types
    /// at all (a file system that gives none leaves both to a lookup).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn the_listing_says_whether_the_config_is_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("krakend.json");
        std::fs::write(&json, "{}").unwrap();
        let link = dir.path().join("linked.json");
        std::os::unix::fs::symlink(&json, &link).unwrap();
        let said = (beside(&json).config_is_link, beside(&link).config_is_link);
        assert!(
            matches!(said, (Some(false), Some(true)) | (None, None)),
            "{said:?}"
        );
    }
}

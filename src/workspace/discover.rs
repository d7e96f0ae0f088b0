//! Finding the configs to migrate under the paths the user gave.
//!
//! A file given by name is taken unless `--exclude` matches it. A directory is walked recursively
//! with ripgrep's walker (the `ignore` crate): `.gitignore`, `.ignore` and
//! git's exclude files are honoured unless `--no-ignore`, hidden files and
//! folders are skipped, symlinks are followed (a loop is reported, not
//! fatal), and only files that can hold a KrakenD config are kept (`.json`,
//! `.yaml`, `.yml`, `.toml`, `.tmpl`), filtered by `--include` and
//! `--exclude`. Each real file is kept once, however many links lead to it,
//! so no file is migrated twice in one run.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::workspace::input::InputKind;
use crate::workspace::input_list::InputList;

/// Extensions of the files a walk considers.
pub const CONFIG_EXTENSIONS: &[&str] = &["json", "yaml", "yml", "toml", "tmpl"];

#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// Do not honour `.gitignore`, `.ignore` and git's exclude files.
    pub no_ignore: bool,
    /// Globs a walked file must match (any of them), if given.
    pub include: Vec<String>,
    /// Globs that exclude walked files.
    pub exclude: Vec<String>,
}

/// Something the walk could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub message: String,
    /// A symlink loop is only a warning; an unreadable entry is an error.
    pub is_error: bool,
}

#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to process, in a stable order (walk order, sorted per folder):
    /// explicit if a path names them, else walked.
    pub files: InputList,
    pub problems: Vec<Problem>,
    /// The files are one folder's walk, in path order (where the files
    /// below a folder come together), and the walk met no link: each
    /// folder and file it took has one path.
    pub one_plain_folder: bool,
}

/// A compiled `--include` / `--exclude` pattern set. A pattern with a `/`
/// matches the path below the walked folder; one without matches the file
/// name anywhere (as ripgrep's `-g` does).
struct Filter {
    by_path: GlobSet,
    by_name: GlobSet,
    empty: bool,
}

impl Filter {
    fn new(patterns: &[String]) -> Result<Filter, String> {
        let mut by_path = GlobSetBuilder::new();
        let mut by_name = GlobSetBuilder::new();
        for pattern in patterns {
            let glob = Glob::new(pattern).map_err(|e| format!("invalid glob `{pattern}`: {e}"))?;
            if pattern.contains('/') {
                by_path.add(glob);
            } else {
                by_name.add(glob);
            }
        }
        Ok(Filter {
            by_path: by_path.build().map_err(|e| e.to_string())?,
            by_name: by_name.build().map_err(|e| e.to_string())?,
            empty: patterns.is_empty(),
        })
    }

    fn matches(&self, relative: &Path) -> bool {
        let name_match = relative
            .file_name()
            .is_some_and(|name| self.by_name.is_match(name));
        name_match || self.by_path.is_match(relative)
    }
}

/// Whether a path has an extension a walk considers.
pub fn is_config_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| CONFIG_EXTENSIONS.iter().any(|c| c.eq_ignore_ascii_case(e)))
}

/// Expand `paths` into the files to process. `-` is left to the caller.
pub fn discover(paths: &[PathBuf], options: &DiscoverOptions) -> Result<Discovery, String> {
    let include = Filter::new(&options.include)?;
    let exclude = Filter::new(&options.exclude)?;
    let mut unique = ByIdentity::default();
    let mut problems = Vec::new();
    for root in paths {
        if !root.is_dir() {
            // A file given by name is taken (its errors, if any, are
            // reported when it is read) unless `--exclude` names it: a
            // hook or a script that passes every changed file must be able
            // to leave some out, as ruff's `--force-exclude` does.
            let relative = root.strip_prefix(".").unwrap_or(root);
            if !exclude.empty && exclude.matches(relative) {
                continue;
            }
            let identity = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
            unique.keep(root.clone(), identity);
            continue;
        }
        let walk = walk(root, options, &include, &exclude);
        if paths.len() == 1 && !walk.meets_links() && !mounts_below(root) {
            return Ok(one_plain_folder(root, walk));
        }
        let found = walk.files.len();
        unique.keep_walk(root, walk.files, &walk.linked_dirs);
        problems.extend(walk.problems);
        problems.extend(nothing_found(root, found));
    }
    Ok(Discovery {
        files: unique.into_list(paths),
        problems,
        one_plain_folder: false,
    })
}

/// The common run, one folder whose walk met no symbolic link: each path
/// is a different file by construction, so no file's real path is looked
/// up, and the sorted paths go straight into the packed list.
fn one_plain_folder(root: &Path, walk: Walk) -> Discovery {
    let mut files = InputList::default();
    let found = walk.files.len();
    for file in walk.files {
        files.push(InputKind::Walked, &file.path);
    }
    let mut problems = walk.problems;
    problems.extend(nothing_found(root, found));
    Discovery {
        files,
        problems,
        one_plain_folder: true,
    }
}

/// A folder named on purpose that yields nothing is worth a word: a typo,
/// or configs hidden by an ignore file or a glob.
fn nothing_found(root: &Path, found: usize) -> Option<Problem> {
    (found == 0).then(|| Problem {
        path: root.to_path_buf(),
        message: "no config file found in this folder (looked for .json, .yaml, .yml, .toml and .tmpl files, skipping hidden and ignored ones)".into(),
        is_error: false,
    })
}

/// The files of several paths, or of a walk that met links: one real
/// file, one migration, whatever the paths leading to it. A file is known
/// by its most direct path (the fewest components).
#[derive(Default)]
struct ByIdentity {
    files: Vec<PathBuf>,
    /// Where each real path's file is in `files`.
    seen: HashMap<PathBuf, usize>,
}

impl ByIdentity {
    fn keep(&mut self, path: PathBuf, identity: PathBuf) {
        match self.seen.get(&identity) {
            Some(&i) => {
                if path.components().count() < self.files[i].components().count() {
                    self.files[i] = path;
                }
            }
            None => {
                self.seen.insert(identity, self.files.len());
                self.files.push(path);
            }
        }
    }

    /// Keep the files a walk of `root` found. A file's real path, without
    /// asking the file system for each one: below the real root, only
    /// links change where a path leads.
    fn keep_walk(&mut self, root: &Path, files: Vec<WalkedFile>, linked_dirs: &[PathBuf]) {
        let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        for file in files {
            let through_link =
                file.is_link || linked_dirs.iter().any(|dir| file.path.starts_with(dir));
            let identity = if through_link {
                std::fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone())
            } else {
                file.path
                    .strip_prefix(root)
                    .map_or_else(|_| file.path.clone(), |rest| real_root.join(rest))
            };
            self.keep(file.path, identity);
        }
    }

    /// The files in order, explicit where a path names them.
    fn into_list(self, named: &[PathBuf]) -> InputList {
        let named: HashSet<&Path> = named.iter().map(PathBuf::as_path).collect();
        let mut list = InputList::default();
        for path in &self.files {
            let kind = if named.contains(path.as_path()) {
                InputKind::Explicit
            } else {
                InputKind::Walked
            };
            list.push(kind, path);
        }
        list
    }
}

struct WalkedFile {
    path: PathBuf,
    /// The entry itself is a symbolic link.
    is_link: bool,
}

/// What one folder's walk found, sorted by path.
#[derive(Default)]
struct Walk {
    files: Vec<WalkedFile>,
    /// Folders reached through a symbolic link: what lies below them is
    /// not where its path says.
    linked_dirs: Vec<PathBuf>,
    problems: Vec<Problem>,
}

impl Walk {
    /// Whether a path of the walk may lead to a file another path leads
    /// to: only through a symbolic link.
    fn meets_links(&self) -> bool {
        !self.linked_dirs.is_empty() || self.files.iter().any(|f| f.is_link)
    }
}

/// Walk `root` on every core, as ripgrep does. The result is sorted by
/// path, which is the order of a walk that visits each folder's entries
/// by name, so runs are reproducible whatever the threads did.
fn walk(root: &Path, options: &DiscoverOptions, include: &Filter, exclude: &Filter) -> Walk {
    let result = std::sync::Mutex::new(Walk::default());
    let mut scope = WalkScope {
        root,
        include,
        exclude,
        result: &result,
    };
    ignore::WalkBuilder::new(root)
        .hidden(true)
        .ignore(!options.no_ignore)
        .git_ignore(!options.no_ignore)
        .git_global(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .parents(!options.no_ignore)
        .follow_links(true)
        .build_parallel()
        .visit(&mut scope);
    let mut walk = result.into_inner().unwrap_or_else(|e| e.into_inner());
    walk.files
        .sort_by_cached_key(|file| walk_order_key(&file.path));
    walk.problems
        .sort_by_cached_key(|problem| walk_order_key(&problem.path));
    walk
}

/// The key that sorts the paths of one walk in the order of `Path::cmp`
/// (component by component): every path starts with the same root, and
/// below it the walker joins names with one separator, so the bytes with
/// each separator made the lowest byte (no name holds a NUL) compare as
/// the components do. Path::cmp splits both paths into components on
/// every comparison, and a byte-by-byte comparison ranking the separator
/// low was still 17 M instructions for 4,000 files: all of them on one
/// thread between the walk and the work, where a key made once per path
/// is compared by `memcmp`.
fn walk_order_key(path: &Path) -> Vec<u8> {
    let mut key = path.as_os_str().as_encoded_bytes().to_vec();
    for byte in &mut key {
        if *byte == b'/' || *byte == std::path::MAIN_SEPARATOR as u8 {
            *byte = 0;
        }
    }
    key
}

/// What every walker thread shares, and the maker of their visitors: one
/// per thread, each gathering what its thread finds and handing it over
/// once, when the walk is over, instead of taking a shared lock per file.
#[derive(Clone, Copy)]
struct WalkScope<'a> {
    root: &'a Path,
    include: &'a Filter,
    exclude: &'a Filter,
    result: &'a std::sync::Mutex<Walk>,
}

impl WalkScope<'_> {
    /// Whether `--include` and `--exclude` let `path` through (the path
    /// below the root is only worked out when one of them is given).
    fn passes_filters(&self, path: &Path) -> bool {
        if self.include.empty && self.exclude.empty {
            return true;
        }
        let relative = path.strip_prefix(self.root).unwrap_or(path);
        (self.include.empty || self.include.matches(relative)) && !self.exclude.matches(relative)
    }
}

impl<'s> ignore::ParallelVisitorBuilder<'s> for WalkScope<'s> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(WalkVisitor {
            scope: *self,
            found: Walk::default(),
        })
    }
}

/// One walker thread's share of the walk.
struct WalkVisitor<'a> {
    scope: WalkScope<'a>,
    found: Walk,
}

impl ignore::ParallelVisitor for WalkVisitor<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
        let found = &mut self.found;
        match entry {
            Err(err) => found.problems.push(problem(self.scope.root, &err)),
            Ok(entry) => {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if is_dir && entry.path_is_symlink() {
                    found.linked_dirs.push(entry.path().to_path_buf());
                }
                let wanted = entry.file_type().is_some_and(|t| t.is_file())
                    && is_config_file(entry.path())
                    && self.scope.passes_filters(entry.path());
                if wanted {
                    found.files.push(WalkedFile {
                        is_link: entry.path_is_symlink(),
                        path: entry.into_path(),
                    });
                }
            }
        }
        ignore::WalkState::Continue
    }
}

impl Drop for WalkVisitor<'_> {
    /// The walker drops each thread's visitor when the walk is over.
    fn drop(&mut self) {
        let mut all = self.scope.result.lock().unwrap_or_else(|e| e.into_inner());
        all.files.append(&mut self.found.files);
        all.linked_dirs.append(&mut self.found.linked_dirs);
        all.problems.append(&mut self.found.problems);
    }
}

fn problem(root: &Path, err: &ignore::Error) -> Problem {
    let mut path = root.to_path_buf();
    let mut is_error = true;
    let mut current = err;
    loop {
        match current {
            ignore::Error::WithPath { path: p, err } => {
                path = p.clone();
                current = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                current = err;
            }
            ignore::Error::Loop { child, .. } => {
                path = child.clone();
                is_error = false;
                break;
            }
            _ => break,
        }
    }
    let message = if is_error {
        format!("cannot read: {err}")
    } else {
        format!("symlink loop, not followed: {err}")
    };
    Problem {
        path,
        message,
        is_error,
    }
}

/// Whether a file system is mounted below `root`. A bind mount shows a
/// folder at a second path with no link on the way, so a folder below
/// such a mount may be one the walk meets twice: the walk is then no
/// plain folder. Read from the kernel's mount table; where it cannot be
/// read, the answer is yes (the run keeps what a run over several paths
/// keeps, and only its memory pays).
#[cfg(target_os = "linux")]
fn mounts_below(root: &Path) -> bool {
    let (Ok(real), Ok(table)) = (
        std::fs::canonicalize(root),
        std::fs::read("/proc/self/mountinfo"),
    ) else {
        return true;
    };
    mount_points(&table).any(|point| point != real && point.starts_with(&real))
}

#[cfg(not(target_os = "linux"))]
fn mounts_below(_root: &Path) -> bool {
    false
}

/// The mount points of a `/proc/self/mountinfo` table: each line's fifth
/// field, with the kernel's octal escapes (`\040` for a space) decoded.
#[cfg(target_os = "linux")]
fn mount_points(table: &[u8]) -> impl Iterator<Item = PathBuf> + '_ {
    use std::os::unix::ffi::OsStrExt;
    table
        .split(|&b| b == b'\n')
        .filter_map(|line| line.split(|&b| b == b' ').nth(4))
        .map(|field| PathBuf::from(std::ffi::OsStr::from_bytes(&unescape_octal(field))))
}

#[cfg(target_os = "linux")]
fn unescape_octal(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut rest = field;
    while let Some((&byte, tail)) = rest.split_first() {
        let code = tail
            .get(..3)
            .filter(|d| byte == b'\\' && d.iter().all(|c| (b'0'..=b'7').contains(c)))
            .map(|d| d.iter().fold(0u32, |n, c| n * 8 + u32::from(c - b'0')));
        match code.and_then(|n| u8::try_from(n).ok()) {
            Some(decoded) => {
                out.push(decoded);
                rest = &tail[3..];
            }
            None => {
                out.push(byte);
                rest = tail;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::fs;

    proptest! {
        /// The walk's byte order is `Path::cmp`'s, for names with bytes
        /// on both sides of the separator (`-` and `.` sort below `/`
        /// as bytes, above it as components).
        #[test]
        fn the_walk_order_is_the_order_of_paths(
            root in prop::sample::select(vec!["/tmp/r", ".", "./a b", "r"]),
            paths in prop::collection::vec(
                prop::collection::vec("[-. a0~é/_]{1,4}".prop_filter("a name", |n| {
                    !n.contains('/') && n != "." && n != ".."
                }), 1..4),
                2..12,
            ),
        ) {
            let paths: Vec<PathBuf> = paths
                .iter()
                .map(|names| names.iter().fold(PathBuf::from(root), |p, n| p.join(n)))
                .collect();
            let mut by_walk = paths.clone();
            by_walk.sort_by_cached_key(|path| walk_order_key(path));
            let mut by_path = paths;
            by_path.sort();
            prop_assert_eq!(by_walk, by_path);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn mount_points_are_read_with_their_escapes() {
        let table = b"22 1 8:1 / / rw - ext4 /dev/sda1 rw\n\
            36 22 8:1 /src /repo/my\\040mnt rw shared:1 - ext4 /dev/sda1 rw\n\
            37 22 0:5 / /odd\\134x\\9 rw - tmpfs tmpfs rw\n";
        let points: Vec<PathBuf> = mount_points(table).collect();
        assert_eq!(
            points,
            [
                PathBuf::from("/"),
                PathBuf::from("/repo/my mnt"),
                PathBuf::from("/odd\\x\\9"),
            ]
        );
        // A temporary folder has nothing mounted below it.
        let dir = tempfile::tempdir().unwrap();
        assert!(!mounts_below(dir.path()));
    }

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (path, text) in [
            ("a/krakend.json", "{}"),
            ("a/notes.md", "x"),
            ("b/c/krakend.yaml", "a: 1"),
            ("b/c/settings/service.json", "{}"),
            (".hidden/krakend.json", "{}"),
            ("ignored/krakend.json", "{}"),
            ("partials/extra.tmpl", "x"),
        ] {
            let p = root.join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        fs::write(root.join(".ignore"), "ignored/\n").unwrap();
        dir
    }

    fn names(d: &Discovery, root: &Path) -> Vec<String> {
        d.files
            .iter()
            .map(|input| {
                input
                    .path()
                    .unwrap()
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn walks_config_files_honouring_ignore_files_and_hiding() {
        let dir = tree();
        let d = discover(&[dir.path().to_path_buf()], &DiscoverOptions::default()).unwrap();
        assert_eq!(
            names(&d, dir.path()),
            [
                "a/krakend.json",
                "b/c/krakend.yaml",
                "b/c/settings/service.json",
                "partials/extra.tmpl"
            ]
        );
        let all = DiscoverOptions {
            no_ignore: true,
            ..Default::default()
        };
        let d = discover(&[dir.path().to_path_buf()], &all).unwrap();
        assert!(names(&d, dir.path()).contains(&"ignored/krakend.json".to_string()));
    }

    /// One folder with no link is taken without looking up real paths;
    /// the same folder among other paths is de-duplicated by them: both
    /// give the same files, and a file a path names is explicit.
    #[test]
    fn a_plain_folder_gives_what_the_de_duplication_gives() {
        let dir = tree();
        let root = dir.path().to_path_buf();
        let alone = discover(std::slice::from_ref(&root), &DiscoverOptions::default()).unwrap();
        let named = root.join("a/krakend.json");
        let both = discover(&[root.clone(), named.clone()], &DiscoverOptions::default()).unwrap();
        assert_eq!(names(&alone, &root), names(&both, &root));
        let explicit: Vec<_> = both
            .files
            .iter()
            .filter(|i| i.kind() == InputKind::Explicit)
            .collect();
        assert_eq!(explicit.len(), 1);
        assert_eq!(explicit[0].path(), Some(named.as_path()));
        assert!(alone.files.iter().all(|i| i.kind() == InputKind::Walked));
    }

    #[test]
    fn include_and_exclude_globs() {
        let dir = tree();
        let options = DiscoverOptions {
            include: vec!["*.json".into()],
            exclude: vec!["b/**".into()],
            ..Default::default()
        };
        let d = discover(&[dir.path().to_path_buf()], &options).unwrap();
        assert_eq!(names(&d, dir.path()), ["a/krakend.json"]);
        assert!(
            discover(
                &[],
                &DiscoverOptions {
                    include: vec!["[".into()],
                    ..Default::default()
                }
            )
            .is_err()
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_once_and_loops_reported() {
        let dir = tree();
        std::os::unix::fs::symlink(
            dir.path().join("a/krakend.json"),
            dir.path().join("a/link.json"),
        )
        .unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("b/loop")).unwrap();
        let d = discover(&[dir.path().to_path_buf()], &DiscoverOptions::default()).unwrap();
        let found = names(&d, dir.path());
        assert_eq!(
            found.iter().filter(|n| n.starts_with("a/")).count(),
            1,
            "{found:?}"
        );
        assert!(
            d.problems
                .iter()
                .any(|p| !p.is_error && p.message.contains("loop")),
            "{:?}",
            d.problems
        );
    }
}

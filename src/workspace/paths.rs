//! The paths a run keeps until its end (the next steps' file lists, the
//! owners of the run's write claims), packed into one buffer.
//!
//! A run over a repository keeps a few paths for every config it migrates;
//! as one `String` each, they were an allocation apiece, scattered among
//! the short-lived allocations of the files in flight, and the run's
//! memory grew with the repository by far more than the paths' bytes. One
//! growing buffer holds them all, and an entry is its index.

/// A list of paths in one buffer; an entry is known by its index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathList {
    text: String,
    /// Where each entry ends in `text`.
    ends: Vec<usize>,
}

impl PathList {
    /// Add `path` and say its index.
    pub fn push(&mut self, path: &str) -> usize {
        self.text.push_str(path);
        self.ends.push(self.text.len());
        self.ends.len() - 1
    }

    /// The entry at `index`, if there is one.
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)?;
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1],
        };
        self.text.get(start..end)
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_back_as_pushed_including_empty_and_non_ascii_ones() {
        let mut list = PathList::default();
        let paths = ["a/krakend.json", "", "é/ü.yaml", "b"];
        let ids: Vec<usize> = paths.iter().map(|p| list.push(p)).collect();
        assert_eq!(ids, [0, 1, 2, 3]);
        for (id, path) in ids.iter().zip(paths) {
            assert_eq!(list.get(*id), Some(path));
        }
        assert_eq!((list.len(), list.get(4)), (4, None));
    }
}

//! `migrate` as a library operation: read each input, migrate it, plan its
//! writes, then preview, check or write them.
//!
//! [`Migrator::migrate_file`] is one file from read to plan, writing
//! nothing; [`Claims`] checks the plans of a run against each other;
//! [`Migrator::apply`] is the one write path (`--write` only);
//! [`Migrator::run`] drives a whole run. Each file is independent: a
//! failure is an outcome with an error, and the others go on.

use crate::migration::options::TargetVersion;
use crate::migration::picture::Picture;
use crate::migration::schema::Schemas;
use crate::migration::{self, Migration, Status};
use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::redact::{self, Lines, Redacted, printable, redacted_text};
use crate::syntax::diff;
use crate::syntax::source::{Format, SourceText};
use crate::syntax::tree::Span;
use crate::workspace::SetupError;
use crate::workspace::beside;
use crate::workspace::claims::Claims;
use crate::workspace::deploy;
use crate::workspace::flexible::{self, TemplateIndex};
use crate::workspace::input::{Input, Inputs, ReadOutcome};
use crate::workspace::outcome::{FileOutcome, FileStatus, Summary};
use crate::workspace::plan::{self, PlannedWrite, WriteKind};
use crate::workspace::settings::{DiffStyle, FileSettings, MigrateSettings, Mode, Shown};
use crate::workspace::vcs::GitGuard;
use crate::workspace::write;

/// A migrate run: its settings and what it prepared from them once.
pub struct Migrator {
    settings: MigrateSettings,
    /// `--schema-dir`: each file's new block is checked against the
    /// schema of the version it targets.
    schemas: Option<Schemas>,
    /// Git's view of the files, taken before anything is written (`--write`
    /// without `--allow-dirty`).
    guard: Option<GitGuard>,
    templates: TemplateIndex,
}

impl Migrator {
    /// Prepare a run over `inputs`: check the settings against them, load
    /// the schemas, read git's state and the templates' actions.
    pub fn new(mut settings: MigrateSettings, inputs: &Inputs) -> Result<Migrator, SetupError> {
        if settings.collector_out.as_deref() == Some(std::path::Path::new("-")) {
            return Err(SetupError::CollectorOutIsStdout);
        }
        if settings.collector_out.is_some() && (inputs.len() != 1 || inputs.names_a_folder) {
            return Err(SetupError::CollectorOutNeedsOneFile);
        }
        let schemas = settings.schema_dir.as_deref().map(Schemas::new);
        if let (Some(schemas), TargetVersion::Exact(version)) =
            (&schemas, settings.file.options.krakend_version)
        {
            // A version named on the command line must have its schemas;
            // `auto` may name others per file (each is loaded when used).
            if let Err(e) = schemas.get(version).as_ref() {
                return Err(SetupError::Schema(e.clone()));
            }
        }
        // --check writes nothing and answers "is anything pending?": it
        // skips re-reading its own output, the self-check that guards a
        // write (preview and --write run it).
        settings.file.options.verify_output = settings.mode != Mode::Check;
        // Only the preview shows the migrated text (its diff).
        settings.file.options.show_output = settings.mode == Mode::Preview;
        // A run that shows errors alone (`--check` counts the warnings,
        // `--write -q` says nothing of them) does not look for each
        // config's secrets: no message of a config is shown unless it has
        // an error, and then it is migrated again with them found
        // (`migrate_file`, and `run` after a refused plan), before anything
        // of it is written. What a write itself refuses is said without
        // quoting the config. The preview always shows the config (its
        // diff) and always finds them.
        settings.file.options.find_secrets =
            settings.mode == Mode::Preview || settings.shown == Shown::Everything;
        let files = inputs.files();
        let guard = (settings.mode == Mode::Write && !settings.allow_dirty)
            .then(|| GitGuard::snapshot(&files));
        Ok(Migrator {
            schemas,
            guard,
            templates: TemplateIndex::for_files(&files),
            settings,
        })
    }

    /// Migrate every input and hand each outcome, in input order, to
    /// `emit` (what the walk could not read comes first); `progress` is
    /// called as each file is done. Returns the run's totals.
    pub fn run<E>(
        &self,
        inputs: &Inputs,
        progress: &(dyn Fn() + Sync),
        mut emit: impl FnMut(FileOutcome) -> Result<(), E>,
    ) -> Result<Summary, E> {
        let mut summary = Summary::listing(self.settings.step_files);
        let mut hand_over = |outcome: FileOutcome| {
            summary.add(&outcome);
            emit(outcome)
        };
        for problem in &inputs.problems {
            hand_over(FileOutcome::from_problem(problem))?;
        }
        let work = |input: &Input| {
            let outcome = self.migrate_file(input);
            progress();
            outcome
        };
        // A walk of one folder lets go of the claims of the folders it has
        // passed (claims.rs says when that holds).
        let mut claims = match inputs.one_walk_in_order {
            true => Claims::scoped(),
            false => Claims::default(),
        };
        let settle = |outcomes: &mut [(Input, FileOutcome)]| {
            // In input order, so that which of two plans is refused never
            // depends on thread timing; and before the next chunk is
            // planned, so that it sees what this one wrote.
            for (input, outcome) in outcomes.iter_mut() {
                claims.claim(outcome);
                if outcome.needs_scrubbing() {
                    // Refused: its warnings are shown now. A refused plan
                    // claimed nothing, so the claim refuses it again.
                    *outcome = self.migrate_file_with(input, true);
                    claims.claim(outcome);
                }
            }
            if self.settings.mode == Mode::Write {
                self.apply_all(outcomes);
            }
        };
        // Only a run that writes makes a chunk's plans depend on the
        // chunks before it.
        let order = match self.settings.mode {
            Mode::Write => super::Order::Sequential,
            Mode::Check | Mode::Preview => super::Order::Overlapping,
        };
        super::in_chunks(inputs, order, work, settle, |outcomes| {
            outcomes
                .into_iter()
                .try_for_each(|(_, outcome)| hand_over(outcome))
        })?;
        Ok(summary)
    }

    /// One file from read to plan: its diagnostics, its redacted source,
    /// the preview's diff and the files it would write. Writes nothing
    /// (but, with `--write`, sweeps the temporary files killed runs left
    /// in its folder). When the run's report shows errors alone, the
    /// config's secrets are not looked for, unless it has an error: then
    /// all its diagnostics are shown, and it is read and migrated again
    /// with them found.
    pub fn migrate_file(&self, input: &Input) -> FileOutcome {
        let mut outcome = self.migrate_file_with(input, false);
        if outcome.needs_scrubbing() {
            return self.migrate_file_with(input, true);
        }
        if outcome.unscrubbed {
            // Only counted: an outcome that gains an error later (a
            // refused plan) is migrated again in full before it is shown.
            outcome
                .diagnostics
                .iter_mut()
                .for_each(Diagnostic::keep_counted_only);
        }
        outcome
    }

    /// [`Migrator::migrate_file`], looking for the config's secrets if the
    /// run's settings say so or `find_secrets`.
    fn migrate_file_with(&self, input: &Input, find_secrets: bool) -> FileOutcome {
        if self.settings.mode == Mode::Write
            && let Some(path) = input.path()
        {
            // Whether or not this file needs a write (write.rs says which
            // temporary files are stale).
            write::sweep_stale_temp_files(&write::parent_dir(path));
        }
        let loaded = match input.read() {
            ReadOutcome::Text(loaded) => loaded,
            ReadOutcome::Skipped(diagnostic) => return FileOutcome::skipped(input, diagnostic),
            ReadOutcome::Failed(diagnostic) => return FileOutcome::failed(input, diagnostic),
        };
        let mut file = self.settings.for_file(input);
        // Standard input cannot be read a second time: its secrets are
        // always found.
        if (find_secrets || input.is_stdin()) && !file.options.find_secrets {
            file.to_mut().options.find_secrets = true;
        }
        let text = &loaded.text;
        let schema = self.schemas.as_ref().map(|schemas| {
            schemas.get(migration::pipeline::target_version(
                text,
                input.format(),
                &file.options,
            ))
        });
        let validator = match schema.as_deref() {
            Some(Err(e)) => {
                let d = Diagnostic::error(Code::SchemaViolation, e.clone())
                    .with_help("point --schema-dir at a folder with this version's schemas, or set --krakend-version");
                return FileOutcome::failed(input, d);
            }
            Some(Ok(validator)) => Some(validator),
            None => None,
        };
        let mut migration = migration::migrate(
            text,
            input.format(),
            &input.name(),
            &file.options,
            validator,
        );
        let mut outcome =
            FileOutcome::new(input.display(), migration.format, FileStatus::Unchanged);
        if migration.options.find_secrets {
            outcome.source = Some(Redacted::of_shared(text, &migration.input_secrets));
        } else {
            outcome.unscrubbed = true;
        }
        if self.settings.pictures {
            outcome.picture = Picture::of(&migration);
        }
        outcome.diagnostics = std::mem::take(&mut migration.diagnostics);
        if migration.status == Status::Migrate
            && let Some(path) = input.path()
        {
            // Settings a template inserts whole are left for a manual step.
            let pulls = self.templates.pulls(path);
            if !pulls.is_empty() {
                outcome.diagnostics = flexible::pulled_block_diagnostics(
                    text,
                    migration.format,
                    &pulls,
                    &outcome.diagnostics,
                );
                // Left for a manual step: nothing of the picture happens.
                outcome.picture = None;
                return outcome;
            }
        }
        match migration.status {
            Status::Unchanged => {
                outcome.filtered = input.is_stdin().then(|| loaded.into_file_bytes());
            }
            Status::Error => outcome.status = FileStatus::Error,
            Status::Migrate => {
                // Taken: the planned write is made of the output's own memory.
                let output = migration.output.take().unwrap_or_default();
                self.plan(input, &file, &migration, output, loaded, &mut outcome);
            }
        }
        outcome
    }

    /// Plan the writes of a migrated file (`output_text`: its migrated
    /// text, taken from `migration`), and make the preview's diff.
    fn plan(
        &self,
        input: &Input,
        file: &FileSettings,
        migration: &Migration,
        output_text: String,
        loaded: SourceText,
        outcome: &mut FileOutcome,
    ) {
        let output = output_text.as_str();
        // The config's folder, listed once for the collector config's name
        // and place, and for what the folder is.
        let beside = match (&migration.collector, input.path()) {
            (Some(_), Some(path)) if self.settings.collector_out.is_none() => {
                Some(beside::beside(path))
            }
            _ => None,
        };
        let collector_path = match (&migration.collector, &beside, input.path()) {
            (None, _, _) => None,
            (Some(_), Some(beside), Some(path)) => Some(beside.collector_path(path)),
            (Some(_), _, _) => self.settings.collector_out.clone(),
        };
        outcome.collector_path = collector_path.as_ref().map(|p| p.display().to_string());
        let mut writes = Vec::new();
        if let (Some(path), Some(collector)) = (&collector_path, &migration.collector) {
            let text = collector.to_yaml();
            match PlannedWrite::create_in(WriteKind::Collector, path, text, beside.as_ref()) {
                Ok(write) => writes.push(write),
                Err(d) => return outcome.refuse(*d),
            }
        }
        if let Some(platform) = file.deploy {
            let planned = deploy::plan(
                platform,
                input.path(),
                beside.as_ref(),
                migration,
                collector_path.as_deref(),
                &migration.options,
                &mut outcome.diagnostics,
            );
            match planned {
                Ok(snippet) => writes.extend(snippet),
                Err(d) => return outcome.refuse(*d),
            }
        }
        if !input.is_stdin() {
            let shown = self.diff(
                outcome,
                &loaded.text,
                output,
                &migration.output_secrets,
                &writes,
            );
            (outcome.diff, outcome.diff_redacted) = shown;
        } else if migration.collector.is_some() && self.settings.collector_out.is_none() {
            outcome.diagnostics.push(Diagnostic::info(
                Code::CollectorFileExists,
                "the collector config is not written when reading standard input without --collector-out FILE",
            ).with_step(crate::model::next_steps::STDIN_COLLECTOR));
        }
        let bytes = loaded.output_bytes(output_text);
        match input.path() {
            Some(path) => {
                let current = loaded.into_read_bytes();
                writes.push(PlannedWrite::config_in(
                    path,
                    current,
                    bytes,
                    beside.as_ref(),
                ));
            }
            None => outcome.filtered = Some(bytes),
        }
        if self.settings.mode == Mode::Check {
            // Checked against the run's other plans, never carried out.
            writes.iter_mut().for_each(PlannedWrite::keep_summary);
        }
        outcome.writes = writes;
        outcome.status = FileStatus::WouldMigrate;
    }

    /// The preview's diff: the config (both sides redacted; `original` is
    /// its text as read), then each new file. Empty outside the preview, or
    /// when the report shows none. And whether redaction changed what it
    /// shows of the config: the patch holds `<redacted>` where the files
    /// do not.
    fn diff(
        &self,
        outcome: &FileOutcome,
        original: &str,
        output: &str,
        output_secrets: &[Span],
        writes: &[PlannedWrite],
    ) -> (String, bool) {
        let color = match (self.settings.mode, self.settings.diff) {
            (Mode::Preview, DiffStyle::Plain) => false,
            (Mode::Preview, DiffStyle::Colored) => true,
            _ => return (String::new(), false),
        };
        // What is shown: redacted, and with control characters escaped
        // before the diff is colored (a name or a value with an escape
        // sequence must not reach the terminal as one).
        let text = |t: &str| printable(t, Lines::Kept).into_owned();
        let path = printable(&outcome.path, Lines::One);
        // The config's two sides are borrowed where nothing is hidden or
        // escaped: a large config is not copied twice more for its diff.
        let old = outcome
            .source
            .as_ref()
            .map(|s| printable(&s.text, Lines::Kept));
        let redacted = redacted_text(output, output_secrets);
        let shown_old = outcome.source.as_ref().map(|s| s.text.as_str());
        let shows_redaction = shown_old != Some(original) || redacted != output;
        let new = printable(&redacted, Lines::Kept);
        let mut diff = diff::unified(
            &path,
            &path,
            Some(old.as_deref().unwrap_or_default()),
            &new,
            color,
        );
        for write in writes {
            let shown = write.path.display().to_string();
            let path = printable(&shown, Lines::One);
            // Written by oc2otel, with no secret (the pipeline checks the
            // collector config): redacted all the same, as all that is shown.
            let format = Format::from_path(&write.path);
            let redacted = |t: &str| text(&redacted_text(t, &redact::spans_in(t, format)));
            let new = redacted(&String::from_utf8_lossy(&write.bytes));
            let current = write.current_text().map(|c| redacted(&c));
            diff.push_str(&diff::unified(
                &path,
                &path,
                current.as_deref(),
                &new,
                color,
            ));
        }
        let redacted = !diff.is_empty() && shows_redaction;
        (diff, redacted)
    }

    /// Carry out the plans of a chunk, [`WRITERS`] at a time.
    fn apply_all(&self, outcomes: &mut [(Input, FileOutcome)]) {
        let per_writer = outcomes.len().div_ceil(WRITERS).max(1);
        std::thread::scope(|scope| {
            for part in outcomes.chunks_mut(per_writer) {
                scope.spawn(move || part.iter_mut().for_each(|(_, o)| self.apply(o)));
            }
        });
    }

    /// Carry out a file's plan (`--write`): refused whole if git holds no
    /// clean copy of the config, else the collector config and the snippet,
    /// then the config, each atomically.
    pub fn apply(&self, outcome: &mut FileOutcome) {
        if self.settings.mode != Mode::Write || outcome.status != FileStatus::WouldMigrate {
            return;
        }
        match plan::execute(&outcome.writes, self.guard.as_ref()) {
            Ok(()) => outcome.status = FileStatus::Migrated,
            Err(d) => outcome.refuse(*d),
        }
    }
}

/// How many plans are carried out at once. A write waits on the disk, not
/// on a core (each file is flushed, then renamed, then its folder
/// flushed), and the file system commits the flushes of concurrent writers
/// together: eight writers took a third off `--write` over a 10,000-file
/// tree on two cores (benches/batch.rs), where the two compute workers left
/// the disk idle between flushes.
const WRITERS: usize = 8;

//! Record files on disk: reading, writing, resuming after a torn write.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::PathBuf;

use gauntlet_reports::{ReadError, ReadItem, RecordWriter, read_records, read_records_tolerant};

use crate::support::{fixture, records};

/// A fresh scratch file path for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gauntlet-reports-it-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = fs::remove_file(&path);
    path
}

#[test]
fn written_records_read_back_equal() {
    let original = records("night2.jsonl");
    let path = scratch("roundtrip.jsonl");
    let mut w = RecordWriter::new(File::create(&path).unwrap());
    for r in &original {
        w.write(r).unwrap();
    }
    drop(w);
    let back: Vec<_> = read_records(&path).collect::<Result<_, _>>().unwrap();
    assert_eq!(back, original);
    // Equal records, equal bytes: rewriting the fixture reproduces it.
    assert_eq!(fs::read(&path).unwrap(), fs::read(fixture("records/night2.jsonl")).unwrap());
}

/// A sweep killed mid-write leaves a torn last line; resume reads every
/// finished record, learns where the torn line starts, truncates there and
/// appends.
#[test]
fn resume_after_a_torn_write() {
    let original = records("night1.jsonl");
    let intact = fs::read(fixture("records/night1.jsonl")).unwrap();
    let path = scratch("torn.jsonl");
    let mut bytes = intact.clone();
    let next = original[0].to_json_line().unwrap();
    bytes.extend_from_slice(&next.as_bytes()[..next.len() / 2]);
    fs::write(&path, &bytes).unwrap();

    // The strict reader refuses the file, naming the line.
    let err = read_records(&path).find_map(Result::err).unwrap();
    assert!(matches!(err, ReadError::Parse { line: 9, .. }), "{err}");
    assert!(err.to_string().contains("torn.jsonl:9:"), "{err}");

    let items: Vec<_> = read_records_tolerant(&path).collect::<Result<_, _>>().unwrap();
    let (last, finished) = items.split_last().unwrap();
    assert_eq!(finished.len(), original.len());
    let ReadItem::Torn(torn) = last else { panic!("expected a torn line, got {last:?}") };
    assert_eq!((torn.line, torn.offset), (9, intact.len() as u64));
    assert!(torn.to_string().contains("skipped a torn last line"), "{torn}");

    let file = OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(torn.offset).unwrap();
    drop(file);
    let mut w = RecordWriter::new(OpenOptions::new().append(true).open(&path).unwrap());
    w.write(&original[0]).unwrap();
    drop(w);
    let resumed: Vec<_> = read_records(&path).collect::<Result<_, _>>().unwrap();
    assert_eq!(resumed.len(), original.len() + 1);
}

#[test]
fn a_bad_line_in_the_middle_is_an_error_even_when_resuming() {
    let path = scratch("bad_middle.jsonl");
    let mut f = File::create(&path).unwrap();
    let text = fs::read_to_string(fixture("records/night1.jsonl")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[3] = r#"{"schema":1,"scenario":"x"}"#;
    writeln!(f, "{}", lines.join("\n")).unwrap();
    drop(f);
    let err = read_records_tolerant(&path).find_map(Result::err).unwrap();
    assert!(matches!(err, ReadError::Parse { line: 4, .. }), "{err}");
    assert!(err.to_string().contains("missing field"), "{err}");
}

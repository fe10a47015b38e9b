//! Every byte the CLI writes goes through here. Text for people has its control characters made
//! visible (a provider's `error_description`, a title or a header must not move the cursor, retitle
//! the window or fake a line of ours), and a closed stdout (`| head -1`) ends the program quietly
//! with status 0 instead of a panic. JSON and exports are written as they are (`raw`).

use std::io::Write;

/// Text of ours that may hold values: control characters made visible, our newlines kept.
pub fn visible(s: &str) -> String {
    inspector_store::export::escape_controls(s, true)
}

/// A value printed within one line of ours (title, error, header, URL): newlines escaped too.
pub fn one_line(s: &str) -> String {
    inspector_store::export::escape_controls(s, false)
}

/// Human output on stdout.
pub fn out(s: &str) {
    raw(visible(s).as_bytes());
}

/// Human output on stderr. A closed or failing stderr is ignored: there is nowhere left to say it.
pub fn err(s: &str) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(visible(s).as_bytes());
    let _ = e.flush();
}

/// Bytes on stdout as they are (JSON lines, exports). When the reader has gone away, the program
/// stops here with status 0: nobody is left to read the rest. Any other write error is reported
/// and ends it with status 2 (the command could not deliver its output).
pub fn raw(bytes: &[u8]) {
    let mut o = std::io::stdout().lock();
    if let Err(e) = o.write_all(bytes).and_then(|()| o.flush()) {
        drop(o);
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        err(&format!("oauth-inspector: cannot write to standard output: {e}\n"));
        std::process::exit(2);
    }
}

/// `println!` for people, through [`out`].
macro_rules! say {
    () => { $crate::term::out("\n") };
    ($($arg:tt)*) => { $crate::term::out(&format!("{}\n", format_args!($($arg)*))) };
}

/// `eprintln!`, through [`err`].
macro_rules! note {
    ($($arg:tt)*) => { $crate::term::err(&format!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {note, say};

//! The words of a data or dot-command (quotes, escapes, `x'hex'`) and the checks every
//! command's parser shares: arity, integers, on/off, paths, clap flags. An error names
//! the command and its usage line from the command's own spec.
use crate::ast::ParseError;
use crate::spec::types::CommandSpec;

/// Splits off a trailing `&` (run in the background) from the words of a job command.
pub fn background(args: &[Word]) -> (Vec<String>, bool) {
    let mut words: Vec<String> = args.iter().map(Word::text).collect();
    let background = words.last().is_some_and(|w| w == "&");
    if background {
        words.pop();
    }
    (words, background)
}

/// Edit distance (insert, delete, substitute) over chars.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

pub fn arity(
    spec: &CommandSpec,
    ok: bool,
    expected: &'static str,
    got: usize,
) -> Result<(), ParseError> {
    if ok {
        return Ok(());
    }
    Err(ParseError::Arity {
        command: spec.name.to_string(),
        expected,
        got,
        usage: spec.usage,
    })
}

pub fn parse_int(what: &'static str, text: &str) -> Result<i64, ParseError> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let shown: String = text.chars().take(40).collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::NotInteger { what, text: shown });
    }
    text.parse::<i64>()
        .map_err(|_| ParseError::OutOfRange { what, text: shown })
}

pub fn limit_of(text: &str) -> Result<u64, ParseError> {
    let t = text.strip_prefix('+').unwrap_or(text);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::BadLimit {
            text: text.chars().take(40).collect(),
        });
    }
    t.parse::<u64>().map_err(|_| ParseError::BadLimit {
        text: text.chars().take(40).collect(),
    })
}

pub fn key_of(tok: &Word) -> Result<i64, ParseError> {
    parse_int("key", &tok.text())
}

pub fn on_off(spec: &CommandSpec, args: &[Word]) -> Result<bool, ParseError> {
    let u = spec.usage;
    if args.len() != 1 {
        return Err(ParseError::Arity {
            command: spec.name.to_string(),
            expected: "1 argument (on or off)",
            got: args.len(),
            usage: u,
        });
    }
    match args[0].text().to_ascii_lowercase().as_str() {
        "on" => Ok(true),
        "off" => Ok(false),
        other => Err(ParseError::BadArgument {
            command: spec.name.to_string(),
            problem: format!(
                "expected on or off, got \"{}\"",
                other.chars().take(40).collect::<String>()
            ),
            usage: u,
        }),
    }
}

pub fn one_path(
    spec: &CommandSpec,
    args: &[Word],
    what: &'static str,
) -> Result<String, ParseError> {
    if args.len() != 1 {
        return Err(ParseError::Arity {
            command: spec.name.to_string(),
            expected: what,
            got: args.len(),
            usage: spec.usage,
        });
    }
    Ok(args[0].text())
}

/// The optional job number of `.jobs` and `.cancel` (`3` or `[3]`).
pub fn job_number(spec: &CommandSpec, args: &[Word]) -> Result<Option<u64>, ParseError> {
    let Some(a) = args.first() else {
        return Ok(None);
    };
    a.text()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .map(Some)
        .map_err(|_| bad_arg(spec, format!("\"{}\" is not a job number", a.text())))
}

/// Parses the words of `.load`/`.bench`/`.ycsb` with their clap definitions; a clap
/// error becomes one line.
pub fn clap_args<T: clap::Parser>(spec: &CommandSpec, words: &[String]) -> Result<T, ParseError> {
    let cmd = T::command()
        .disable_help_subcommand(true)
        .help_template("")
        .color(clap::ColorChoice::Never);
    let matches = cmd
        .try_get_matches_from(words)
        .map_err(|e| bad_arg(spec, clap_problem(&e)))?;
    T::from_arg_matches(&matches).map_err(|e| bad_arg(spec, clap_problem(&e)))
}

fn clap_problem(e: &clap::Error) -> String {
    let text = e.to_string();
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("bad arguments")
        .trim();
    first.strip_prefix("error: ").unwrap_or(first).to_string()
}

pub fn bad_arg(spec: &CommandSpec, problem: String) -> ParseError {
    ParseError::BadArgument {
        command: spec.name.to_string(),
        problem: problem.chars().take(160).collect(),
        usage: spec.usage,
    }
}

#[derive(Debug, Clone)]
pub struct Word {
    bytes: Vec<u8>,
    /// Written in quotes (or as x'hex').
    pub quoted: bool,
}

impl Word {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
    pub fn bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }
}

fn hex_val(c: char) -> Option<u8> {
    c.to_digit(16).and_then(|d| u8::try_from(d).ok())
}

pub fn decode_hex(text: &str) -> Result<Vec<u8>, ParseError> {
    let shown: String = text.chars().take(40).collect();
    let chars: Vec<char> = text.chars().collect();
    if let Some(bad) = chars.iter().find(|c| !c.is_ascii_hexdigit()) {
        return Err(ParseError::BadHex {
            text: shown,
            reason: format!("'{bad}' is not a hex digit (use 0-9 a-f)"),
        });
    }
    if !chars.len().is_multiple_of(2) {
        return Err(ParseError::BadHex {
            text: shown,
            reason: "odd number of digits (use two hex digits per byte)".to_string(),
        });
    }
    Ok(chars
        .chunks(2)
        .map(|p| hex_val(p[0]).unwrap_or(0) * 16 + hex_val(p[1]).unwrap_or(0))
        .collect())
}

/// Split a data/dot command into words; a `;` is allowed only at the end.
pub fn tokenize_words(input: &str) -> Result<Vec<Word>, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == ';' {
            if let Some(j) =
                (i + 1..chars.len()).find(|&j| !chars[j].is_whitespace() && chars[j] != ';')
            {
                let found: String = chars[j..].iter().take(20).collect();
                return Err(ParseError::Trailing {
                    found: format!("\"{found}\" after ';'"),
                    column: j + 1,
                });
            }
            break;
        }
        if (c == 'x' || c == 'X') && chars.get(i + 1) == Some(&'\'') {
            let start = i + 2;
            let Some(end) = (start..chars.len()).find(|&j| chars[j] == '\'') else {
                return Err(ParseError::Unterminated { column: i + 2 });
            };
            let text: String = chars[start..end].iter().collect();
            out.push(Word {
                bytes: decode_hex(&text)?,
                quoted: true,
            });
            i = end + 1;
            check_separated(&chars, i)?;
            continue;
        }
        if c == '\'' || c == '"' {
            let (bytes, next) = quoted(&chars, i)?;
            out.push(Word {
                bytes,
                quoted: true,
            });
            i = next;
            check_separated(&chars, i)?;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != ';' {
            i += 1;
        }
        let text: String = chars[start..i].iter().collect();
        out.push(Word {
            bytes: text.into_bytes(),
            quoted: false,
        });
    }
    Ok(out)
}

fn check_separated(chars: &[char], i: usize) -> Result<(), ParseError> {
    match chars.get(i) {
        Some(c) if !c.is_whitespace() && *c != ';' => {
            let found: String = chars[i..].iter().take(20).collect();
            Err(ParseError::Trailing {
                found: format!("\"{found}\" right after a closing quote"),
                column: i + 1,
            })
        }
        _ => Ok(()),
    }
}

/// A '...' or "..." string with backslash escapes; returns bytes and the index after it.
fn quoted(chars: &[char], open: usize) -> Result<(Vec<u8>, usize), ParseError> {
    let q = chars[open];
    let mut out = Vec::new();
    let mut i = open + 1;
    while i < chars.len() {
        let c = chars[i];
        if c == q {
            return Ok((out, i + 1));
        }
        if c == '\\' {
            let Some(&e) = chars.get(i + 1) else {
                break;
            };
            let simple = match e {
                'n' => Some(b'\n'),
                't' => Some(b'\t'),
                'r' => Some(b'\r'),
                '0' => Some(0u8),
                '\\' => Some(b'\\'),
                '\'' => Some(b'\''),
                '"' => Some(b'"'),
                _ => None,
            };
            if let Some(b) = simple {
                out.push(b);
                i += 2;
                continue;
            }
            if e == 'x' {
                let h1 = chars.get(i + 2).copied().and_then(hex_val);
                let h2 = chars.get(i + 3).copied().and_then(hex_val);
                if let (Some(a), Some(b)) = (h1, h2) {
                    out.push(a * 16 + b);
                    i += 4;
                    continue;
                }
                let esc: String = chars[i + 1..chars.len().min(i + 4)].iter().collect();
                return Err(ParseError::BadEscape {
                    escape: esc,
                    column: i + 1,
                });
            }
            return Err(ParseError::BadEscape {
                escape: e.to_string(),
                column: i + 1,
            });
        }
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        i += 1;
    }
    Err(ParseError::Unterminated { column: open + 1 })
}

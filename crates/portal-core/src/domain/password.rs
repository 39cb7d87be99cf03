//! The password policy for new passwords: 8 to 128 Unicode characters, not the email
//! address, and not easy to guess by the zxcvbn strength estimate. There are no composition
//! rules, and a password is never truncated: the whole of it is hashed.

use zxcvbn::Score;
use zxcvbn::feedback::Warning;
use zxcvbn::matching::patterns::MatchPattern;

use crate::error::ServiceError;

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Characters of a password that the strength estimate reads. zxcvbn's l33t matching grows
/// steeply with length: on crafted input of digits and symbols the zxcvbn 3.1.1 release build
/// took about 50 ms at 40 characters and 400 ms at 100 (one core of a 2-core x86-64 VM). A
/// longer password is judged by its first 40 characters, which can only make the estimate
/// stricter, because extra characters add guesses.
const MAX_ESTIMATED_CHARS: usize = 40;

/// Smallest accepted log10 of zxcvbn's guess estimate. 10^8 guesses is what zxcvbn estimates
/// for 8 random characters, so a random password of the minimum length passes, while
/// dictionary words, common passwords and their usual variations do not.
const MIN_GUESSES_LOG10: f64 = 8.0;

const ADVICE: &str = "Use a phrase of three or more unrelated words instead.";

/// Checks a new password: 8 to 128 Unicode characters, not the email address, and at least
/// 10^8 guesses by zxcvbn, whose estimate covers common passwords, words, names, keyboard
/// patterns, dates and sequences. `names` are the account holder's names, which, like the
/// email, are treated as easy to guess. The message gives the reason for a rejection and
/// never repeats the password.
///
/// The estimate can take tens of milliseconds, so async code calls
/// [`check_password_blocking`].
pub fn check_password(password: &str, email: &str, names: &[&str]) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return Err(format!(
            "must be at least {MIN_PASSWORD_CHARS} characters. A phrase of several words is \
             long and easy to remember."
        ));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(format!(
            "must be at most {MAX_PASSWORD_CHARS} characters. Choose a shorter phrase."
        ));
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err(
            "must not be the same as your email address. Choose a phrase of unrelated \
                    words instead."
                .into(),
        );
    }
    check_strength(password, &user_inputs(email, names))
}

/// Runs [`check_password`] on the blocking thread pool, so that the strength estimate never
/// stalls the async runtime. The outer error is an internal failure, and the inner one is
/// the message for the password field.
pub async fn check_password_blocking(
    password: &str,
    email: &str,
    names: &[&str],
) -> Result<Result<(), String>, ServiceError> {
    let password = zeroize::Zeroizing::new(password.to_owned());
    let email = email.to_owned();
    let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        check_password(&password, &email, &names)
    })
    .await
    .map_err(|error| ServiceError::Internal(format!("password check task failed: {error}")))
}

/// Returns the words an attacker who has seen the account would try: the email, its local part
/// with and without separators and split at them, each name and its words, and the names
/// joined in both orders.
fn user_inputs(email: &str, names: &[&str]) -> Vec<String> {
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default().to_owned();
    let mut inputs = vec![email.clone(), local.clone()];
    let pieces: Vec<&str> = local
        .split(|c: char| !c.is_alphanumeric())
        .filter(|piece| !piece.is_empty())
        .collect();
    inputs.push(pieces.concat());
    inputs.extend(pieces.iter().map(|piece| (*piece).to_owned()));
    let mut name_words: Vec<String> = Vec::new();
    for name in names {
        let name = name.trim().to_lowercase();
        name_words.extend(name.split_whitespace().map(str::to_owned));
        inputs.push(name.split_whitespace().collect());
    }
    inputs.push(name_words.concat());
    inputs.push(name_words.iter().rev().map(String::as_str).collect());
    inputs.extend(name_words);
    inputs.retain(|input| input.chars().count() >= 3);
    inputs.sort();
    inputs.dedup();
    inputs
}

fn check_strength(password: &str, user_inputs: &[String]) -> Result<(), String> {
    let estimated: String = password.chars().take(MAX_ESTIMATED_CHARS).collect();
    let inputs: Vec<&str> = user_inputs.iter().map(String::as_str).collect();
    let entropy = zxcvbn::zxcvbn(&estimated, &inputs);
    if entropy.guesses_log10() >= MIN_GUESSES_LOG10 {
        return Ok(());
    }
    if estimated.len() < password.len() {
        return Err(format!(
            "is easy to guess from its first {MAX_ESTIMATED_CHARS} characters. Start it with \
             unrelated words."
        ));
    }
    // zxcvbn does not export the name of its user-input dictionary, so a dictionary match
    // counts as personal when the matched word is one of the user inputs.
    let uses_personal_details = entropy.sequence().iter().any(|found| {
        matches!(
            &found.pattern,
            MatchPattern::Dictionary(word) if user_inputs.contains(&word.matched_word)
        )
    });
    if uses_personal_details {
        return Err(format!(
            "is based on your name or email address, so it is easy to guess. {ADVICE}"
        ));
    }
    let warning = entropy.feedback().and_then(|feedback| feedback.warning());
    Err(weakness(warning, entropy.score()))
}

/// Describes why zxcvbn finds a password easy to guess, and what to do instead.
fn weakness(warning: Option<Warning>, score: Score) -> String {
    let reason = match warning {
        Some(
            Warning::ThisIsATop10Password
            | Warning::ThisIsATop100Password
            | Warning::ThisIsACommonPassword
            | Warning::ThisIsSimilarToACommonlyUsedPassword,
        ) => "is a commonly used password or a small change to one, so it is easy to guess",
        Some(
            Warning::StraightRowsOfKeysAreEasyToGuess
            | Warning::ShortKeyboardPatternsAreEasyToGuess,
        ) => "is a keyboard pattern, so it is easy to guess",
        Some(
            Warning::RepeatsLikeAaaAreEasyToGuess
            | Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess,
        ) => "repeats characters or words, so it is easy to guess",
        Some(Warning::SequencesLikeAbcAreEasyToGuess) => {
            "is a sequence such as abc or 6543, so it is easy to guess"
        }
        Some(Warning::RecentYearsAreEasyToGuess | Warning::DatesAreOftenEasyToGuess) => {
            "is mostly a date or year, so it is easy to guess"
        }
        Some(
            Warning::AWordByItselfIsEasyToGuess
            | Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
            | Warning::CommonNamesAndSurnamesAreEasyToGuess,
        ) => "is a common word or name, so it is easy to guess",
        None if score == Score::Zero => "is a commonly used password, so it is easy to guess",
        None => "is too easy to guess",
    };
    format!("{reason}. {ADVICE}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "ana.lima@example.com";
    const NAMES: [&str; 2] = ["Ana", "Lima"];

    fn check(password: &str) -> Result<(), String> {
        check_password(password, EMAIL, &NAMES)
    }

    #[test]
    fn common_passwords_are_rejected() {
        for password in [
            "password1",
            "qwerty123",
            "iloveyou",
            "Password123!",
            "letmein123",
            "Summer2024!",
            "12345678",
            "abcdefgh",
            "qwertyuiop",
            "aaaaaaaaaaaa",
        ] {
            let message = check(password).unwrap_err();
            assert!(message.contains("easy to guess"), "{password}: {message}");
            assert!(!message.contains(password), "{password} echoed: {message}");
        }
    }

    #[test]
    fn common_password_message_names_reason() {
        let message = check("password1").unwrap_err();
        assert!(message.contains("commonly used"), "{message}");
        assert!(message.contains(ADVICE), "{message}");
    }

    #[test]
    fn long_passphrases_are_accepted() {
        for password in [
            "correct horse battery staple",
            "plum orbit kettle",
            "purple monkey dishwasher",
            "demo-patient-2026",
            "demo-provider-2026",
            "x7#Kq2!m",
        ] {
            assert_eq!(check(password), Ok(()), "{password}");
        }
    }

    #[test]
    fn length_counts_unicode_characters() {
        let seven = "ééééééé";
        assert!(check(seven).unwrap_err().contains("at least 8"));
        assert_eq!(check("ñandú pingüino cóndor"), Ok(()));
        let base = "orbit plum kettle lantern ";
        let fill = |total: usize| {
            let mut password = base.to_owned();
            password.extend(std::iter::repeat_n('x', total - base.chars().count()));
            password
        };
        assert_eq!(check(&fill(128)), Ok(()));
        let message = check(&fill(129)).unwrap_err();
        assert!(message.contains("at most 128"), "{message}");
    }

    #[test]
    fn emoji_count_as_one_character_each() {
        let seven = "🦀🐍🐘🦉🐙🦊🐢";
        assert_eq!(seven.len(), 28, "seven emoji are 28 bytes");
        assert!(check(seven).unwrap_err().contains("at least 8"));
        assert_eq!(check("🦀🐍🐘🦉🐙🦊🐢🦋"), Ok(()));
        let many: String = "🦀🐍🐘🦉".repeat(32);
        assert_eq!(many.chars().count(), 128);
        assert!(!check(&many).unwrap_err().contains("at most"));
        let message = check(&format!("{many}🦋")).unwrap_err();
        assert!(message.contains("at most 128"), "{message}");
    }

    #[test]
    fn email_as_password_is_rejected() {
        let message = check_password("Ana@Example.com", "ana@example.com", &[]).unwrap_err();
        assert!(message.contains("email address"), "{message}");
        assert!(!message.contains("ana@example.com"), "{message}");
    }

    #[test]
    fn personal_details_are_rejected() {
        for password in [
            "analima2026",
            "Lima1985!",
            "ana.lima.ana",
            "AnaLima1990",
            "LimaAna77",
        ] {
            let message = check(password).unwrap_err();
            assert!(message.contains("name or email"), "{password}: {message}");
        }
        assert_eq!(
            check_password("analima2026", "someone@example.com", &[]),
            Ok(()),
            "the same password is fine for someone else"
        );
    }

    #[test]
    fn weak_start_of_long_password_is_rejected() {
        let password = format!("{}{}", "a".repeat(40), "orbit plum kettle lantern");
        let message = check(&password).unwrap_err();
        assert!(message.contains("first 40 characters"), "{message}");
    }

    #[test]
    fn crafted_input_stays_fast() {
        let crafted: String = "@4!1|03$5+7(8<69%2".repeat(8).chars().take(128).collect();
        let started = std::time::Instant::now();
        let _ = check(&crafted);
        let elapsed = started.elapsed();
        // The bound is generous for unoptimised builds on a busy machine. The release build
        // takes tens of milliseconds.
        assert!(
            elapsed < std::time::Duration::from_secs(2),
            "took {elapsed:?}"
        );
    }

    #[tokio::test]
    async fn blocking_check_returns_field_message() {
        let result = check_password_blocking("password1", EMAIL, &NAMES).await;
        assert!(result.unwrap().unwrap_err().contains("commonly used"));
        let result = check_password_blocking("plum orbit kettle", EMAIL, &NAMES).await;
        assert_eq!(result.unwrap(), Ok(()));
    }
}

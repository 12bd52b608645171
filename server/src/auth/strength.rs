//! Whether a new staff password is good enough: 12 to 200 characters, not the account's
//! name, and hard to guess by zxcvbn's estimate (score 3 or more: over 10⁸ guesses), with
//! the account's name and the institution's names as words an attacker would try first.
//! The reasons are said in both languages, with how to choose a better one.

use zxcvbn::feedback::Warning;

use crate::auth::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::lang::Lang;

/// The lowest zxcvbn score accepted.
const MIN_SCORE: u8 = 3;

/// What is wrong with a new password.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Problem {
    /// Under 12 characters.
    TooShort,
    /// Over 200 characters.
    TooLong,
    /// The account's own name.
    SameAsName,
    /// Easy to guess, with zxcvbn's reason when it has one.
    Guessable(Option<Warning>),
}

/// What is wrong with `password` for the account `username`, if anything; `context` are
/// more words an attacker would try (the institution's names).
pub fn problem(password: &str, username: &str, context: &[&str]) -> Option<Problem> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Some(Problem::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Some(Problem::TooLong);
    }
    if password.eq_ignore_ascii_case(username) {
        return Some(Problem::SameAsName);
    }
    let mut words: Vec<&str> = vec![username];
    for name in context {
        words.push(name);
        words.extend(
            name.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() > 2),
        );
    }
    let estimate = zxcvbn::zxcvbn(password, &words);
    (u8::from(estimate.score()) < MIN_SCORE)
        .then(|| Problem::Guessable(estimate.feedback().and_then(|feedback| feedback.warning())))
}

impl Problem {
    /// The problem and the way out, in `lang`.
    pub fn message(self, lang: Lang) -> String {
        let text = match self {
            Problem::TooShort => lang.pick(
                "新密碼至少要 12 個字元。",
                "The new password needs at least 12 characters.",
            ),
            Problem::TooLong => lang.pick(
                "新密碼最多 200 個字元。",
                "The new password may have at most 200 characters.",
            ),
            Problem::SameAsName => lang.pick(
                "新密碼不能與帳號相同。",
                "The new password must not be the username.",
            ),
            Problem::Guessable(reason) => {
                let advice = lang.pick(
                    "這個密碼太容易被猜到。請改用四個以上彼此無關、不常連在一起的詞組成的句子，避開帳號、學校名稱、日期、鍵盤上相鄰的按鍵與重複字元。",
                    "This password is too easy to guess. Use a sentence of four or more unrelated words that do not usually go together, and avoid the username, the institution's name, dates, rows of keys and repeats.",
                );
                return match reason {
                    Some(reason) => format!("{} {advice}", warning(reason, lang)),
                    None => advice.to_owned(),
                };
            }
        };
        text.to_owned()
    }
}

/// zxcvbn's reason, in `lang`.
fn warning(reason: Warning, lang: Lang) -> &'static str {
    match reason {
        Warning::StraightRowsOfKeysAreEasyToGuess => {
            lang.pick("鍵盤上一整排的按鍵很容易猜到。", "Straight rows of keys are easy to guess.")
        }
        Warning::ShortKeyboardPatternsAreEasyToGuess => lang.pick(
            "鍵盤上的短圖形很容易猜到。",
            "Short keyboard patterns are easy to guess.",
        ),
        Warning::RepeatsLikeAaaAreEasyToGuess => {
            lang.pick("像「aaa」的重複很容易猜到。", "Repeats like \"aaa\" are easy to guess.")
        }
        Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => lang.pick(
            "像「abcabcabc」的重複只比「abc」難猜一點。",
            "Repeats like \"abcabcabc\" are only slightly harder to guess than \"abc\".",
        ),
        Warning::ThisIsATop10Password
        | Warning::ThisIsATop100Password
        | Warning::ThisIsACommonPassword => {
            lang.pick("這是很常見的密碼。", "This is a very common password.")
        }
        Warning::ThisIsSimilarToACommonlyUsedPassword => lang.pick(
            "這與常見的密碼太相似（或用了帳號、學校名稱）。",
            "This is similar to a commonly used password (or uses the username or the institution's name).",
        ),
        Warning::SequencesLikeAbcAreEasyToGuess => lang.pick(
            "像 abc 或 6543 的順序很容易猜到。",
            "Sequences like abc or 6543 are easy to guess.",
        ),
        Warning::RecentYearsAreEasyToGuess => {
            lang.pick("近年的年份很容易猜到。", "Recent years are easy to guess.")
        }
        Warning::AWordByItselfIsEasyToGuess => {
            lang.pick("單一個詞很容易猜到。", "A word by itself is easy to guess.")
        }
        Warning::DatesAreOftenEasyToGuess => {
            lang.pick("日期通常很容易猜到。", "Dates are often easy to guess.")
        }
        Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
        | Warning::CommonNamesAndSurnamesAreEasyToGuess => {
            lang.pick("常見的名字與姓氏很容易猜到。", "Common names and surnames are easy to guess.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAMPUS: [&str; 2] = [
        "龍華科技大學",
        "Lunghwa University of Science and Technology",
    ];

    #[test]
    fn lengths_and_the_name_come_first() {
        assert_eq!(problem("short", "x", &CAMPUS), Some(Problem::TooShort));
        assert_eq!(
            problem(&"x".repeat(201), "x", &CAMPUS),
            Some(Problem::TooLong)
        );
        assert_eq!(
            problem("aliceALICEalice", "aliceALICEalice", &CAMPUS),
            Some(Problem::SameAsName)
        );
    }

    #[test]
    fn guessable_passwords_are_refused_with_a_reason() {
        for weak in [
            "aaaaaaaaaaaa",
            "ADMINADMINADMIN",
            "password1234",
            "qwertyuiopasdf",
            "lunghwalunghwa",
            "lunghwauniversity",
        ] {
            assert!(
                matches!(problem(weak, "admin", &CAMPUS), Some(Problem::Guessable(_))),
                "{weak} was accepted"
            );
        }
        let said = problem("aaaaaaaaaaaa", "admin", &CAMPUS).unwrap();
        assert!(
            said.message(Lang::En).contains("Repeats like"),
            "{}",
            said.message(Lang::En)
        );
        assert!(said.message(Lang::ZhTw).contains("四個以上"));
    }

    #[test]
    fn unrelated_words_pass() {
        for strong in [
            "correct horse battery staple",
            "plum kettle orbit saffron",
            "桌上那隻藍色茶壺在半夜唱歌",
        ] {
            assert_eq!(problem(strong, "admin", &CAMPUS), None, "{strong}");
        }
    }
}

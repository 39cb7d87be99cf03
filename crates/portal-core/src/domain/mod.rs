//! Values that validate themselves on construction.

mod age;
mod email;
mod npi;
mod password;
mod text;

pub use age::{AgeGroup, age_on};
pub use email::Email;
pub use npi::Npi;
pub use password::{
    MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, check_password, check_password_blocking,
};
pub use text::{
    clean_name, clean_optional, clean_required, is_hidden_character, parse_date_of_birth,
    parse_phone,
};

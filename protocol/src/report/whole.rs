//! Whole numbers as JSON Schema counts them: `60` and `60.0` are the same integer (the
//! report's schema says `integer`, and JSON does not tell the two apart), so a report
//! with `"duration_ms": 60.0` is read like one with `60`. A fraction, or a number out of
//! the field's range, is refused as before.

use serde::de::{Deserializer, Error, Unexpected, Visitor};

/// Reads a whole number into any integer type it fits.
struct Whole<T>(std::marker::PhantomData<T>);

impl<T: TryFrom<i64> + TryFrom<u64>> Visitor<'_> for Whole<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a whole number in range")
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<T, E> {
        // Exactly representable, whole, and within i64: then the integer conversion says
        // whether the field's type holds it.
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            self.visit_i64(v as i64)
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }
}

fn whole<'de, D: Deserializer<'de>, T: TryFrom<i64> + TryFrom<u64>>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(Whole(std::marker::PhantomData))
}

/// `u32`, from a whole number.
pub fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    whole(d)
}

/// `u64`, from a whole number.
pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    whole(d)
}

/// `i32`, from a whole number.
pub fn i32<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    whole(d)
}

/// An optional `u64`: `null`, or a whole number.
pub fn option_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Inner(#[serde(deserialize_with = "u64")] u64);
    Ok(<Option<Inner> as serde::Deserialize>::deserialize(d)?.map(|Inner(v)| v))
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct Sample {
        #[serde(deserialize_with = "super::i32")]
        offset: i32,
        #[serde(default, deserialize_with = "super::option_u64")]
        grace: Option<u64>,
    }

    #[test]
    fn whole_floats_are_integers_and_fractions_are_not() {
        let read = |json: &str| serde_json::from_str::<Sample>(json).map(|s| (s.offset, s.grace));
        assert_eq!(read(r#"{"offset": -771.0}"#).unwrap(), (-771, None));
        assert_eq!(
            read(r#"{"offset": 60, "grace": 7.0}"#).unwrap(),
            (60, Some(7))
        );
        assert_eq!(read(r#"{"offset": 1, "grace": null}"#).unwrap(), (1, None));
        for bad in [
            r#"{"offset": 1.5}"#,
            r#"{"offset": 3000000000}"#,
            r#"{"offset": 1, "grace": -1}"#,
            r#"{"offset": "1"}"#,
            r#"{"offset": 1e300}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}

//! The demo's random numbers: variety, not secrecy, so a small generator seeded once.

/// A small, fast generator (SplitMix64); the demo needs variety, not secrecy.
#[derive(Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded from the operating system.
    pub fn seeded() -> anyhow::Result<Rng> {
        let mut seed = [0_u8; 8];
        getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
        Ok(Rng(u64::from_le_bytes(seed)))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// One of `items`, or none when there are none.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }

    /// A random version-4 UUID, lower case, as the activator writes report ids.
    pub fn uuid(&mut self) -> String {
        let hex = format!("{:016x}{:016x}", self.next_u64(), self.next_u64());
        format!(
            "{}-{}-4{}-a{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[13..16],
            &hex[17..20],
            &hex[20..32]
        )
    }
}

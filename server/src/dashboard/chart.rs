//! The activations-per-day chart as geometry for `templates/admin/chart.svg`: stacked
//! columns (success, partial, failure or aborted), a y-axis with round steps, and a
//! handful of date labels. Pure arithmetic; the template draws it with SVG presentation
//! attributes only, since the CSP forbids inline style.

use super::panels::DayRow;

/// The drawing's width in SVG units (it scales to its box).
pub const WIDTH: f64 = 960.0;
/// The drawing's height in SVG units.
pub const HEIGHT: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 34.0;
/// At most this many date labels under the columns.
const MAX_LABELS: usize = 8;

/// The colours of the three series; each is at least 3:1 against white.
pub const FILL_SUCCESS: &str = "#1d6b39";
/// Partial successes.
pub const FILL_PARTIAL: &str = "#b86e00";
/// Failures and aborted runs.
pub const FILL_FAILED: &str = "#b42318";

/// A chart ready to draw.
#[derive(Clone, Debug)]
pub struct Chart {
    /// `0 0 width height`.
    pub view_box: String,
    /// The plot's left edge (the y-axis).
    pub left: String,
    /// The plot's right edge.
    pub right: String,
    /// The plot's bottom edge (the x-axis).
    pub bottom: String,
    /// One column per day.
    pub columns: Vec<Column>,
    /// Horizontal grid lines with their values.
    pub ticks: Vec<Tick>,
    /// Date labels under some columns.
    pub labels: Vec<Label>,
}

/// One day's stacked column.
#[derive(Clone, Debug)]
pub struct Column {
    /// What a pointer over it shows.
    pub tooltip: String,
    /// Its parts, bottom first; empty parts are left out.
    pub parts: Vec<Part>,
}

/// One part of a column.
#[derive(Clone, Debug)]
pub struct Part {
    /// Left edge.
    pub x: String,
    /// Top edge.
    pub y: String,
    /// Width.
    pub width: String,
    /// Height.
    pub height: String,
    /// Fill colour.
    pub fill: &'static str,
}

/// A grid line.
#[derive(Clone, Debug)]
pub struct Tick {
    /// Its height.
    pub y: String,
    /// Where its label's baseline sits.
    pub text_y: String,
    /// The value.
    pub label: String,
}

/// A date under a column.
#[derive(Clone, Debug)]
pub struct Label {
    /// The column's centre.
    pub x: String,
    /// `MM-DD`, or `YYYY-MM` for a month.
    pub text: String,
}

impl Chart {
    /// Lays out `days`; `tooltip` words each column's pointer text.
    pub fn new(days: &[DayRow], tooltip: impl Fn(&DayRow) -> String) -> Chart {
        let plot_width = WIDTH - LEFT - RIGHT;
        let plot_height = HEIGHT - TOP - BOTTOM;
        let bottom = HEIGHT - BOTTOM;
        let most = days.iter().map(|d| d.total).max().unwrap_or(0).max(1);
        let step = round_step(most);
        let top_value = step * ((most + step - 1) / step);
        let scale = plot_height / top_value as f64;
        let slot = plot_width / days.len().max(1) as f64;
        let gap = (slot * 0.2).min(4.0);
        let columns = days
            .iter()
            .enumerate()
            .map(|(i, day)| {
                let x = LEFT + slot * i as f64 + gap / 2.0;
                let mut y = bottom;
                let parts = [
                    (day.success, FILL_SUCCESS),
                    (day.partial, FILL_PARTIAL),
                    (day.failure + day.aborted, FILL_FAILED),
                ]
                .into_iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, fill)| {
                    let height = n as f64 * scale;
                    y -= height;
                    Part {
                        x: num(x),
                        y: num(y),
                        width: num(slot - gap),
                        height: num(height),
                        fill,
                    }
                })
                .collect();
                Column {
                    tooltip: tooltip(day),
                    parts,
                }
            })
            .collect();
        let ticks = (0..=top_value / step)
            .map(|k| {
                let y = bottom - (k * step) as f64 * scale;
                Tick {
                    y: num(y),
                    text_y: num(y + 4.5),
                    label: (k * step).to_string(),
                }
            })
            .collect();
        let every = days.len().div_ceil(MAX_LABELS).max(1);
        let labels = days
            .iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0)
            .map(|(i, day)| Label {
                x: num(LEFT + slot * (i as f64 + 0.5)),
                // `MM-DD` for a day; a month (`YYYY-MM`) in full.
                text: match day.day.len() {
                    10 => day.day.get(5..).unwrap_or_default().to_owned(),
                    _ => day.day.clone(),
                },
            })
            .collect();
        Chart {
            view_box: format!("0 0 {WIDTH} {HEIGHT}"),
            left: num(LEFT),
            right: num(WIDTH - RIGHT),
            bottom: num(bottom),
            columns,
            ticks,
            labels,
        }
    }

    /// Where date labels' baselines sit.
    pub fn label_y(&self) -> String {
        num(HEIGHT - BOTTOM + 22.0)
    }

    /// Where the value labels' right edges sit.
    pub fn tick_x(&self) -> String {
        num(LEFT - 8.0)
    }
}

/// A round grid step (1, 2, 2.5 or 5 times a power of ten, whole) giving at most five
/// steps, so the top line is never far above the tallest column.
fn round_step(most: i64) -> i64 {
    let rough = (most as f64 / 5.0).max(1.0);
    let power = 10_f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .filter(|s| s.fract() == 0.0)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * power);
    (step as i64).max(1)
}

fn num(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(day: &str, success: i64, failure: i64) -> DayRow {
        DayRow {
            day: day.to_owned(),
            success,
            failure,
            total: success + failure,
            ..DayRow::default()
        }
    }

    #[test]
    fn steps_are_round() {
        let cases = [
            (1, 1),
            (4, 1),
            (9, 2),
            (12, 5),
            (23, 5),
            (102, 25),
            (120, 25),
            (1000, 200),
        ];
        for (most, step) in cases {
            assert_eq!(round_step(most), step, "{most}");
        }
    }

    #[test]
    fn columns_stack_to_the_day_total() {
        let chart = Chart::new(&[day("2026-11-01", 6, 4), day("2026-11-02", 0, 0)], |d| {
            d.day.clone()
        });
        assert_eq!(chart.columns.len(), 2);
        let parts = &chart.columns[0].parts;
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].fill, parts[1].fill), (FILL_SUCCESS, FILL_FAILED));
        // 10 reports fill the plot exactly (the top grid line is 10).
        let top: f64 = parts[1].y.parse().unwrap();
        assert!((top - TOP).abs() < 0.1, "{top}");
        assert!(chart.columns[1].parts.is_empty());
        assert_eq!(chart.ticks.last().unwrap().label, "10");
        assert_eq!(chart.labels[0].text, "11-01");
    }
}

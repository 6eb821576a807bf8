//! Server-rendered SVG charts: values are placed here, templates draw them. No script runs in
//! the browser, and every chart is followed by a table with the same figures.

/// A line of percents over time (0–100 on the vertical axis), in a 100 × 50 view box.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub title: String,
    /// `x,y` pairs for the polyline.
    pub points: String,
    /// Each point with the label shown on hover.
    pub dots: Vec<Dot>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub label: String,
}

const LEFT: f64 = 5.0;
const WIDTH: f64 = 90.0;
const BOTTOM: f64 = 45.0;
const HEIGHT: f64 = 40.0;

impl LineChart {
    /// Place `values` (label, percent) evenly from left to right; a missing percent leaves a gap
    /// in the dots but the line joins the points that exist.
    pub fn new(title: String, values: &[(String, Option<f64>)]) -> LineChart {
        let step = if values.len() > 1 { WIDTH / (values.len() - 1) as f64 } else { 0.0 };
        let dots: Vec<Dot> = values
            .iter()
            .enumerate()
            .filter_map(|(i, (label, pct))| {
                let pct = (*pct)?.clamp(0.0, 100.0);
                let x = if values.len() > 1 { LEFT + step * i as f64 } else { LEFT + WIDTH / 2.0 };
                Some(Dot { x: round(x), y: round(BOTTOM - HEIGHT * pct / 100.0), label: label.clone() })
            })
            .collect();
        let points = dots.iter().map(|d| format!("{},{}", d.x, d.y)).collect::<Vec<_>>().join(" ");
        LineChart { title, points, dots }
    }

    /// The height in the view box of a percent, for lines drawn across the chart (a target).
    pub fn level(percent: f64) -> f64 {
        round(BOTTOM - HEIGHT * percent.clamp(0.0, 100.0) / 100.0)
    }
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_points_from_left_to_right_and_bottom_up() {
        let c = LineChart::new("t".into(), &[("a".into(), Some(0.0)), ("b".into(), None), ("c".into(), Some(50.0))]);
        assert_eq!(c.points, "5,45 95,25");
        assert_eq!(c.dots.len(), 2);
        let one = LineChart::new("t".into(), &[("a".into(), Some(100.0))]);
        assert_eq!(one.points, "50,5");
    }
}

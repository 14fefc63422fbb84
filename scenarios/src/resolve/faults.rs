//! Validation and resolution of `environment.sensor.faults`.

use gauntlet_engine::perception::{BurstDropout, GhostSpec, PerceptionFaults, PositionBias};
use gauntlet_ron_source::FieldPath;

use super::{Accepts, Walk};
use crate::raw::FaultsFile;

impl Walk<'_> {
    /// The perception faults at `p` (`environment.sensor.faults`).
    pub(super) fn faults(&mut self, p: &FieldPath, f: &FaultsFile) -> PerceptionFaults {
        let bp = p.field("burst");
        let burst = BurstDropout {
            rate: self.num(&bp.field("rate"), &f.burst.rate, Accepts::between(0.0, 1.0, "a share of steps")),
            mean_burst_steps: self.num(
                &bp.field("mean_burst_steps"),
                &f.burst.mean_burst_steps,
                Accepts::between(1.0, 10_000.0, "a mean burst length in steps"),
            ),
        };
        let gp = p.field("ghosts");
        let g = &f.ghosts;
        let ghosts = GhostSpec {
            rate_hz: self.num(
                &gp.field("rate_hz"),
                &g.rate_hz,
                Accepts::between(0.0, 100.0, "a rate per second"),
            ),
            lifetime: self.num(
                &gp.field("lifetime"),
                &g.lifetime,
                Accepts::positive(60.0, "a lifetime in s"),
            ),
            ahead_min: self.num(
                &gp.field("ahead_min"),
                &g.ahead_min,
                Accepts::between(0.0, 1000.0, "a distance in m"),
            ),
            ahead_max: self.num(
                &gp.field("ahead_max"),
                &g.ahead_max,
                Accepts::between(0.0, 1000.0, "a distance in m"),
            ),
        };
        if g.ahead_max.min_value() < g.ahead_min.max_value() {
            self.error(
                &gp.field("ahead_max"),
                "ahead_max must be at least ahead_min (for every value either may take)",
            );
        }
        let misclassification = self.num(
            &p.field("misclassification"),
            &f.misclassification,
            Accepts::between(0.0, 1.0, "a probability"),
        );
        let bp = p.field("bias");
        let bias = PositionBias {
            longitudinal: self.num(
                &bp.field("longitudinal"),
                &f.bias.longitudinal,
                Accepts::between(0.0, 50.0, "a bias bound in m"),
            ),
            lateral: self.num(
                &bp.field("lateral"),
                &f.bias.lateral,
                Accepts::between(0.0, 10.0, "a bias bound in m"),
            ),
        };
        let id_switch_rate = self.num(
            &p.field("id_switch_rate"),
            &f.id_switch_rate,
            Accepts::between(0.0, 100.0, "a rate per second"),
        );
        PerceptionFaults { burst, ghosts, misclassification, bias, id_switch_rate }
    }
}

#[cfg(test)]
mod tests {
    use gauntlet_ron_source::SourceFile;

    use crate::Scenario;

    fn with_faults(faults: &str) -> String {
        format!(
            r#"Scenario(id: "t.faults", title: "t", duration: 5.0,
            road: (lanes: 2, lane_width: 3.5, speed_limit: 20.0, layout: Straight(length: 300.0)),
            environment: (sensor: (faults: {faults})),
            ego: (speed: 10.0, goal: (s: 200.0)),
            criteria: [NoCollision])"#
        )
    }

    #[test]
    fn faults_resolve_and_are_parameters() {
        let text = with_faults(
            "(burst: (rate: 0.2, mean_burst_steps: Range(min: 4, max: 12)), ghosts: (rate_hz: 0.5, lifetime: 0.2, \
             ahead_min: 20, ahead_max: 40), misclassification: Choice(values: [0, 1], nominal: 1), \
             bias: (longitudinal: 1.0, lateral: 0.2), id_switch_rate: 0.3)",
        );
        let s = Scenario::from_source(SourceFile::new("t.ron", text)).expect("valid");
        let paths: Vec<_> = s.parameters().iter().map(|p| p.path.clone()).collect();
        assert!(paths.contains(&"environment.sensor.faults.burst.mean_burst_steps".to_string()), "{paths:?}");
        let f = s.instance(0).world.environment.sensor.faults;
        assert_eq!(f.burst.rate, 0.2);
        assert_eq!(f.burst.mean_burst_steps, 8.0);
        assert_eq!(f.ghosts.ahead_max, 40.0);
        assert_eq!(f.misclassification, 1.0);
        assert_eq!(f.bias.longitudinal, 1.0);
        assert_eq!(f.id_switch_rate, 0.3);
    }

    #[test]
    fn bad_faults_are_reported_with_their_field() {
        let text = with_faults("(burst: (rate: 1.5), ghosts: (ahead_min: 50, ahead_max: 20))");
        let err = Scenario::from_source(SourceFile::new("t.ron", text)).expect_err("invalid").to_string();
        assert!(err.contains("environment.sensor.faults.burst.rate"), "{err}");
        assert!(err.contains("environment.sensor.faults.ghosts.ahead_max"), "{err}");
    }
}

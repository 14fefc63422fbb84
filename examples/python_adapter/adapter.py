#!/usr/bin/env python3
"""A Gauntlet adapter in plain Python: the starting point for wrapping a real stack.

Gauntlet starts this script as a child process and talks to it over stdin and
stdout, one JSON object per line (protocol 1, see docs/adapter-protocol.md):

    gauntlet run … --adapter exec:"python3 examples/python_adapter/adapter.py"

The driver below keeps its lane (a Stanley-style steering law on the route
frame's lane offset and heading error, plus curvature feed-forward) and
follows the road user ahead (the Intelligent Driver Model). Replace
`Driver` with calls into your own stack; keep the loop in `main` as it is.

Rules worth keeping when you adapt it:
- stdout carries protocol lines only: log to stderr (Gauntlet keeps its tail
  for error records).
- Answer every `hello`, `reset` and `observe` with exactly one line; never
  answer `end`; ignore message types you do not know.
- Clear all per-job state on `reset`: one process serves many jobs.
- If you cannot serve a request, answer {"type":"error","message":"…"}:
  that job becomes an `error` record and the process is kept.

Standard library only.
"""

import json
import math
import sys

PROTOCOL = 1
NAME = "python-example"
VERSION = "0.1.0"


def log(text):
    """Anything for humans goes to stderr."""
    print(f"[{NAME}] {text}", file=sys.stderr, flush=True)


def send(message):
    """One line on stdout, flushed at once: Gauntlet is waiting for it."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class Driver:
    """Lane keeping + car following for one job."""

    # Car following (IDM): desired time gap (s), standstill gap (m), comfortable
    # deceleration (m/s²), acceleration exponent.
    TIME_GAP = 1.5
    MIN_GAP = 2.0
    COMFORT_DECEL = 3.0
    DELTA = 4.0
    # Lane keeping: gain on the lateral offset (1/s) and a speed floor (m/s)
    # that keeps the law gentle at walking pace.
    LATERAL_GAIN = 1.2
    SOFT_SPEED = 2.0

    def __init__(self, job):
        self.ego = job["ego"]  # length, width, wheelbase, max_accel, max_decel, max_steer
        self.road = job["road"]  # lanes, lane_width, speed_limit
        self.cruise_speed = 0.95 * self.road["speed_limit"]

    def control(self, obs):
        return {"type": "control", "accel": self.longitudinal(obs), "steer": self.lateral(obs)}

    def lateral(self, obs):
        ego = obs["ego"]
        speed = max(ego["speed"], 0.0)
        # Align with the lane, steer back towards its centre, and feed forward
        # the steering angle the lane's curvature needs.
        steer = (
            -ego["heading_err"]
            - math.atan2(self.LATERAL_GAIN * ego["lane_d"], speed + self.SOFT_SPEED)
            + math.atan(self.ego["wheelbase"] * ego["curvature"])
        )
        limit = self.ego["max_steer"]
        return max(-limit, min(limit, steer))

    def longitudinal(self, obs):
        ego = obs["ego"]
        speed = max(ego["vs"], 0.0)
        free_road = 1.0 - (speed / max(self.cruise_speed, 0.1)) ** self.DELTA
        interaction = 0.0
        leader = self.leader(obs)
        if leader is not None:
            gap, leader_speed = leader
            closing = speed - leader_speed
            desired = self.MIN_GAP + speed * self.TIME_GAP + speed * closing / (
                2.0 * math.sqrt(self.ego["max_accel"] * self.COMFORT_DECEL)
            )
            interaction = (max(desired, self.MIN_GAP) / max(gap, 0.1)) ** 2
        accel = self.ego["max_accel"] * (free_road - interaction)
        return max(-self.ego["max_decel"], min(self.ego["max_accel"], accel))

    def leader(self, obs):
        """(bumper-to-bumper gap, speed along the route) of the nearest road
        user ahead whose body overlaps the ego's lane, or None."""
        ego = obs["ego"]
        lane_centre = ego["d"] - ego["lane_d"]
        half_lane = 0.5 * self.road["lane_width"]
        best = None
        for obj in obs["objects"]:
            ahead = obj["s"] - ego["s"]
            if ahead <= 0.0:
                continue
            if abs(obj["d"] - lane_centre) > half_lane + 0.5 * obj["width"]:
                continue
            gap = ahead - 0.5 * (obj["length"] + self.ego["length"])
            if best is None or gap < best[0]:
                best = (gap, obj["vs"])
        return best


def main():
    driver = None
    for line in sys.stdin:
        try:
            msg = json.loads(line)
        except json.JSONDecodeError as e:
            log(f"ignoring a line that is not JSON: {e}")
            continue
        kind = msg.get("type")
        if kind == "hello":
            if msg.get("protocol") != PROTOCOL:
                log(f"gauntlet speaks protocol {msg.get('protocol')}, this adapter {PROTOCOL}")
            send({"type": "hello", "protocol": PROTOCOL, "name": NAME, "version": VERSION})
        elif kind == "reset":
            driver = Driver(msg)
            log(f"job {msg['scenario']} seed {msg['seed']}: cruise at {driver.cruise_speed:.1f} m/s")
            send({"type": "ready"})
        elif kind == "observe":
            if driver is None:
                send({"type": "error", "message": "observe before reset"})
                continue
            try:
                control = driver.control(msg)
                # Absurd inputs (speeds of 1e300) must not become NaN or a crash.
                if not all(math.isfinite(control[k]) for k in ("accel", "steer")):
                    raise ValueError(f"non-finite control {control}")
                send(control)
            except (KeyError, TypeError, ValueError, ArithmeticError) as e:
                send({"type": "error", "message": f"step {msg.get('step')}: {type(e).__name__}: {e}"})
        elif kind == "end":
            log(f"job ended: {msg.get('outcome')}")
            driver = None
        # Any other type: ignore it and send nothing, as the protocol asks.
    log("stdin closed, exiting")


if __name__ == "__main__":
    main()

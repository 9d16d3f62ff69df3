#!/usr/bin/env python3
"""Drives the crash timeline against a running station (see crash-timeline.sh) and reports it.

Podman's event stream tells who started each container: a `start` that follows a `restart` of
the same container is one of Podman's own on-failure retries; any other is the controller's
(through the API). "Recording again" is the first segment file the recorder writes after a
moment: the test recorder writes one as soon as it runs, unless its workspace holds CRASH.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse


class Station:
    def __init__(self, socket, podman, workspace, container):
        self.podman, self.workspace, self.container = podman, workspace, container
        self.events = []          # (time, action, exit code)
        self.segments = []        # times a segment file was written
        self.lock = threading.Lock()
        self.created = time.time()
        filters = urllib.parse.quote(json.dumps({"container": [container]}))
        self.curl = subprocess.Popen(
            ["curl", "-sN", "--unix-socket", socket, f"http://d/v4.0.0/libpod/events?stream=true&filters={filters}"],
            stdout=subprocess.PIPE)
        threading.Thread(target=self._read_events, daemon=True).start()
        threading.Thread(target=self._watch_segments, daemon=True).start()

    def _read_events(self):
        for line in self.curl.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            attributes = event.get("Actor", {}).get("Attributes", {})
            stamp = event.get("timeNano") or event.get("time", 0) * 1e9
            with self.lock:
                self.events.append((stamp / 1e9, event.get("Action") or event.get("status"),
                                    attributes.get("containerExitCode")))

    def _watch_segments(self):
        seen = {}
        while True:
            try:
                for entry in os.scandir(self.workspace):
                    if entry.name.startswith("segment-"):
                        mtime = entry.stat().st_mtime_ns
                        if seen.get(entry.name) != mtime:
                            if entry.name in seen or mtime / 1e9 > time.time() - 1:
                                with self.lock:
                                    self.segments.append(mtime / 1e9)
                            seen[entry.name] = mtime
            except FileNotFoundError:
                pass
            time.sleep(0.02)

    def snapshot(self):
        with self.lock:
            return list(self.events), sorted(self.segments)

    def fault(self, on):
        path = os.path.join(self.workspace, "CRASH")
        if on:
            open(path, "w").close()
        elif os.path.exists(path):
            os.remove(path)

    def running_since(self):
        """When the container last started, if it runs now (no death since)."""
        events, _ = self.snapshot()
        for stamp, action, _ in reversed(events):
            if action == "died":
                return None
            if action == "start":
                return stamp
        # Started before the stream was followed: running since then, at the latest.
        state = subprocess.run([self.podman, "inspect", "--format", "{{.State.Running}}", self.container],
                               capture_output=True, text=True)
        return self.created if state.stdout.strip() == "true" else None

    def wait(self, condition, limit, what):
        deadline = time.time() + limit
        while time.time() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.02)
        sys.exit(f"crash-timeline: gave up waiting for {what}")

    def wait_stable(self, seconds):
        """Until the recorder has run `seconds` without a death (the backoff's reset)."""
        self.wait(lambda: (lambda s: s and time.time() - s >= seconds)(self.running_since()), seconds + 400,
                  f"a stable run of {seconds} s")

    def next_event(self, action, after, limit=400):
        def found():
            for stamp, name, code in self.snapshot()[0]:
                if name == action and stamp > after:
                    return stamp
            return None
        return self.wait(found, limit, f"a {action} event")

    def next_segment(self, after, limit=400):
        return self.wait(lambda: next((t for t in self.snapshot()[1] if t > after), None), limit, "a segment")

    def kill(self):
        subprocess.run([self.podman, "kill", self.container], check=True, stdout=subprocess.DEVNULL)


def starts(events, begin, end):
    """The container starts in [begin, end): (time, 'controller' | 'podman')."""
    out, restarted = [], False
    for stamp, action, _ in events:
        if action == "restart":
            restarted = True
        elif action == "start":
            if begin <= stamp < end:
                out.append((stamp, "podman" if restarted else "controller"))
            restarted = False
    return out


def main():
    parser = argparse.ArgumentParser()
    for flag in ("--socket", "--podman", "--workspace", "--container", "--podman-version", "--out"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--loop-seconds", type=float, default=180)
    args = parser.parse_args()
    station = Station(args.socket, args.podman, args.workspace, args.container)
    report = {"podman": args.podman_version}
    say = lambda text: print(f"[crash-timeline] {text}", file=sys.stderr, flush=True)

    station.wait(station.running_since, 120, "the recorder to run")
    station.wait_stable(5)
    say("five rapid kills")
    kills = []
    for _ in range(5):
        station.wait(station.running_since, 120, "the recorder to run again")
        at = time.time()
        station.kill()
        died = station.next_event("died", at)
        started = station.next_event("start", at)
        recording = station.next_segment(at)
        kills.append({"back_s": round(started - at, 3), "recording_s": round(recording - at, 3),
                      "back_after_death_s": round(started - died, 3)})
        say(f"  kill: back after {started - at:.2f} s ({started - died:.2f} s after its death), "
            f"recording after {recording - at:.2f} s")
    report["kills"] = kills

    report["faults"] = []
    for length in (2, 60):
        station.wait_stable(62)
        say(f"a fault of {length} s")
        at = time.time()
        station.fault(True)
        began = station.next_event("died", at)
        time.sleep(max(0, began + length - time.time()))
        cleared = time.time()
        station.fault(False)
        recording = station.next_segment(cleared)
        events, _ = station.snapshot()
        report["faults"].append({"fault_s": length, "recording_after_clear_s": round(recording - cleared, 3),
                                 "controller_starts": sum(1 for _, who in starts(events, began, cleared) if who == "controller"),
                                 "podman_starts": sum(1 for _, who in starts(events, began, cleared) if who == "podman")})
        say(f"  cleared: recording again after {recording - cleared:.2f} s")

    station.wait_stable(62)
    say(f"always crashing for {args.loop_seconds:.0f} s")
    at = time.time()
    station.fault(True)
    began = station.next_event("died", at)
    time.sleep(max(0, began + args.loop_seconds - time.time()))
    cleared = time.time()
    station.fault(False)
    recording = station.next_segment(cleared)
    events, _ = station.snapshot()
    loop = starts(events, began, cleared)
    controller = [t - began for t, who in loop if who == "controller"]
    intervals = [b - a for a, b in zip(controller, controller[1:])]
    per_minute = [sum(1 for t, _ in loop if m <= t - began < m + 60) for m in range(0, int(args.loop_seconds) - 59, 5)]
    report["loop"] = {
        "seconds": args.loop_seconds,
        "starts": [[round(t - began, 3), who] for t, who in loop],
        "controller_starts_s": [round(t, 2) for t in controller],
        "controller_intervals_s": [round(i, 2) for i in intervals],
        "first_minute_starts": per_minute[0] if per_minute else None,
        "most_starts_in_a_later_minute": max(per_minute[12:], default=None),
        "podman_starts": sum(1 for _, who in loop if who == "podman"),
        "recording_after_clear_s": round(recording - cleared, 3),
        "next_start_after_clear_s": round(min((t for t, _ in starts(events, cleared, float("inf"))), default=cleared) - cleared, 3),
    }
    ok = all(b >= 0.7 * a for a, b in zip(intervals, intervals[1:])) and (not intervals or intervals[-1] >= 1.5 * intervals[0])
    report["loop"]["intervals_grow"] = ok
    say(f"  controller's starts at {report['loop']['controller_starts_s']} s; {report['loop']['podman_starts']} of Podman's")
    say(f"  first minute: {report['loop']['first_minute_starts']} starts; later minutes at most "
        f"{report['loop']['most_starts_in_a_later_minute']}; cleared: recording again after {recording - cleared:.2f} s")
    report["events"] = [[round(t, 4), action, code] for t, action, code in station.snapshot()[0]]
    station.curl.terminate()
    with open(args.out, "w") as handle:
        json.dump(report, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    main()
